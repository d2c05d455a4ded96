"""Personas shared by every test: two learners and two instructors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from studyapp.models import Profile


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
