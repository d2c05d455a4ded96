"""Any input either parses or fails with the parser's own ParseError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
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
