"""Co-teachers: an instructor of a course makes a one-time link; the instructor who
follows it (within a week) becomes another instructor of the course."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from studyapp.courses.models import CoTeacherInvite, Course, Teaching

INVITE_DAYS = 7


class InviteError(Exception):
    """A link that cannot make its follower a co-teacher; the message says why."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_invite(course: Course, by: AbstractBaseUser) -> str:
    """Return the secret of a new one-time co-teacher link to the course."""
    secret = secrets.token_urlsafe(24)
    CoTeacherInvite.objects.create(course=course, created_by=by, secret_hash=_hash(secret))
    return secret


def invited_course(secret: str) -> Course:
    """Return the course a link invites to, or raise InviteError saying why it cannot."""
    invite = CoTeacherInvite.objects.select_related("course").filter(secret_hash=_hash(secret))
    return _check(invite.first()).course


def _check(invite: CoTeacherInvite | None) -> CoTeacherInvite:
    if invite is None:
        raise InviteError("This is not a co-teacher link of this server.")
    if invite.used_at is not None:
        raise InviteError("This co-teacher link has been used already; ask for a new one.")
    if invite.created_at < timezone.now() - timedelta(days=INVITE_DAYS):
        raise InviteError(
            f"This co-teacher link is older than {INVITE_DAYS} days; ask for a new one."
        )
    return invite


def accept_invite(secret: str, instructor: AbstractBaseUser) -> Course:
    """Make the instructor a co-teacher of the link's course and spend the link (once:
    its row is locked, so two people following it at once cannot both get in)."""
    with transaction.atomic():
        locked = CoTeacherInvite.objects.select_for_update(of=("self",))
        found = locked.filter(secret_hash=_hash(secret))
        invite = _check(found.select_related("course").first())
        Teaching.objects.get_or_create(course=invite.course, instructor=instructor)
        invite.used_at, invite.used_by = timezone.now(), instructor
        invite.save(update_fields=["used_at", "used_by"])
    return invite.course
