"""Personas shared by every test: two learners, an instructor with a co-teacher of the
same course, and an instructor of no course of theirs."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import User

from studyapp.accounts.models import Profile
from studyapp.courses.models import SHIPPED_COURSE, Card, Course, Teaching, Topic, shipped_course
from studyapp.study.models import CardState

# The course make_cards and import_notes put content in unless told another.
COURSE = SHIPPED_COURSE["slug"]


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
        scheduling,
        "_scheduler",
        lambda retention, fuzz, parameters=None: original(retention, False, parameters),
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
def co_teacher(db) -> User:
    """An instructor who teaches the same course as `instructor` (see `taught_course`)."""
    return _person("cora", Profile.Role.INSTRUCTOR)


@pytest.fixture
def taught_course(instructor, co_teacher) -> Course:
    """The shipped course, taught by `instructor` and `co_teacher` (not `other_instructor`)."""
    course = shipped_course()
    for person in (instructor, co_teacher):
        Teaching.objects.get_or_create(course=course, instructor=person)
    return course


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def make_cards(
    n: int, slug: str = "t", order: int = 0, title: str | None = None, course: Course | None = None
) -> list[Card]:
    """Create a topic with n basic cards, "Front i" / "Back i", in line order, in the
    course given or the shipped (public) one."""
    course = course or shipped_course()
    topic = Topic.objects.create(course=course, slug=slug, title=title or slug.upper(), order=order)
    return Card.objects.bulk_create(
        Card(
            course=course,
            topic=topic,
            kind="basic",
            front_html=f"Front {i}",
            back_html=f"Back {i}",
            key=f"{slug}{i}",
            line=i,
        )
        for i in range(n)
    )


def missed_card(learner: User, course: Course, topic: Topic | None = None, key="miss") -> Card:
    """A card of the learner's own, as a quiz question they missed makes one."""
    return Card.objects.create(
        course=course,
        topic=topic,
        kind=Card.Kind.FROM_QUIZ,
        learner=learner,
        key=key,
        front_html="Missed?",
        back_html="The answer",
    )


def remember(learner: User, card: Card, due: datetime, **fields: object) -> CardState:
    """Give a learner a review-phase memory of a card, due at `due`."""
    values = {"phase": 2, "stability": 5.0, "difficulty": 5.0, "reps": 3, **fields}
    return CardState.objects.create(
        learner=learner, card=card, topic_id=card.topic_id, due=due, **values
    )


def mid_study_day(user: User) -> None:
    """Start the user's study day 12 hours from now, so that a learning card due in
    minutes counts for today whatever the time the test runs (a card due after the day
    ends is tomorrow's, as in Anki)."""
    from django.utils import timezone

    from studyapp.accounts.models import profile_for

    profile = profile_for(user)
    profile.day_start_hour = (timezone.now().astimezone(profile.zone).hour + 12) % 24
    profile.save()
