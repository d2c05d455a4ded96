"""A learner's marks on cards, as Anki's card actions: bury until the next study day,
suspend and unsuspend, flag. Each change is logged, and undo (u) takes back the newest
of a learner's reviews and mark changes, whichever came last.

A mark is the learner's own: it hides a card from their study only (next_card and the
counts leave out what reviewer.unhidden_sql names), never from anyone else's.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from studyapp.accounts.models import Profile
from studyapp.study.models import CardMark, MarkLog, ReviewLog
from studyapp.study.reviewer import Today, active_card, lock_learner, newest_review, undo_last

Action = MarkLog.Action


class MarkError(Exception):
    """A mark that cannot be made; the message says why, for the learner."""


def _snapshot(mark: CardMark | None) -> dict | None:
    if mark is None:
        return None
    until = mark.buried_until
    return {
        "suspended": mark.suspended,
        "buried_until": until.isoformat() if until else None,
        "flag": mark.flag,
    }


def change(
    learner: AbstractBaseUser,
    profile: Profile,
    card_id: int,
    action: str,
    now: datetime,
    flag: int | None = None,
) -> MarkLog:
    """Bury, suspend, unsuspend or flag one of the learner's cards, and log it for undo.

    Raises Card.DoesNotExist for a card the learner may not study (a 404, as for a
    missing one) and MarkError for an action or flag that does not exist."""
    if action not in Action.values:
        raise MarkError("That is not something a card can be marked with.")
    if action == Action.FLAG and flag not in CardMark.Flag.values:
        raise MarkError("Choose one of the flags: red, orange, green, blue, or none.")
    with transaction.atomic():
        lock_learner(learner)  # ordered with grades and undo, which also take it
        card = active_card(learner, card_id)
        mark = CardMark.objects.filter(learner=learner, card=card).first()
        log = MarkLog(learner=learner, card=card, action=action, at=now, before=_snapshot(mark))
        log.flag = flag if action == Action.FLAG else None
        mark = mark or CardMark(learner=learner, card=card)
        if action == Action.BURY:
            mark.buried_until = Today.of(learner, profile, now).end
        elif action == Action.SUSPEND:
            mark.suspended = True
        elif action == Action.UNSUSPEND:
            mark.suspended = False
        else:
            mark.flag = flag
        mark.save()
        log.save()
    return log


def undo_newest(learner: AbstractBaseUser) -> ReviewLog | MarkLog | None:
    """Undo the learner's newest review or mark change, whichever came last; None when
    there is neither. Raises GradeError as undo_last does."""
    with transaction.atomic():
        lock_learner(learner)
        # Newest by id: the order the learner's lock let them in, which is the order
        # each change saw the one before. Between the two logs, by their times.
        mark = MarkLog.objects.filter(learner=learner).order_by("-id").first()
        review = newest_review(learner)
        if mark is None and review is None:
            return None
        if mark is None or (review is not None and review.reviewed_at > mark.at):
            return undo_last(learner, review)
        before = mark.before
        marks = CardMark.objects.filter(learner=learner, card=mark.card_id)
        if before is None:
            marks.delete()
        else:
            until = before["buried_until"]
            marks.update(
                suspended=before["suspended"],
                buried_until=datetime.fromisoformat(until) if until else None,
                flag=before["flag"],
            )
        mark.delete()
    return mark
