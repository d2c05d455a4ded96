"""Studying: which card comes next, grading it exactly once, and undoing the last grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When

from studyapp import scheduling
from studyapp.models import Card, CardState, Profile, ReviewLog, StudyDay, Topic
from studyapp.scheduling import Memory, Phase, Rating

# When nothing else is due, learning cards due this soon are shown early, as Anki does,
# rather than making the learner wait a minute for a learning step.
LEARN_AHEAD = timedelta(minutes=20)


class GradeError(Exception):
    """A grade that cannot be recorded; the message says why, for the learner."""


def profile_for(user: AbstractBaseUser) -> Profile:
    """Return the user's profile, creating a default one the first time."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        return Profile.objects.get_or_create(user=user)[0]


def memory_of(state: CardState | None) -> Memory | None:
    if state is None:
        return None
    return Memory(
        Phase(state.phase),
        state.step,
        state.stability,
        state.difficulty,
        state.due,
        state.last_review,
    )


def _snapshot(state: CardState) -> dict:
    return {
        "phase": state.phase,
        "step": state.step,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "due": state.due.isoformat(),
        "last_review": state.last_review.isoformat() if state.last_review else None,
        "reps": state.reps,
    }


def _restore(state: CardState, snapshot: dict) -> None:
    state.phase, state.step = snapshot["phase"], snapshot["step"]
    state.stability, state.difficulty = snapshot["stability"], snapshot["difficulty"]
    state.due = datetime.fromisoformat(snapshot["due"])
    last = snapshot["last_review"]
    state.last_review = datetime.fromisoformat(last) if last else None
    state.reps = snapshot["reps"]


def _apply(state: CardState, memory: Memory) -> None:
    state.phase, state.step = int(memory.phase), memory.step
    state.stability, state.difficulty = memory.stability, memory.difficulty
    state.due, state.last_review = memory.due, memory.last_review


@dataclass
class Today:
    """The learner's current study day and what is left of its limits."""

    day: object  # datetime.date
    start: datetime
    end: datetime
    counts: StudyDay

    @classmethod
    def of(cls, learner: AbstractBaseUser, profile: Profile, now: datetime) -> Today:
        day = scheduling.study_day(now, profile.zone, profile.day_start_hour)
        start, end = scheduling.day_bounds(day, profile.zone, profile.day_start_hour)
        counts = StudyDay.objects.filter(learner=learner, day=day).first()
        return cls(day, start, end, counts or StudyDay(learner=learner, day=day))


def next_card(
    learner: AbstractBaseUser,
    profile: Profile,
    today: Today,
    now: datetime,
    topic: Topic | None = None,
) -> tuple[Card | None, CardState | None]:
    """Return the card to study now and its state: due learning cards first, then due
    reviews within today's limit, then new cards within today's limit, and last the
    learning cards due within LEARN_AHEAD."""
    learning = Q(phase__in=[Phase.LEARNING, Phase.RELEARNING], due__lte=now + LEARN_AHEAD)
    wanted = learning
    if profile.reviews_per_day > today.counts.review_cards:
        wanted |= Q(phase=Phase.REVIEW, due__lt=today.end)
    states = CardState.objects.filter(wanted, learner=learner, card__retired_at__isnull=True)
    cards = Card.objects.active()
    if topic is not None:
        states = states.filter(card__topic=topic)
        cards = cards.filter(topic=topic)
    # One query ranks what is due: learning due now (0), reviews (1), learning ahead (2).
    due = (
        states.annotate(
            rank=Case(
                When(phase=Phase.REVIEW, then=Value(1)),
                When(due__lte=now, then=Value(0)),
                default=Value(2),
            )
        )
        .select_related("card__topic")
        .order_by("rank", "due", "id")
        .first()
    )
    if due is not None and due.rank < 2:
        return due.card, due
    if profile.new_per_day > today.counts.new_cards:
        new = (
            cards.exclude(states__learner=learner)
            .select_related("topic")
            .order_by("topic__order", "topic__title", "lesson__source", "line", "id")
            .first()
        )
        if new is not None:
            return new, None
    return (due.card, due) if due is not None else (None, None)


