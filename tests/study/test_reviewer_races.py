"""Grades, undos and quiz misses of one learner racing in real concurrent transactions.

They serialize on the learner, so whatever the interleaving, every card's state is the
replay of its remaining review log (tests/invariants.py) and the reviewer never jams.
Threads need a server with row locks: these run on PostgreSQL (CI runs them there).
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from studyapp import sql
from studyapp.accounts.models import profile_for
from studyapp.study import reviewer
from studyapp.study.models import CardState, ReviewLog
from studyapp.study.reviewer import GradeError, grade, token_for, undo_last
from tests.concurrency import Worker, race
from tests.conftest import make_cards
from tests.invariants import assert_state_replays_its_log

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a real server"),
    pytest.mark.django_db(transaction=True),
]


def grade_shown(learner, card, rating: int, now: datetime) -> None:
    """Grade the card as the reviewer would after showing it in its current state."""
    state = CardState.objects.filter(learner=learner, card=card).first()
    grade(learner, profile_for(learner), card.pk, token_for(learner, card, state), rating, now)


@pytest.fixture
def pause_inside_grading(monkeypatch):
    """Make a thread named "grader" wait inside its grading transaction, after it has
    written its review and before it commits; return the event set at that moment."""
    inside = threading.Event()
    original = sql.together

    def slow_writes(*statements):
        written = original(*statements)
        if threading.current_thread().name == "grader" and "INSERT INTO" in statements[0][0]:
            inside.set()  # the review is written, not yet committed
            time.sleep(0.4)
        return written

    monkeypatch.setattr(sql, "together", slow_writes)
    return inside


def test_an_undo_waits_for_a_grade_in_flight_and_undoes_that_grade(
    learner, no_fuzz, pause_inside_grading
):
    card = make_cards(1)[0]
    grade_shown(learner, card, 3, NOW)
    later = NOW + timedelta(minutes=10)
    grader = Worker("grader", lambda: grade_shown(learner, card, 3, later))
    grader.start()
    assert pause_inside_grading.wait(5)
    undone = undo_last(learner)  # issued while the second grade is not yet committed
    grader.join()
    assert grader.error is None
    assert undone.seq == 1  # the grade that was in flight, not the one before it
    assert list(ReviewLog.objects.values_list("seq", flat=True)) == [0]
    assert_state_replays_its_log(learner)
    grade_shown(learner, card, 4, later)  # the reviewer goes on: nothing is jammed
    assert_state_replays_its_log(learner)


def test_many_random_interleavings_of_grades_undos_and_misses_keep_every_invariant(
    learner, no_fuzz
):
    cards = make_cards(3)
    profile = profile_for(learner)
    rng = random.Random(9)
    moment = NOW
    for _round in range(25):
        moment += timedelta(minutes=rng.randint(1, 600))
        card = rng.choice(cards)
        a, b = rng.randint(1, 4), rng.randint(1, 4)
        errors = race(
            lambda card=card, at=moment, rating=a: grade_shown(learner, card, rating, at),
            lambda: undo_last(learner),
            lambda card=card, at=moment, rating=b: grade_shown(learner, card, rating, at),
            lambda card=card, at=moment: reviewer.schedule_missed(learner, profile, [card], at),
        )
        for error in errors:
            # Refused with a message, changing nothing: a grade whose shown state moved on
            # ("already graded"), an undo of a card a quiz had just rescheduled.
            assert error is None or isinstance(error, GradeError), error
        assert_state_replays_its_log(learner)
    for card in cards:  # and every card can still be graded
        grade_shown(learner, card, 3, moment + timedelta(days=1))
    assert_state_replays_its_log(learner)
