"""Card actions, grades and undos of one learner racing in real concurrent transactions.

Every one of them takes the learner's lock first (reviewer.lock_learner), so whatever
the interleaving, each mark change records the marks it really replaced, the card's
marks are what its log says, undo takes back the newest step, and every card's state
is still the replay of its review log. Threads need row locks: PostgreSQL only.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from studyapp.accounts.models import profile_for
from studyapp.study import marks
from studyapp.study.models import CardMark, CardState, MarkLog
from studyapp.study.reviewer import GradeError, Today, grade, token_for
from tests.concurrency import race
from tests.conftest import make_cards
from tests.invariants import assert_state_replays_its_log

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a real server"),
    pytest.mark.django_db(transaction=True),
]


def after(before: dict | None, log: MarkLog, learner) -> dict:
    """The marks a logged change leaves, from the marks it found."""
    marks_now = dict(before or {"suspended": False, "buried_until": None, "flag": 0})
    if log.action == "bury":
        end = Today.of(learner, profile_for(learner), log.at).end
        marks_now["buried_until"] = end.isoformat()
    elif log.action in ("suspend", "unsuspend"):
        marks_now["suspended"] = log.action == "suspend"
    else:
        marks_now["flag"] = log.flag
    return marks_now


def assert_marks_replay_their_log(learner, card) -> None:
    logs = list(MarkLog.objects.filter(learner=learner, card=card).order_by("id"))
    expected = None
    for log in logs:
        assert log.before == expected, (log.action, log.before, expected)
        expected = after(expected, log, learner)
    found = CardMark.objects.filter(learner=learner, card=card).first()
    if expected is None:
        assert found is None
    else:
        assert marks._snapshot(found) == expected


def test_marks_grades_and_undos_racing_keep_every_log_true(learner, no_fuzz):
    cards = make_cards(2)
    profile = profile_for(learner)
    rng = random.Random(12)
    moment = NOW
    for _round in range(20):
        moment += timedelta(minutes=rng.randint(1, 300))
        card = rng.choice(cards)
        state = CardState.objects.filter(learner=learner, card=card).first()
        token = token_for(learner, card, state)
        action = rng.choice(["bury", "suspend", "unsuspend", "flag"])
        errors = race(
            lambda c=card, at=moment, a=action: marks.change(
                learner, profile, c.pk, a, at, rng.randint(0, 4)
            ),
            lambda c=card, at=moment, a=action: marks.change(
                learner, profile, c.pk, a, at + timedelta(seconds=1), rng.randint(0, 4)
            ),
            lambda: marks.undo_newest(learner),
            lambda c=card, at=moment, t=token: grade(learner, profile, c.pk, t, 3, at),
        )
        for error in errors:
            # Refused with a message, changing nothing: a grade whose shown state the
            # other moved on, an undo of a card a quiz rescheduled.
            assert error is None or isinstance(error, GradeError), error
        for each in cards:
            assert_marks_replay_their_log(learner, each)
        assert_state_replays_its_log(learner)
