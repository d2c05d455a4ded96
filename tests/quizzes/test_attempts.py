"""Attempts: an answer and a finish are ordered, so a finished attempt never changes."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from studyapp.formats import gift
from studyapp.quizzes import attempts
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Attempt, Quiz, Response
from tests.concurrency import Worker, race
from tests.invariants import assert_scores_match_responses

QUIZ = "::TF1:: Regions hold AZs. {T}\n\n::TF2:: An AZ is one data center at most. {F}\n"


@pytest.fixture
def test_quiz(db) -> Quiz:
    quiz = save_quiz(gift.parse(QUIZ), title="Test").quiz
    quiz.mode, quiz.shuffle = Quiz.Mode.TEST, False
    quiz.save()
    return quiz


def answer(attempt: Attempt, title: str, value: str) -> None:
    slot = next(s for s in attempts.slots(attempt) if s.question.title == title)
    attempts.answer(attempt, slot, QueryDict(f"answer={value}"), timezone.now())


def test_an_answer_checked_against_a_stale_copy_of_a_finished_attempt_is_refused(
    learner, test_quiz
):
    loaded = attempts.start(learner, test_quiz, timezone.now(), random.Random(1))
    answer(loaded, "TF1", "false")
    # Another request finishes the attempt after this one loaded it.
    attempts.finish(Attempt.objects.get(pk=loaded.pk), timezone.now())
    with pytest.raises(attempts.AttemptError, match="finished"):
        answer(loaded, "TF1", "true")
    assert Response.objects.get().answer is False
    assert loaded.finished_at is not None  # the caller's copy learns it is finished
    assert_scores_match_responses(test_quiz)


def test_an_answer_past_the_deadline_finishes_the_attempt_with_what_was_saved(learner, test_quiz):
    test_quiz.time_limit_minutes = 5
    test_quiz.save()
    attempt = attempts.start(learner, test_quiz, timezone.now(), random.Random(1))
    answer(attempt, "TF1", "true")
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now())
    with pytest.raises(attempts.AttemptError, match="Time is up"):
        answer(attempt, "TF2", "false")
    attempt.refresh_from_db()
    assert attempt.finished_at is not None and attempt.score == 1
    assert Response.objects.count() == 1


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need a real server"
)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_finish_while_an_answer_is_in_flight_is_ordered_with_it(learner, test_quiz, monkeypatch):
    attempt = attempts.start(learner, test_quiz, timezone.now(), random.Random(1))
    answer(attempt, "TF1", "false")
    inside = threading.Event()
    original = attempts.mark

    def slow_mark(*args):
        if threading.current_thread().name == "answerer":
            inside.set()
            time.sleep(0.4)
        return original(*args)

    monkeypatch.setattr(attempts, "mark", slow_mark)
    answerer = Worker("answerer", lambda: answer(attempt, "TF1", "true"))
    answerer.start()
    assert inside.wait(5)
    attempts.finish(Attempt.objects.get(pk=attempt.pk), timezone.now())
    answerer.join()
    assert isinstance(answerer.error, attempts.AttemptError)
    assert Response.objects.get().answer is False
    assert_scores_match_responses(test_quiz)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_answers_racing_finishes_never_change_a_finished_attempt(learner, test_quiz):
    for _round in range(30):
        attempt = attempts.start(learner, test_quiz, timezone.now(), random.Random(1))
        answer(attempt, "TF1", "false")
        errors = race(
            lambda a=attempt: answer(a, "TF1", "true"),
            lambda a=attempt: answer(a, "TF2", "false"),
            lambda a=attempt: attempts.finish(Attempt.objects.get(pk=a.pk), timezone.now()),
        )
        assert all(e is None or isinstance(e, attempts.AttemptError) for e in errors), errors
        assert_scores_match_responses(test_quiz)
