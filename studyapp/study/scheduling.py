"""Spaced repetition: the only module that talks to FSRS (FSRS-6): the ``fsrs`` package
to schedule, ``fsrs-rs-python`` to fit a learner's own parameters.

Plain data in, plain data out: a Memory is one learner's FSRS state for one card. fsrs
wants timezone-aware UTC datetimes, so every datetime is converted on the way in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from functools import cache
from zoneinfo import ZoneInfo

import fsrs
import fsrs_rs_python

LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
DEFAULT_RETENTION = 0.90
MIN_RETENTION, MAX_RETENTION = 0.70, 0.97


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Phase(IntEnum):
    """fsrs's card states (a card never reviewed has no Memory at all)."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class Memory:
    phase: Phase
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


Parameters = tuple[float, ...] | None  # a learner's fitted FSRS parameters; None: defaults


@cache
def _scheduler(
    desired_retention: float, fuzz: bool, parameters: Parameters = None
) -> fsrs.Scheduler:
    extra = {"parameters": parameters} if parameters else {}
    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        enable_fuzzing=fuzz,
        **extra,
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _to_fsrs(memory: Memory | None, now: datetime) -> fsrs.Card:
    if memory is None:
        return fsrs.Card(card_id=0, due=now)
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(memory.phase),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=_utc(memory.due),
        last_review=_utc(memory.last_review) if memory.last_review else None,
    )


