"""Marking by Moodle's rules, per question type."""

from __future__ import annotations

import pytest

from studyapp.formats import gift
from studyapp.quizzes.grading import AnswerError, mark, parse_number
from studyapp.quizzes.imports import answer_data


def data(text: str) -> tuple[str, dict]:
    [q] = gift.parse(text)
    return q.type.value, answer_data(q)


def test_single_choice_scores_the_chosen_weight():
    qtype, d = data("Q {=right#Yes ~%50%half ~wrong#No}")
    assert mark(qtype, d, [0]).fraction == 1
    assert mark(qtype, d, [1]).fraction == 0.5
    wrong = mark(qtype, d, [2])
    assert wrong.fraction == 0 and wrong.wrong and wrong.feedback == ["No"]


def test_several_choices_add_up_and_never_go_below_zero_or_above_one():
    qtype, d = data("Q {~%50%a ~%50%b ~%-100%c ~%-50%d}")
    assert mark(qtype, d, [0, 1]).fraction == 1
    assert mark(qtype, d, [0]).fraction == 0.5
    assert mark(qtype, d, [0, 3]).fraction == 0
    assert mark(qtype, d, [2, 3]).fraction == 0


def test_true_false_gives_the_right_feedback():
    qtype, d = data("Q {T#wrong fb#right fb}")
    assert (mark(qtype, d, True).fraction, mark(qtype, d, True).feedback) == (1, ["right fb"])
    assert (mark(qtype, d, False).fraction, mark(qtype, d, False).feedback) == (0, ["wrong fb"])


@pytest.mark.parametrize(
    ("given", "fraction"),
    [
        ("us-east-1", 1),
        ("  US-EAST-1 ", 1),
        ("us  east   1", 0.5),
        ("us-west-2", 0),
        ("Virginia north", 0.25),
    ],
)
def test_short_answers_ignore_case_and_spacing(given, fraction):
    qtype, d = data("Q {=us-east-1 =%50%us east 1 =%25%virginia*}")
    assert mark(qtype, d, given).fraction == fraction


@pytest.mark.parametrize(
    ("given", "fraction"),
    [("3", 1), ("3.4", 1), ("2,6", 1), ("3.6", 0.5), ("4.6", 0), ("9", 0)],
)
def test_numerical_tolerance_and_several_answers(given, fraction):
    qtype, d = data("Q {#=3:0.5 =%50%4:0.5}")
    assert mark(qtype, d, given).fraction == fraction


def test_numerical_ranges():
    qtype, d = data("Q {#1..5}")
    assert mark(qtype, d, "1").fraction == 1
    assert mark(qtype, d, "5").fraction == 1
    assert mark(qtype, d, "5.01").fraction == 0


def test_numerical_refuses_what_is_not_a_number():
    qtype, d = data("Q {#3}")
    with pytest.raises(AnswerError, match="not a number"):
        mark(qtype, d, "three")
    assert parse_number(" 1e3 ") == 1000


def test_matching_scores_each_pair():
    qtype, d = data("Q {=S3 -> objects =EBS -> blocks =EFS -> files = -> tape}")
    assert mark(qtype, d, {"0": "objects", "1": "blocks", "2": "files"}).fraction == 1
    assert mark(qtype, d, {"0": "objects", "1": "tape", "2": "blocks"}).fraction == pytest.approx(
        1 / 3
    )


def test_essays_wait_for_the_instructor():
    qtype, d = data("Q {}")
    marked = mark(qtype, d, "my essay")
    assert marked.fraction is None and not marked.wrong