def _signer(learner: AbstractBaseUser) -> signing.Signer:
    return signing.Signer(salt=f"studyapp.review.{learner.pk}")


def token_for(learner: AbstractBaseUser, card: Card, state: CardState | None) -> str:
    """Return the one-time token that a shown card carries to its grade."""
    return _signer(learner).sign(f"{card.pk}:{state.reps if state else 0}")


def _seq_from(learner: AbstractBaseUser, card_id: int, token: str) -> int:
    try:
        card_pk, seq = _signer(learner).unsign(token).split(":")
        if int(card_pk) != card_id:
            raise ValueError
        return int(seq)
    except (signing.BadSignature, ValueError):
        raise GradeError("This card was not shown to you; reload the page.") from None


def grade(
    learner: AbstractBaseUser,
    profile: Profile,
    card_id: int,
    token: str,
    rating: int,
    now: datetime,
    duration_ms: int | None = None,
) -> ReviewLog:
    """Record one review of a shown card, exactly once, and reschedule the card.

    Raises GradeError for a bad rating or token, and Card.DoesNotExist for a card that is
    not (or no longer) in the course.
    """
    if rating not in {r.value for r in Rating}:
        raise GradeError("Grade with 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    seq = _seq_from(learner, card_id, token)
    day = scheduling.study_day(now, profile.zone, profile.day_start_hour)
    day_start, _ = scheduling.day_bounds(day, profile.zone, profile.day_start_hour)
    try:
        with transaction.atomic():
            state = (
                CardState.objects.select_for_update(of=("self",))
                .select_related("card")
                .filter(learner=learner, card_id=card_id, card__retired_at__isnull=True)
                .first()
            )
            card = state.card if state else Card.objects.active().get(pk=card_id)
            if seq != (state.reps if state else 0):
                raise GradeError("This card was already graded.")
            was_review = state is not None and state.phase == Phase.REVIEW
            # True retention counts each review card once a day, at its first review.
            first_today = was_review and (
                state.last_review is None or state.last_review < day_start
            )
            log = ReviewLog.objects.create(
                learner=learner,
                card=card,
                seq=seq,
                rating=rating,
                reviewed_at=now,
                duration_ms=duration_ms,
                day=day,
                state_before=_snapshot(state) if state else None,
                counts_for_retention=first_today,
            )
            memory = scheduling.review(
                memory_of(state), Rating(rating), now, profile.desired_retention
            )
            if state is None:
                state = CardState(learner=learner, card=card)
            _apply(state, memory)
            state.reps = seq + 1
            state.save()
            _count(learner, log, +1)
    except IntegrityError:
        # Another request recorded this same shown card first (the unique seq).
        raise GradeError("This card was already graded.") from None
    return log


def undo_last(learner: AbstractBaseUser) -> ReviewLog | None:
    """Undo the learner's newest review: restore the card exactly as it was before it."""
    with transaction.atomic():
        log = ReviewLog.objects.select_for_update().filter(learner=learner).order_by("-id").first()
        if log is None:
            return None
        state = CardState.objects.select_for_update().get(learner=learner, card=log.card_id)
        if log.state_before is None:
            state.delete()
        else:
            _restore(state, log.state_before)
            state.save()
        _count(learner, log, -1)
        log.delete()
    return log


def _count(learner: AbstractBaseUser, log: ReviewLog, sign: int) -> None:
    """Add (or, for an undo, take away) one review to the learner's counts for its day."""
    before = log.state_before
    passed = log.rating != Rating.AGAIN
    deltas = {
        "reviews": 1,
        "new_cards": before is None,
        "review_cards": before is not None and before["phase"] == Phase.REVIEW,
        "correct": passed,
        "retention_total": log.counts_for_retention,
        "retention_passed": log.counts_for_retention and passed,
    }
    changes = {field: F(field) + sign * int(n) for field, n in deltas.items() if n}
    updated = StudyDay.objects.filter(learner=learner, day=log.day).update(**changes)
    if not updated and sign > 0:
        StudyDay.objects.create(
            learner=learner, day=log.day, **{f: int(n) for f, n in deltas.items()}
        )