def _from_fsrs(card: fsrs.Card) -> Memory:
    return Memory(
        phase=Phase(card.state.value),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def review(
    memory: Memory | None,
    rating: Rating,
    now: datetime,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: Parameters = None,
) -> Memory:
    """Return the memory after a review (None for a card never reviewed before)."""
    now = _utc(now)
    card, _log = _scheduler(desired_retention, True, parameters).review_card(
        _to_fsrs(memory, now), fsrs.Rating(int(rating)), now
    )
    return _from_fsrs(card)


def preview(
    memory: Memory | None,
    now: datetime,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: Parameters = None,
) -> dict[Rating, timedelta]:
    """Return the interval each rating would give, without fuzz (what the buttons show)."""
    now = _utc(now)
    scheduler = _scheduler(desired_retention, False, parameters)
    card = _to_fsrs(memory, now)
    return {
        rating: scheduler.review_card(card, fsrs.Rating(int(rating)), now)[0].due - now
        for rating in Rating
    }


def retrievability(
    memory: Memory,
    now: datetime,
    desired_retention: float = DEFAULT_RETENTION,
    parameters: Parameters = None,
) -> float:
    """Return the predicted probability of recalling the card now."""
    return _scheduler(desired_retention, False, parameters).get_card_retrievability(
        _to_fsrs(memory, _utc(now)), _utc(now)
    )


# "Mastered": recall that FSRS predicts at 90% or more MASTERED_AHEAD from now. Not the
# recall now, which reads 100% right after a first look; close to Anki's "mature"
# (stability of 21 days or more), since FSRS's stability is the time until recall falls
# to 90%.
MASTERED_AHEAD = timedelta(days=30)


# FSRS's forgetting curve falls to 90% exactly `stability` days after a review, whatever
# its parameters (its factor is chosen so that it does), so "recall of 90% or more in 30
# days" needs no curve at all: the days elapsed by then are at most the stability. The
# reports count it over thousands of cards in SQL, where that is one comparison.
# tests/study/test_scheduling.py checks it against fsrs's own retrievability.


def mastered(memory: Memory, now: datetime, parameters: Parameters = None) -> bool:
    """Whether the card counts as mastered (see MASTERED_AHEAD); parameters: unused, as
    the comment above says, and kept so callers say whose card it is."""
    if memory.last_review is None or not memory.stability:
        return False
    elapsed = max(0, (now + MASTERED_AHEAD - memory.last_review).days)
    return elapsed <= memory.stability


def mastered_sql(stability: str, elapsed_days: str) -> str:
    """SQL for mastered() from a stability column and an expression of the whole days
    elapsed since the last review (NULL when never reviewed: not mastered)."""
    # mastered() floors the days at 0, which a positive stability always exceeds: the
    # floor changes nothing here, and the elapsed days are worked out once per row.
    return f"({stability} > 0 AND {stability} >= {elapsed_days} + {MASTERED_AHEAD.days})"


def format_interval(interval: timedelta) -> str:
    """Return an interval as a button shows it: "1m", "10m", "3h", "4d", "2mo", "1.5y"."""
    minutes = max(1, math.ceil(interval.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{round(minutes / 60)}h"
    days = round(minutes / (24 * 60))
    if days < 31:
        return f"{days}d"
    if days < 365:
        return f"{round(days / 30.4)}mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def study_day(now: datetime, zone: ZoneInfo, start_hour: int) -> date:
    """Return the learner's study day at this moment: the day starts at start_hour, locally."""
    local = now.astimezone(zone)
    return local.date() if local.hour >= start_hour else local.date() - timedelta(days=1)


def day_bounds(day: date, zone: ZoneInfo, start_hour: int) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a study day; 23 or 25 hours long across DST."""
    start = datetime.combine(day, time(start_hour), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(start_hour), tzinfo=zone)
    return _utc(start), _utc(end)


# Fitting a learner's own parameters ----------------------------------------------------
# With fsrs-rs-python, the Rust optimizer (no torch). As Anki does: each card's reviews by
# study day, one training item per review on a later day than the one before.

UTC_ZONE = ZoneInfo("UTC")
MIN_REVIEWS_TO_FIT = 400  # Anki asks for about as many before it optimizes
HELD_BACK = 0.2  # the newest share of the items, kept out of the fit to judge it


@dataclass(frozen=True)
class Fit:
    """Parameters fitted to a history, judged on its newest reviews, held back from the
    fit: the log loss of the default parameters and of the fitted ones there (lower is a
    better prediction of the learner's recall)."""

    parameters: tuple[float, ...]
    log_loss_default: float
    log_loss_fitted: float
    trained_on: int  # training items (reviews that follow an earlier day's)
    judged_on: int  # held-back items
    log_loss_current: float | None = None  # of the learner's own parameters, if any


class NotEnoughReviews(ValueError):
    """Too short a history to fit parameters to; the message says how short."""


def default_parameters() -> tuple[float, ...]:
    return tuple(fsrs.Scheduler().parameters)


def training_sequences(
    reviews: Sequence[tuple[object, datetime, int]], zone: ZoneInfo, day_start_hour: int
) -> list[tuple[date, list[tuple[int, int]]]]:
    """Training items from (card, reviewed at, rating) rows, oldest first: for each review
    on a later study day than the card's review before it, the card's reviews up to it as
    (rating, days since the review before). Same-day reviews stay in the sequences but are
    no item of their own: FSRS predicts recall after a day or more."""
    by_card: dict[object, list[tuple[datetime, int]]] = {}
    for card, at, rating in reviews:
        by_card.setdefault(card, []).append((at, int(rating)))
    items = []
    for history in by_card.values():
        history.sort()
        done: list[tuple[int, int]] = []
        last = None
        for at, rating in history:
            day = study_day(at, zone, day_start_hour)
            elapsed = (day - last).days if last else 0
            done.append((rating, elapsed))
            last = day
            if elapsed > 0:
                items.append((day, list(done)))
    items.sort(key=lambda pair: pair[0])
    return items


# fsrs-rs's default is 5 epochs. On a personal history of a few thousand items, 10 beat
# the default parameters on held-back reviews at every split tried (70% to 90%), 5 only at
# some (bench/optimize.py); the fit still takes well under a second per 10,000 reviews.
_TRAINING = {"num_epochs": 10}


def fit_parameters(
    reviews: Sequence[tuple[object, datetime, int]],
    zone: ZoneInfo = UTC_ZONE,
    day_start_hour: int = 4,
    current: Parameters = None,
) -> Fit:
    """Fit FSRS's parameters to one learner's history of (card, reviewed at, rating);
    raise NotEnoughReviews below MIN_REVIEWS_TO_FIT. Slow (seconds): never in a request."""
    if len(reviews) < MIN_REVIEWS_TO_FIT:
        raise NotEnoughReviews(
            f"{len(reviews)} reviews so far; fitting needs {MIN_REVIEWS_TO_FIT} or more."
        )
    items = [
        fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(r, t) for r, t in sequence])
        for _, sequence in training_sequences(reviews, zone, day_start_hour)
    ]
    cut = int(len(items) * (1 - HELD_BACK))
    train, judge = items[:cut], items[cut:]
    if not train or not judge:
        raise NotEnoughReviews("Too few reviews on different days to fit parameters to.")
    defaults = list(default_parameters())
    config = fsrs_rs_python.TrainingConfig(**_TRAINING)
    fitted = fsrs_rs_python.FSRS(defaults).compute_parameters(train, training_config=config)
    return Fit(
        parameters=tuple(fitted),
        log_loss_default=fsrs_rs_python.FSRS(defaults).evaluate(judge).log_loss,
        log_loss_fitted=fsrs_rs_python.FSRS(fitted).evaluate(judge).log_loss,
        trained_on=len(train),
        judged_on=len(judge),
        log_loss_current=(
            fsrs_rs_python.FSRS(list(current)).evaluate(judge).log_loss if current else None
        ),
    )


# The retention to ask for -------------------------------------------------------------
# As Anki's "compute minimum recommended retention": fsrs-rs simulates a year of the
# learner's study at each desired retention, with their parameters, the way they grade
# and the time they take per answer, and finds the retention that spends the least time
# per card remembered at the end. Below it, time goes to relearning what was forgotten.

SIMULATED_DAYS = 365
COMPARED_RETENTIONS = (0.70, 0.80, 0.85, 0.90, 0.95)
_SEED = 2024  # the simulation draws its grades at random: the same history, the same advice


@dataclass(frozen=True)
class Workload:
    """A simulated year at one desired retention."""

    retention: float
    hours: float  # time spent answering, over the year
    remembered: int  # cards remembered at the year's end


@dataclass(frozen=True)
class RetentionAdvice:
    suggested: float
    workloads: tuple[Workload, ...]  # at COMPARED_RETENTIONS, for the learner to compare


def simulator_config(
    reviews: Sequence[tuple[object, datetime, int, int | None]],
    new_per_day: int,
    reviews_per_day: int,
) -> fsrs_rs_python.SimulatorConfig:
    """fsrs-rs's simulator set to a learner's history of (card, reviewed at, rating,
    duration in ms), oldest first: as many cards as they have studied, their daily limits,
    how often they give each grade to a new card and to a card they remember, and the
    median seconds each grade takes them; fsrs-rs's defaults where the history is silent."""
    config = fsrs_rs_python.default_simulator_config()
    first: dict[int, list[float]] = {rating: [] for rating in Rating}
    later: dict[int, list[float]] = {rating: [] for rating in Rating}
    seen: set[object] = set()
    for card, _, rating, duration_ms in reviews:
        times = (later if card in seen else first)[int(rating)]
        seen.add(card)
        times.append(duration_ms / 1000 if duration_ms else math.nan)
    config.deck_size = max(len(seen), 1)
    config.learn_span = SIMULATED_DAYS
    # A limit of 0 (a pause) would simulate a year of nothing: the advice is for studying.
    config.learn_limit, config.review_limit = max(new_per_day, 1), max(reviews_per_day, 1)
    if sum(map(len, first.values())):
        config.first_rating_prob = _shares([len(first[r]) for r in Rating])
    if sum(len(later[r]) for r in (Rating.HARD, Rating.GOOD, Rating.EASY)):
        config.review_rating_prob = _shares(
            [len(later[r]) for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]
        )
    # Rows: learning, review, relearning; columns: Again, Hard, Good, Easy (seconds).
    learning, review_row, relearning = config.state_rating_costs
    config.state_rating_costs = [
        [_median_or(first[r], learning[r - 1]) for r in Rating],
        [_median_or(later[r], review_row[r - 1]) for r in Rating],
        [_median_or(later[r], relearning[r - 1]) for r in Rating],
    ]
    return config


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [n / total for n in counts]


def _median_or(seconds: list[float], default: float) -> float:
    known = sorted(s for s in seconds if not math.isnan(s))
    return known[len(known) // 2] if known else default


def retention_advice(
    reviews: Sequence[tuple[object, datetime, int, int | None]],
    parameters: Parameters,
    new_per_day: int,
    reviews_per_day: int,
) -> RetentionAdvice:
    """The retention at which a simulated year of this learner's study costs the least
    time per card remembered, and the year at each of COMPARED_RETENTIONS. Slow (about a
    second): never in a request."""
    config = simulator_config(reviews, new_per_day, reviews_per_day)
    weights = list(parameters or default_parameters())
    suggested = fsrs_rs_python.optimal_retention(config, weights)
    workloads = []
    for retention in COMPARED_RETENTIONS:
        year = fsrs_rs_python.simulate(weights, retention, config, seed=_SEED)
        workloads.append(
            Workload(
                retention,
                hours=sum(year.cost_per_day) / 3600,
                remembered=round(year.memorized_cnt_per_day[-1]),
            )
        )
    clamped = min(max(suggested, MIN_RETENTION), MAX_RETENTION)
    return RetentionAdvice(round(clamped, 2), tuple(workloads))
