"""The notes parser, on our own fixtures written in the styles students really use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studyapp.content.parse import decode_note, parse_note, parse_note_bytes
from studyapp.content.parsed import ParseError, card_key

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str):
    data = (FIXTURES / name).read_bytes()
    return parse_note_bytes(data, name)


def fronts(note) -> list[str]:
    return [card.front_html for card in note.cards]


def card(note, front: str):
    matches = [c for c in note.cards if c.front_html == front]
    assert len(matches) == 1, f"{front!r} in {fronts(note)}"
    return matches[0]


# Explicit cards ------------------------------------------------------------------------


def test_it_makes_a_basic_card_from_double_colon():
    note = fixture("explicit.md")
    c = card(note, "Object storage")
    assert (c.kind, c.back_html, c.line) == ("basic", "Data kept as objects in buckets", 8)


def test_it_makes_two_cards_from_triple_colon():
    note = fixture("explicit.md")
    forward = card(note, "Durability")
    backward = card(note, "How unlikely it is that stored data is lost")
    assert forward.kind == backward.kind == "reversed"
    assert backward.back_html == "Durability"
    assert forward.identity != backward.identity


def test_it_makes_a_multiline_card_around_a_question_mark_line():
    c = card(fixture("explicit.md"), "What does versioning keep?")
    assert c.back_html == "Every version of an object,\nincluding deleted ones."
    assert c.line == 11  # where the question starts


def test_a_double_question_mark_card_goes_both_ways_and_keeps_the_list_below():
    note = fixture("explicit.md")
    c = card(note, "Which two things make a bucket name?")
    assert c.back_html.startswith("A globally unique name<ul>")
    assert "<li>digits and hyphens</li>" in c.back_html
    assert "S3 stores" not in c.back_html  # the blank line ends the answer
    assert [x for x in note.cards if x.back_html == c.front_html]


def test_each_highlight_is_its_own_cloze():
    note = fixture("explicit.md")
    clozes = [c for c in note.cards if c.kind == "cloze" and "S3 stores" in c.back_html]
    assert [c.front_html for c in clozes] == [
        'S3 stores data in <span class="cloze-blank">[…]</span> that live in one Region.',
        'S3 stores data in buckets that live in <span class="cloze-blank">[…]</span>.',
    ]
    assert clozes[0].back_html == (
        'S3 stores data in <mark class="cloze">buckets</mark> that live in one Region.'
    )


def test_anki_clozes_group_by_number_and_show_the_hint():
    note = fixture("explicit.md")
    clozes = [c for c in note.cards if c.kind == "cloze" and "lifecycle" in c.back_html]
    assert len(clozes) == 2
    c1 = clozes[0]
    assert c1.front_html == (
        'A <span class="cloze-blank">[what moves objects?]</span> moves objects to cheaper '
        'storage after <span class="cloze-blank">[…]</span>.'
    )
    assert c1.back_html.count('<mark class="cloze">') == 2
    assert "cheaper storage" in clozes[1].back_html


def test_it_makes_no_cards_from_code_comments_or_inline_code():
    note = fixture("explicit.md")
    text = " ".join(c.front_html + c.back_html for c in note.cards)
    for never in ("Code", "not a card", "not a cloze", "Hidden", "secret"):
        assert never not in text
    assert len(note.cards) == 10


def test_it_ignores_front_matter_and_takes_its_title_and_topic():
    note = fixture("explicit.md")
    assert (note.title, note.topic) == ("Storage classes", "storage")
    assert "tags" not in note.html and "title:" not in note.html


@pytest.mark.parametrize("line", ["::", "a::", "::b", "::: note"])
def test_a_separator_with_an_empty_side_makes_no_card(line):
    assert parse_note(line + "\n", "x.md").cards == []


def test_an_empty_side_is_reported_with_its_line():
    note = parse_note("intro\n\nterm::\n", "x.md")
    assert [(p.line, p.message) for p in note.problems] == [(3, "'::' with one side empty")]


# Implicit cards from definition bullets ------------------------------------------------


def test_it_makes_cards_from_bold_terms_with_a_dash_or_colon():
    note = fixture("dash-bullets.md")
    assert card(note, "Vertical scaling").back_html == "making one server bigger, eg more memory"
    assert card(note, "Auto scaling (AWS does this)").line == 10


def test_nested_sub_bullets_are_part_of_the_answer():
    c = card(fixture("dash-bullets.md"), "Horizontal scaling")
    assert c.back_html.startswith("adding more servers side by side<ul>")
    assert "<li>works well with stateless apps</li>" in c.back_html


def test_a_bold_term_with_only_sub_bullets_uses_them_as_the_answer():
    note = fixture("dash-bullets.md")
    assert card(note, "Block storage").back_html.startswith("<ul>")
    # The sub-bullets are definitions too.
    assert card(note, "Volumes").back_html == "disks attached to one instance"


def test_plain_terms_must_be_short_and_not_labels():
    note = fixture("colon-bullets.md")
    assert fronts(note) == ["Amazon RDS", "DynamoDB"]


def test_long_sentences_with_a_dash_are_not_cards():
    assert not any("usually" in f for f in fronts(fixture("dash-bullets.md")))


def test_a_bold_paragraph_outside_a_list_needs_a_text_answer():
    note = parse_note("**Elasticity**: growing and shrinking with demand\n", "x.md")
    assert card(note, "Elasticity").back_html == "growing and shrinking with demand"
    assert parse_note("Elasticity: growing with demand\n", "x.md").cards == []


# Notes from the wild ---------------------------------------------------------------------


def test_obsidian_notes_with_crlf_bom_tables_and_setext_headings_parse():
    note = fixture("obsidian-crlf.md")
    assert note.title == "Identity"
    assert [s.title for s in note.sections] == ["Identity", "Least privilege"]
    assert "<table>" in note.html and "<td>Global</td>" in note.html
    assert "Screenshot" not in note.html  # image embeds are dropped
    assert "the basics page" in note.html and "[[" not in note.html
    assert "\ufeff" not in note.html and "\r" not in note.html
    # No card syntax: only guesses, from the table's row and the short first section
    # ("Here is how it works:" has no answer text, and asks nothing).
    assert [(c.front_html, c.back_html, c.implicit) for c in note.cards] == [
        ("IAM", "Global", True),
        ("Identity", "IAM controls who can do what", True),
    ]


def test_tabs_and_spaces_nest_alike():
    tabs = parse_note("- **Term**- top\n\t- nested\n", "x.md")
    spaces = parse_note("- **Term**- top\n    - nested\n", "x.md")
    assert tabs.cards[0].back_html == spaces.cards[0].back_html
    assert "<li>nested</li>" in tabs.cards[0].back_html


def test_a_note_without_headings_is_named_after_its_file():
    note = parse_note("just text\n", "notes/cloud_week-3.md")
    assert (note.title, note.sections) == ("Cloud week 3", [])


def test_an_opening_h1_becomes_the_title_and_leaves_the_lesson():
    note = parse_note("# Regions\n\nText\n\n## Choosing\n", "x.md")
    assert note.title == "Regions"
    assert "Regions" not in note.html
    assert '<h3 id="choosing">Choosing</h3>' in note.html  # shifted under the page's h2


def test_sections_have_unique_anchors_and_heading_paths():
    note = parse_note("## A\n### B\n## A\n### C\n", "x.md")
    assert [(s.anchor, s.path) for s in note.sections] == [
        ("a", ("A",)),
        ("b", ("A", "B")),
        ("a-2", ("A",)),
        ("c", ("A", "C")),
    ]


def test_cards_know_their_section():
    note = parse_note("## First\nx::y\n## Second\np::q\n", "x.md")
    assert [c.section for c in note.cards] == ["first", "second"]


def test_duplicate_cards_are_kept_once_with_a_problem():
    note = parse_note("a::b\n\na::b\n", "x.md")
    assert len(note.cards) == 1
    assert note.problems[0].line == 3


def test_bad_front_matter_is_a_problem_not_an_error():
    note = parse_note("---\ntitle: [unclosed\n---\nx::y\n", "x.md")
    assert len(note.cards) == 1
    assert "front matter" in note.problems[0].message


# Stable identities -----------------------------------------------------------------------


def test_a_cards_identity_ignores_position_and_whitespace():
    before = parse_note("## A\nx::y\n", "x.md").cards[0]
    after = parse_note("intro\n\n## B\n\nother::card\n\n  x  ::   y\n", "x.md").cards[-1]
    assert card_key("t", before.identity) == card_key("t", after.identity)


def test_editing_a_cards_text_or_topic_changes_its_key():
    a = parse_note("x::y\n", "x.md").cards[0]
    b = parse_note("x::y!\n", "x.md").cards[0]
    assert card_key("t", a.identity) != card_key("t", b.identity)
    assert card_key("t", a.identity) != card_key("u", a.identity)


# Sanitizing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href='javascript:alert(1)'>click</a>",
        "<a href='data:text/html;base64,PHNjcmlwdD4='>click</a>",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "<iframe src='https://example.org'></iframe>",
        '<p style="position:fixed">x</p>',
        '<span class="position-fixed">x</span>',
    ],
)
def test_no_script_or_dangerous_url_reaches_the_html(markdown):
    note = parse_note(f"{markdown}\n\nq::{markdown}\n", "x.md")
    # A back that sanitizes to nothing (the iframe) leaves no card at all.
    for html in (note.html, *(card.back_html for card in note.cards)):
        lowered = html.lower()
        assert not re.search(r"(href|src)=\S*(javascript|data):", lowered), html
        for bad in ("<script", "onerror", "<iframe", "position"):
            assert bad not in lowered, html


# Absurd input ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["> ", "- ", "1. ", "  - ", "> - "])
def test_nesting_thousands_deep_is_flattened_not_lost(prefix):
    note = parse_note(prefix * 3000 + "deep::text\n", "x.md")
    assert [c.front_html for c in note.cards] == ["deep"]
    assert "flattened" in note.problems[0].message


def test_deep_indentation_is_flattened_but_code_keeps_its_indentation():
    items = "".join("  " * depth + f"- item {depth}\n" for depth in range(500))
    code = "```yaml\n" + " " * 40 + "Type: AWS::S3::Bucket\n```\n"
    note = parse_note(items + "\n" + code, "x.md")
    assert "item 499" in note.html
    assert " " * 40 + "Type" in note.html


def test_a_200_kb_line_parses():
    note = parse_note("word " * 40_000 + "\n\nq::a\n", "x.md")
    assert len(note.cards) == 1


# Decoding --------------------------------------------------------------------------------


def test_text_that_is_not_utf8_is_refused_with_its_line():
    with pytest.raises(ParseError) as error:
        decode_note("line one\nline two é\n".encode("latin-1"))
    assert error.value.line == 2
    assert "UTF-8" in str(error.value)


def test_binary_files_are_refused():
    with pytest.raises(ParseError, match="binary"):
        decode_note(b"\x89PNG\r\n\x1a\n\0\0\0")


def test_files_over_the_limit_are_refused():
    with pytest.raises(ParseError, match="limit"):
        decode_note(b"x" * 101, max_bytes=100)


def test_the_lesson_keeps_card_lines_apart_and_hides_question_mark_lines():
    note = parse_note("a::b\nc::d\n\nWhat?\n?\nThis.\n\nprose\nflows\n", "x.md")
    assert note.html == ("<p>a — b<br>\nc — d</p>\n<p>What?<br>\nThis.</p>\n<p>prose\nflows</p>\n")


def test_a_card_side_of_invisible_characters_is_skipped_with_its_line():
    # Found by hypothesis: a byte order mark in the middle of a file made an empty front.
    note = parse_note("Intro\n\n\ufeff::hint\n\nReal :: card\n", "x.md")
    assert [c.back_html for c in note.cards] == ["card"]
    assert [(p.line, p.message) for p in note.problems] == [
        (3, "a card side shows nothing; skipped")
    ]


def test_a_card_side_that_sanitizing_empties_is_skipped_and_named():
    """A side of nothing but a script shows nothing once sanitized (hypothesis found it:
    the blank check ran on the HTML before nh3 had taken the script out)."""
    note = parse_note("Intro\n\nWhat runs?:::<script>alert(1)</script>\n\nReal :: card\n", "x.md")
    assert [(c.front_html, c.back_html) for c in note.cards] == [("Real", "card")]
    assert [(p.line, p.message) for p in note.problems] == [
        (3, "a card side shows nothing; skipped"),
        (3, "a card side shows nothing; skipped"),
    ]


def test_images_from_beside_the_note_are_named_as_skipped_and_show_their_description():
    note = parse_note(
        "# T\n\nText ![a cat](cat.png) and ![[diagram.png]] here.\n\n"
        "![web](https://example.org/x.png)\n",
        "t.md",
    )
    assert sorted((p.line, p.message.split(":")[0]) for p in note.problems) == [
        (3, "image “cat.png” skipped"),
        (3, "image “diagram.png” skipped"),
    ]
    assert "[a cat]" in note.html and "cat.png" not in note.html
    assert '<img src="https://example.org/x.png" alt="web">' in note.html
