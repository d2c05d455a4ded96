"""Joining and leaving a class."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from studyapp.classes.models import Classroom, Membership, new_join_code, normalize_code


class JoinError(Exception):
    """A code that lets nobody in; the message says why, for the person who typed it."""


def class_for_code(typed: str) -> Classroom:
    """Return the class a typed join code names, or raise JoinError saying why not."""
    code = normalize_code(typed)
    found = Classroom.objects.filter(join_code=code).first() if code else None
    if found is None:
        raise JoinError(f"No class has the code “{typed.strip()}”; check it with your teacher.")
    if not found.joining_open:
        raise JoinError(f"“{found.name}” is not taking new learners now; ask your teacher.")
    return found


def join(learner: AbstractBaseUser, typed: str) -> Classroom:
    """Put the learner in the class of the code (joining twice changes nothing)."""
    classroom = class_for_code(typed)
    try:
        with transaction.atomic():
            Membership.objects.get_or_create(classroom=classroom, learner=learner)
    except IntegrityError:
        pass  # a second request joined them a moment ago
    return classroom


def new_code(classroom: Classroom) -> str:
    """Give the class a new join code (the old one stops working), unique among classes."""
    while True:
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            Classroom.objects.filter(pk=classroom.pk).update(join_code=code)
            classroom.join_code = code
            return code
