"""Aiken: one-answer multiple choice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.formats import aiken
from studyapp.formats.questions import (
    Choice,
    FormatError,
    Question,
    QuestionType,
    UnsupportedQuestion,
)
from tests.formats.strategies import text

EXAMPLE = """\
Which service delivers cached content
close to viewers?
A. Amazon EC2
B) Amazon CloudFront
C. Amazon VPC
ANSWER: B

What does an AZ contain?
A. One or more data centers
B. Exactly one edge location
ANSWER: A
"""


def test_it_reads_choices_with_dots_and_brackets_and_multi_line_text():
    first, second = aiken.parse(EXAMPLE)
    assert first.type == QuestionType.MULTICHOICE
    assert first.text == "Which service delivers cached content\nclose to viewers?"
    assert first.choices == (
        Choice("Amazon EC2", 0),
        Choice("Amazon CloudFront", 100),
        Choice("Amazon VPC", 0),
    )
    assert (first.line, second.line) == (1, 8)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Q?\nA. a\nB. b\nANSWER: D", 1, "not one of A, B"),
        ("Q?\nA. a\nANSWER: A", 1, "at least two choices"),
        ("A. a\nB. b\nANSWER: A", 1, "before any question"),
        ("Q?\nA. a\nB. b\n\nNext question?\nA. x\nB. y\nANSWER: A", 1, "no ANSWER"),
        ("Q?\nA. a\nC. b\nANSWER: A", 1, "the choices go A, C"),
        ("\n\nQ?\nA. a\nB. b", 3, "no ANSWER"),
    ],
)
def test_problems_name_their_line(text, line, words):
    with pytest.raises(FormatError) as caught:
        aiken.parse(text)
    assert caught.value.problems[0].line == line
    assert words in caught.value.problems[0].message


def test_render_refuses_what_aiken_cannot_hold():
    several = Question(QuestionType.MULTICHOICE, "Q", choices=(Choice("a", 50), Choice("b", 50)))
    with pytest.raises(UnsupportedQuestion):
        aiken.render([several])
    with pytest.raises(UnsupportedQuestion):
        aiken.render([Question(QuestionType.TRUEFALSE, "Q", answer=True)])


LINE = text(st.sampled_from(list("abcXYZ 019.,?!'\"%*-()é"))).filter(
    lambda s: not aiken._CHOICE.match(s) and not aiken._ANSWER.match(s)
)


@given(
    st.lists(
        st.tuples(
            st.lists(LINE, min_size=1, max_size=3),
            st.lists(LINE, min_size=2, max_size=6),
            st.integers(0, 5),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_parse_reads_back_what_render_writes(specs):
    questions = [
        Question(
            QuestionType.MULTICHOICE,
            "\n".join(lines),
            text_format="plain",
            choices=tuple(
                Choice(c, 100.0 if i == right % len(cs) else 0.0) for i, c in enumerate(cs)
            ),
        )
        for lines, cs, right in specs
    ]
    assert aiken.parse(aiken.render(questions)) == questions
