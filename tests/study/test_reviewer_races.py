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


def _pause_after_writes(monkeypatch, thread: str, statement: str) -> threading.Event:
    """Make the thread of that name wait inside its transaction, after the sql.together
    call whose first statement contains `statement`, before it commits; return the
    event set at that moment."""
    inside = threading.Event()
    original = sql.together

    def slow_writes(*statements):
        written = original(*statements)
        if threading.current_thread().name == thread and statement in statements[0][0]:
            inside.set()
            time.sleep(0.4)
        return written

    monkeypatch.setattr(sql, "together", slow_writes)
    return inside


@pytest.fixture
def pause_inside_grading(monkeypatch):
    """A thread named "grader" waits after it has written its review, not yet committed."""
    # The long way (a transaction): a grade in one statement has no such moment.
    monkeypatch.setattr(reviewer, "_grade_at_once", lambda *args: None)
    return _pause_after_writes(monkeypatch, "grader", "INSERT INTO")


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


@pytest.fixture
def pause_inside_undo(monkeypatch):
    """A thread named "undoer" waits after its undo has deleted the review (and the state
    of a card it made new again) and taken back the day's counts, not yet committed."""
    return _pause_after_writes(monkeypatch, "undoer", "UPDATE")


def test_a_grade_in_one_statement_waits_for_an_undo_and_reads_what_it_committed(
    learner, no_fuzz, pause_inside_undo
):
    first, second, third = make_cards(3)
    grade_shown(learner, first, 3, NOW)  # the long way: the topic's first, its frontier
    grade_shown(learner, second, 3, NOW)  # one statement: right after the frontier
    assert ReviewLog.objects.count() == 2
    shown = token_for(learner, third, None)  # the next new card, on screen
    undoer = Worker("undoer", lambda: undo_last(learner))  # takes back the second's
    undoer.start()
    assert pause_inside_undo.wait(5)
    # Issued while the undo, which made the second card new again, is not committed: the
    # statement waits for the learner's lock, then must not move the frontier past the
    # second card on the strength of its older snapshot, where the second was started.
    grade(learner, profile_for(learner), third.pk, shown, 3, NOW)
    undoer.join()
    assert undoer.error is None
    assert set(CardState.objects.values_list("card", flat=True)) == {first.pk, third.pk}
    card, state = reviewer.next_card(
        learner, profile_for(learner), reviewer.Today.of(learner, profile_for(learner), NOW), NOW
    )
    assert (card, state) == (second, None)  # new again, and served as new
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
