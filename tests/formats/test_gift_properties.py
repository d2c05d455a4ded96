"""GIFT properties: what render writes, parse reads back; any text parses or fails cleanly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.formats import gift
from studyapp.formats.questions import FormatError
from tests.formats.strategies import gift_questions


@settings(max_examples=300)
@given(st.lists(gift_questions(), min_size=1, max_size=4))
def test_parse_reads_back_what_render_writes(questions):
    assert gift.parse(gift.render(questions)) == questions


PIECES = st.sampled_from(
    [
        "{",
        "}",
        "~",
        "=",
        "#",
        "####",
        "%50%",
        "%-x%",
        "->",
        "::",
        "\\",
        "\n",
        "\n\n",
        "//",
        "$CATEGORY:",
        "[html]",
        "T",
        "FALSE",
        "#1..",
        ":",
        "..",
        "*",
        "a",
        " ",
        "3",
        "é",
    ]
)


@settings(max_examples=500)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_any_text_parses_or_names_its_lines(text):
    try:
        questions = gift.parse(text)
    except FormatError as error:
        assert error.problems
        lines = text.count("\n") + 1
        assert all(1 <= p.line <= lines for p in error.problems)
    else:
        assert all(q.text for q in questions)
