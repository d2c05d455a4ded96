"""Any input either parses or fails with the parser's own ParseError."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studyapp.content.parse import parse_note, parse_note_bytes
from studyapp.content.parsed import ParseError


def joined(*parts: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    """Text of up to max_size pieces, each drawn from one of the parts."""
    return st.lists(st.one_of(*parts), max_size=max_size).map("".join)


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
NOTES = joined(PIECES, st.text(max_size=8), max_size=60)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(NOTES)
@example("?:::<script>- ")  # a side that nh3 empties (found by this test)
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


# Notes' pieces again, with every character markdown-it's text rule stops at by default.
STOPS_TEXT = joined(
    PIECES,
    st.sampled_from(list("#$%+-:>@^{}!&*<=[]\\_`~\n ")),
    st.text(max_size=4),
    max_size=60,
)


@given(STOPS_TEXT)
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_stopping_text_runs_only_where_a_rule_starts_gives_the_same_tokens(text):
    from markdown_it import MarkdownIt

    from studyapp.content.markdown import parser

    narrow, wide = parser(), parser()
    wide.inline.terminator_re = MarkdownIt().inline.terminator_re  # markdown-it's own stops
    assert [t.as_dict() for t in narrow.parse(text, {})] == [
        t.as_dict() for t in wide.parse(text, {})
    ]


def test_the_narrow_text_stops_know_every_enabled_inline_rule():
    """A rule added to the parser starts at a character the text stops may not hold."""
    from studyapp.content.markdown import INLINE_RULES, markdown

    assert tuple(markdown().inline.ruler.get_active_rules()) == INLINE_RULES


def test_the_narrow_text_stops_are_in_use():
    """The property above would pass if both parsers stopped where markdown-it does."""
    from markdown_it import MarkdownIt

    from studyapp.content.markdown import markdown

    assert markdown().inline.terminator_re.search("a: b-c") is None
    assert MarkdownIt().inline.terminator_re.search("a: b-c") is not None


@given(
    joined(
        st.sampled_from(["is", "IS", "Are", "means", "refers to", "stands for", "is called"]),
        st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", "İ", "ſ", "K", "refers  to"]),
        st.text(max_size=5),
        max_size=12,
    )
)
@settings(max_examples=500)
def test_the_copula_check_agrees_with_the_copula_search(text):
    from studyapp.content import implicit

    assert implicit.has_copula(text) == (implicit._COPULA.search(text) is not None)


OWN_MARKUP = joined(
    st.sampled_from(
        [
            *("<mark>", '<mark class="cloze">', '<mark class="cloze-blank">', "</mark>"),
            *('<span class="cloze-blank">', '<span class="card-context">', "<span>", "</span>"),
            *("<strong>", "</strong>", "<em>", "</em>", "<ul>", "</ul>", "<li>", "</li>"),
            *('<ul class="cloze">', "<p>", "</p>", "<br />", "<b>", "<a>", "</a>"),
            *("Term", " ", "\n", "…", "é", "&", "&amp;", "<", ">", '"', "\u00a0", "[…]"),
        ]
    ),
    max_size=24,
)


@given(OWN_MARKUP)
@example('a <mark class="cloze">b</mark> c')
@example("<ul>\n<li>a <mark>b</mark></li>\n</ul>\n")
@example("<ul><li><strong><li>b</li></strong></li></ul>")
@settings(max_examples=1000)
def test_sanitizing_card_markup_gives_what_nh3_gives(text):
    from studyapp.content import sanitize

    assert sanitize.sanitize_html(text) == sanitize._cleaner.clean(text)


def test_a_cloze_and_a_list_of_plain_words_skip_nh3(monkeypatch):
    """The property above would pass if nh3 were always called."""
    from studyapp.content import sanitize

    monkeypatch.setattr(sanitize, "_cleaner", None)  # a call would raise AttributeError
    for html in ('An <mark class="cloze">edge</mark> location', "<ul>\n<li>one</li>\n</ul>\n"):
        assert sanitize.sanitize_html(html) == html


SENTENCE_TEXT = joined(
    st.sampled_from(["is", "An AZ", "e.g.", "U.S.", "Mr.", "1.", "..."]),
    st.sampled_from(["a)", "b)", "ii)", "iv)", "1)", "2)", "(a)", "(b)", "(iv)", "(v)"]),
    st.sampled_from(["(AZ)", "(VPN)", "B)", "(x)", "Ab)", "é)", "_)", "(3)"]),
    st.sampled_from(list(" \t\n\r.,;:!?()[]\"'-–—…•/&%$#@*_=+<>|\u00a0\u2028\u0085\x0b")),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=4),
    st.text(st.sampled_from(list("abcXYZ ")), min_size=1, max_size=8),
    max_size=12,
)


@given(SENTENCE_TEXT)
@example("An AZ is one or more data centers.")
@example("  lead is x  ")
@example("x is (a) y (b) z")
@example("x is (iv) y (v) z")
@example("an Availability Zone (AZ) is some number of data centers")
@settings(max_examples=1000, deadline=None)
def test_sentences_split_as_pysbd_splits_them(text):
    from studyapp.content import implicit

    spans = implicit._SEGMENTER.segment(text)
    assert implicit.sentences(text) == [(span.start, span.sent) for span in spans]


def test_a_sentence_with_no_mark_but_its_last_skips_pysbd(monkeypatch):
    """The property above would pass if pysbd were always called."""
    from studyapp.content import implicit

    monkeypatch.setattr(implicit, "_SEGMENTER", None)  # a call would raise AttributeError
    assert implicit.sentences("  An AZ is one or more data centers. ") == [
        (2, "An AZ is one or more data centers. ")
    ]


FRONT_MATTER = joined(
    st.sampled_from(["title", "topic", "order", "Yes", "on", "NULL", "y", "a-b", "k_1"]),
    st.sampled_from(["Yes", "no", "True", "Off", "null", "Null", "~", "nan", ".inf"]),
    st.sampled_from(["0", "03", "12", "1e3", "0x1f", "2024-01-02", "1:20", "-5", "3.5"]),
    st.sampled_from([": ", ":", " ", "  ", "\n", "\t", "#", " #", "'", '"', "-", ".", ","]),
    st.sampled_from(["(", ")", "/", "[", "{", "&", "*", "!", "|", ">", "%", "@", "?"]),
    st.text(st.sampled_from(list("aZ9 _.é")), min_size=1, max_size=6),
    max_size=16,
)


@given(FRONT_MATTER)
@example("title: Note 12\ntopic: topic-0")
@example("order: 010")
@example("title: Yes")
@example("title: a\ntitle: b")
@settings(max_examples=1000)
def test_plain_front_matter_reads_as_yaml_reads_it(text):
    import yaml

    from studyapp.content import parse

    fields = parse._plain_fields(text)
    if fields is not None:
        assert fields == yaml.load(text, Loader=parse._YAML_LOADER)


def test_plain_front_matter_skips_yaml(monkeypatch):
    """The property above would pass if the plain reading never answered."""
    from studyapp.content import parse

    monkeypatch.setattr(parse, "yaml", None)  # a call would raise AttributeError
    note = parse_note("---\ntitle: Regions, and zones\ntopic: infra\norder: 2\n---\nText", "x.md")
    assert (note.title, note.topic, note.order) == ("Regions, and zones", "infra", 2)


# Notes' pieces again, with the block syntax whose tags a lesson's HTML is made of.
LESSON_TEXT = joined(
    PIECES,
    st.sampled_from(["3. ", "7) ", "| a | b |\n", "|---|:-:|\n", "***\n", "  \n", "\\\n"]),
    st.sampled_from(["~~", "    ", "Section", "1986", "&amp;", '"', "\u00a0", "\x0c"]),
    st.sampled_from(["<em>", "</p>", "<table>", "<ol>", "<hr>", "<br>"]),
    st.text(max_size=4),
    max_size=60,
)


@given(LESSON_TEXT)
@example("# A\n\n1986. b\n\n> c  \nd\n\n---\n\n| a |\n|---|\n| x |\n\n```\ncode\n```\n")
@example("3) a\n4) b\n\n- ~~c~~ ==d== *e* **f** `g`\n")
@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_a_rendered_lesson_sanitizes_as_nh3_sanitizes_it(text):
    from studyapp.content import sanitize
    from studyapp.content.markdown import markdown

    html = markdown().render(text)
    assert sanitize.sanitize_rendered(html, text) == sanitize._cleaner.clean(html)


def test_a_lesson_of_plain_markdown_skips_nh3(monkeypatch):
    """The property above would pass if nh3 were always called."""
    from studyapp.content import sanitize
    from studyapp.content.markdown import markdown

    monkeypatch.setattr(sanitize, "_cleaner", None)  # a call would raise AttributeError
    text = (
        "# Regions\n\nA region holds zones.  \nEach is apart.\n\n3. one\n4. two\n\n"
        "- ==edge== ~~old~~ *new* **bold** `code`\n\n> quoted\n\n---\n\n"
        "| term | meaning |\n|---|---|\n| AZ | zone |\n\n```\nplain code\n```\n"
    )
    html = markdown().render(text)
    assert sanitize.sanitize_rendered(html, text) == html
    for tag in ('<ol start="3">', "<br>", "<mark>", "<s>", "<blockquote>", "<hr>", "<td>"):
        assert tag in html


@given(LESSON_TEXT)
@example("- a\n  > b\n- c\n")  # a hidden paragraph, then a block tag
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_our_renderer_writes_what_markdown_it_s_writes(text):
    from markdown_it.renderer import RendererHTML

    from studyapp.content.markdown import Renderer, markdown

    md = markdown()
    assert isinstance(md.renderer, Renderer)
    tokens = md.parse(text, {})
    assert md.renderer.render(tokens, md.options, {}) == RendererHTML().render(
        tokens, md.options, {}
    )


@given(LESSON_TEXT)
@example("a ~~b~~ [c ~~d~~](e)")
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_skipping_strikethrough_pairs_without_tildes_gives_the_same_tokens(text):
    from markdown_it import rules_inline

    from studyapp.content.markdown import parser

    ours, theirs = parser(), parser()
    theirs.inline.ruler2.at("strikethrough", rules_inline.strikethrough.postProcess)
    assert [t.as_dict() for t in ours.parse(text, {})] == [
        t.as_dict() for t in theirs.parse(text, {})
    ]


@given(LESSON_TEXT)
@example("# Régions\n\n## Zones\n\n### Zones\n\ntext ![alt](local.png)\n")
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_a_parsed_note_s_lesson_sanitizes_as_nh3_sanitizes_it(text):
    """The same, for the lesson as parse_note renders it: headings with anchors, one
    level down, the title's heading taken out, local images replaced by their text."""
    from studyapp.content import parse, sanitize

    seen = []

    def checked(html, source):
        seen.append(html)
        assert sanitize.sanitize_rendered(html, source) == sanitize._cleaner.clean(html)
        return sanitize.sanitize_rendered(html, source)

    original = parse.sanitize_rendered
    parse.sanitize_rendered = checked
    try:
        parse_note(text, "any.md")
    finally:
        parse.sanitize_rendered = original
    assert len(seen) == 1
