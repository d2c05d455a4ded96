"""Who may sign up (settings.SIGNUP_POLICY), and the invitation links that let them.

- "open": anyone; an invitation link may still make its holder an instructor.
- "code": only with a class's join code (the learner joins the class as they sign up) or
  an invitation link (`manage.py invite`, or Invite learners under Teach).
- "closed": nobody; accounts come from an administrator (the admin site).

An invitation is a signed token, so it needs no table: it says which role it makes and
until when it holds, and anyone with the link may use it until then (a class shares one).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core import signing

from studyapp.accounts.models import Profile

POLICIES = ("open", "code", "closed")
INVITABLE = (Profile.Role.LEARNER, Profile.Role.INSTRUCTOR)
_SALT = "studyapp.invitation"


class InvitationError(Exception):
    """A link that cannot be used to sign up; the message says why, for the person."""


def _now() -> float:
    return time.time()


def invitation(role: str = Profile.Role.LEARNER, days: int = 14) -> str:
    """Return a token that lets its holder sign up with this role for this many days."""
    if role not in INVITABLE:
        raise ValueError(f"an invitation makes a learner or an instructor, not {role!r}")
    return signing.dumps({"role": role, "until": int(_now() + days * 86400)}, salt=_SALT)


def read_invitation(token: str) -> str:
    """Return the role an invitation makes, or raise InvitationError saying why not."""
    try:
        data = signing.loads(token, salt=_SALT)
        role, until = data["role"], float(data["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationError("That link is not a valid invitation; ask for a new one.") from None
    if role not in INVITABLE:
        raise InvitationError("That link is not a valid invitation; ask for a new one.")
    if until < _now():
        day = datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d")
        raise InvitationError(f"That invitation expired on {day}; ask for a new one.")
    return role


def until(token: str) -> datetime:
    """Return when a valid invitation stops working."""
    return datetime.fromtimestamp(float(signing.loads(token, salt=_SALT)["until"]), UTC)
