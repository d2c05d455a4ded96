"""Marking essays: the instructor gives a mark and a comment; the attempt's score is
totalled again. Until every essay of an attempt is marked, its score is "awaiting
marking", not a low number."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum

from studyapp.quizzes.models import Attempt, Quiz, Response


def essays_to_mark(quiz: Quiz) -> QuerySet[Response]:
    """The essays of the quiz's finished attempts that wait for a mark, oldest first."""
    return (
        Response.objects.filter(
            question__quiz=quiz,
            question__type="essay",
            fraction__isnull=True,
            attempt__finished_at__isnull=False,
        )
        .select_related("attempt__learner", "question")
        .order_by("answered_at", "pk")
    )


def with_pending_marks(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """Annotate each attempt with whether an essay of it still waits for a mark."""
    waiting = Response.objects.filter(attempt=OuterRef("pk"), fraction__isnull=True)
    return attempts.annotate(awaiting_marking=Exists(waiting))


def mark_essay(
    response: Response, fraction: float, comment: str, by: AbstractBaseUser, now: datetime
) -> Attempt:
    """Give an essay its mark (0 to 1) and comment, and total its attempt again, under the
    attempt's lock as every change to an attempt's answers is (see attempts._lock)."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=response.attempt_id)
        response.fraction, response.comment = fraction, comment
        response.marked_by, response.marked_at = by, now
        response.save(update_fields=["fraction", "comment", "marked_by", "marked_at"])
        if attempt.finished_at is not None:
            total = attempt.responses.aggregate(total=Sum("fraction"))["total"] or 0.0
            attempt.score = total
            attempt.save(update_fields=["score"])
    return attempt
