"""Data for the backup round trip, made in a server process of its own (test_backup.py
runs these through `manage.py shell`), as a school's database would hold it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.http import QueryDict

from studyapp.accounts.models import Profile, profile_for
from studyapp.formats import gift
from studyapp.quizzes import attempts
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Quiz
from studyapp.study.models import CardState
from studyapp.study.reviewer import Today, grade, next_card, token_for, undo_last
from tests.conftest import make_cards

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def study_one(learner: User, rating: int, now: datetime) -> None:
    profile = profile_for(learner)
    card, state = next_card(learner, profile, Today.of(learner, profile, now), now)
    grade(learner, profile, card.pk, token_for(learner, card, state), rating, now, 2500)


def populate() -> None:
    make_cards(6, slug="regions", title="Regions")
    teacher = User.objects.create_user("ines", "ines@example.org", "ines-pw-123")
    Profile.objects.create(user=teacher, role=Profile.Role.INSTRUCTOR)
    quiz = save_quiz(
        gift.parse("::TF::AZs are inside Regions. {T}\n\n::Q2::An edge location is an AZ. {F}\n"),
        title="Zones",
        owner=teacher,
    ).quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST)
    quiz.refresh_from_db()
    for n, name in enumerate(("lena", "omar")):
        learner = User.objects.create_user(name, f"{name}@example.org", f"{name}-pw-123")
        Profile.objects.create(user=learner, time_zone="Europe/Berlin")
        moment = NOW + timedelta(hours=n)
        for rating in (3, 1, 4, 3, 2):
            study_one(learner, rating, moment)
            moment += timedelta(minutes=11)
        undo_last(learner)
        attempt = attempts.start(learner, quiz, moment, random.Random(n))
        slot = next(s for s in attempts.slots(attempt) if s.question.title == "TF")
        attempts.answer(attempt, slot, QueryDict("answer=false"), moment)  # missed: a card
        attempts.finish(attempt, moment + timedelta(minutes=3))


def study_on() -> None:
    """Studying goes on after a restore: a grade, an undo and a grade again."""
    learner = User.objects.get(username="lena")
    before = CardState.objects.filter(learner=learner).count()
    later = NOW + timedelta(days=3)
    study_one(learner, 3, later)
    undo_last(learner)
    study_one(learner, 4, later)
    assert CardState.objects.filter(learner=learner).count() >= before
    print("studied on")
