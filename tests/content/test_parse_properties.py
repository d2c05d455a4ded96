"""Any input either parses or fails with the parser's own ParseError."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studyapp.content.parse import parse_note, parse_note_bytes
from studyapp.content.parsed import ParseError

# Text built from the pieces notes are made of, so that the interesting paths are reached.
PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "  ",
        "- ",
        "* ",
        "1. ",
        "> ",
        "# ",
        "## ",
        "---\n",
        "```\n",
        "~~~",
        "`",
        "**",
        "__",
        "==",
        "::",
        ":::",
        "?",
        "??",
        "{{c1::",
        "}}",
        "::hint",
        "[[",
        "]]",
        "![[",
        "|",
        "<!--",
        "-->",
        "%%",
        "<b>",
        "</b>",
        "<script>",
        "[x](",
        ")",
        "Term",
        ": ",
        "- text",
        "\ufeff",
        "\0",
        "é",
        "=",
        "~",
        "#tag",
        "title: x\n",
    ]
)
NOTES = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=60).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(NOTES)
def test_any_text_parses(text):
    note = parse_note(text, "any.md")
    assert isinstance(note.html, str)
    for card in note.cards:
        assert card.line >= 1
        assert card.front_html.strip() and card.identity


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_raise_parse_error(data):
    try:
        parse_note_bytes(data, "any.md")
    except ParseError as error:
        assert error.message


# Every ASCII character and a few others, and mostly harmless text (which takes the
# fast path more often): it must agree with markdown-it wherever it is taken.
SIDE_TEXT = st.one_of(
    st.text(
        st.one_of(
            st.characters(min_codepoint=0, max_codepoint=127),
            st.sampled_from("é—\u00a0\u2028\u3000"),
        ),
        max_size=30,
    ),
    st.text(st.sampled_from(list("ab Z9.,;:?()'\"#$%^|+-/@\t\u00a0é")), max_size=30),
    # Words with one kind of markup around them, as "*a*" or "&amp;".
    st.builds(
        lambda mark, words: f"{mark}{words}{mark}",
        st.sampled_from([*"*_`~=&[]<>!\\{}", "**", "==", "~~", "::", "[[", "{{"]),
        st.text(st.sampled_from(list("ab Z9.;")), min_size=1, max_size=8),
    ),
)


@given(SIDE_TEXT)
@settings(max_examples=1000)
def test_a_card_side_renders_as_markdown_it_renders_it(text):
    from studyapp.content.cards import render_inline
    from studyapp.content.markdown import markdown

    md = markdown()
    assert render_inline(md, text, {}) == md.renderInline(text, {})


def test_plain_words_take_the_fast_path(monkeypatch):
    """The property above would pass if the fast path were never taken."""
    from studyapp.content import cards
    from studyapp.content.markdown import markdown

    md = markdown()
    monkeypatch.setattr(md, "renderInline", None)  # a call would raise TypeError
    assert cards.render_inline(md, 'An "edge" location, (e.g. #1) 50% off?', {}) == (
        "An &quot;edge&quot; location, (e.g. #1) 50% off?"
    )


@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=30))
@example("\ufeff")  # nh3 drops a leading byte order mark (a clean CI run found it)
@example("a\ufeffb")
@settings(max_examples=1000)
def test_sanitizing_gives_what_nh3_gives_for_any_text(text):
    from studyapp.content import sanitize

    assert sanitize.sanitize_html(text) == sanitize._cleaner.clean(text)
