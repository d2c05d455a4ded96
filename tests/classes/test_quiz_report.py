"""The quiz report's statistics, against values worked out by hand for a small class.

Four learners, three true/false questions, one attempt each (1 = right, 0 = wrong):

    learner  q1  q2  q3  total
    ana       1   1   0    2
    ben       1   0   1    2
    cy        0   0   0    0
    dee       1   1   1    3

Facility (mean score): q1 3/4 = 0.75, q2 2/4 = 0.5, q3 2/4 = 0.5.
Discrimination (Pearson's r of the question's score and the rest of the attempt's):
q1: scores 1,1,0,1 against rests 1,1,0,2: r = 1 / sqrt(0.75 * 2) = 0.8165;
q2: 1,0,0,1 against 1,2,0,2: r = 0.5 / sqrt(1 * 2.75) = 0.3015; q3 likewise 0.3015.
"""

from __future__ import annotations

import random

import pytest
from django.http import QueryDict
from django.utils import timezone

from studyapp.accounts.models import Profile
from studyapp.formats import gift
from studyapp.quizzes import attempts
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Attempt, Quiz
from studyapp.quizzes.report import QuestionStats, correlation, item_statistics, quiz_report

ANSWERS = {  # the right answer of each question is True
    "ana": (True, True, False),
    "ben": (True, False, True),
    "cy": (False, False, False),
    "dee": (True, True, True),
}


def test_the_indices_by_hand():
    questions = [type("Q", (), {"pk": n})() for n in (1, 2, 3)]
    scores = [
        {1: 1.0, 2: 1.0, 3: 0.0},
        {1: 1.0, 2: 0.0, 3: 1.0},
        {1: 0.0, 2: 0.0, 3: 0.0},
        {1: 1.0, 2: 1.0, 3: 1.0},
    ]
    stats = item_statistics(questions, scores)
    assert [s.facility for s in stats] == [0.75, 0.5, 0.5]
    assert [round(s.discrimination, 4) for s in stats] == [0.8165, 0.3015, 0.3015]
    assert [s.attempts for s in stats] == [4, 4, 4]


def test_a_question_nobody_varies_on_has_no_discrimination_and_flags():
    assert correlation([1, 1, 1], [0, 1, 2]) is None
    easy = QuestionStats(question=None, attempts=3, facility=1.0, discrimination=None)
    assert easy.flags == ["nearly everyone gets it right"]
    hard = QuestionStats(question=None, attempts=3, facility=0.05, discrimination=0.1)
    assert hard.flags == ["discriminates poorly", "nearly everyone gets it wrong"]
    fine = QuestionStats(question=None, attempts=3, facility=0.6, discrimination=0.45)
    assert fine.flags == []


@pytest.mark.django_db
def test_the_report_of_a_real_class_gives_the_same_figures(django_assert_max_num_queries):
    from django.contrib.auth.models import User

    text = "\n\n".join(f"::Q{n}:: Statement {n}. {{T}}" for n in (1, 2, 3))
    quiz = save_quiz(gift.parse(text), title="Hand").quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST, shuffle=False)
    quiz.refresh_from_db()
    now = timezone.now()
    for name, answers in ANSWERS.items():
        learner = User.objects.create_user(name)
        Profile.objects.create(user=learner)
        attempt = attempts.start(learner, quiz, now, random.Random(1))
        for slot, value in zip(attempts.slots(attempt), answers, strict=True):
            attempts.answer(attempt, slot, QueryDict(f"answer={str(value).lower()}"), now)
        attempts.finish(attempt, now)
    with django_assert_max_num_queries(4):
        report = quiz_report(quiz)
    assert [s.facility for s in report.questions] == [0.75, 0.5, 0.5]
    assert [round(s.discrimination, 4) for s in report.questions] == [0.8165, 0.3015, 0.3015]
    assert report.questions[0].picks == [("True", 3), ("False", 1)]
    assert [r.username for r in report.attempts] == ["ana", "ben", "cy", "dee"]
    assert [r.score for r in report.attempts] == [2, 2, 0, 3]
    # Read in SQL, the times are the ORM's, to the microsecond and time-zone aware.
    finished = Attempt.objects.order_by("learner__username").values_list("finished_at", flat=True)
    assert [r.finished_at for r in report.attempts] == list(finished)
    assert all(r.minutes == 0 for r in report.attempts)  # started and finished at `now`
