"""Personas shared by every test: two learners and two instructors."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import User

from studyapp.accounts.models import Profile
from studyapp.courses.models import Card, Topic
from studyapp.study.models import CardState


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests that log in or sign up need no such protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_fuzz(monkeypatch):
    """Schedule without fuzz, so that a review log can be replayed to the very second."""
    from studyapp.study import scheduling

    original = scheduling._scheduler
    monkeypatch.setattr(
        scheduling, "_scheduler", lambda retention, fuzz: original(retention, False)
    )


def _person(username: str, role: str) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-pw-123")
    Profile.objects.create(user=user, role=role)
    return user


@pytest.fixture
def learner(db) -> User:
    return _person("lena", Profile.Role.LEARNER)


@pytest.fixture
def other_learner(db) -> User:
    return _person("omar", Profile.Role.LEARNER)


@pytest.fixture
def instructor(db) -> User:
    return _person("ines", Profile.Role.INSTRUCTOR)


@pytest.fixture
def other_instructor(db) -> User:
    return _person("oscar", Profile.Role.INSTRUCTOR)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def make_cards(n: int, slug: str = "t", order: int = 0, title: str | None = None) -> list[Card]:
    """Create a topic with n basic cards, "Front i" / "Back i", in line order."""
    topic = Topic.objects.create(slug=slug, title=title or slug.upper(), order=order)
    return Card.objects.bulk_create(
        Card(
            topic=topic,
            kind="basic",
            front_html=f"Front {i}",
            back_html=f"Back {i}",
            key=f"{slug}{i}",
            line=i,
        )
        for i in range(n)
    )


def remember(learner: User, card: Card, due: datetime, **fields: object) -> CardState:
    """Give a learner a review-phase memory of a card, due at `due`."""
    values = {"phase": 2, "stability": 5.0, "difficulty": 5.0, "reps": 3, **fields}
    return CardState.objects.create(learner=learner, card=card, due=due, **values)
