"""The scheduling module: FSRS through one door, intervals, and study-day boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import fsrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from studyapp.study import scheduling
from studyapp.study.scheduling import Rating

NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)


def test_a_new_card_follows_the_learning_steps():
    intervals = scheduling.preview(None, NOW)
    assert intervals[Rating.AGAIN] == timedelta(minutes=1)
    assert intervals[Rating.GOOD] == timedelta(minutes=10)
    assert intervals[Rating.EASY] >= timedelta(days=1)


def test_review_matches_fsrs_called_directly():
    direct = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=0, due=NOW)
    memory = None
    moment = NOW
    for rating in [3, 3, 1, 3, 4, 2]:
        card, _ = direct.review_card(card, fsrs.Rating(rating), moment)
        memory = scheduling._from_fsrs(
            scheduling._scheduler(0.9, False).review_card(
                scheduling._to_fsrs(memory, moment), fsrs.Rating(rating), moment
            )[0]
        )
        assert (memory.stability, memory.difficulty, memory.due) == (
            card.stability,
            card.difficulty,
            card.due,
        )
        moment = card.due


def test_higher_retention_gives_shorter_intervals():
    memory = scheduling.review(None, Rating.EASY, NOW)
    later = memory.due
    low = scheduling.preview(memory, later, desired_retention=0.70)[Rating.GOOD]
    high = scheduling.preview(memory, later, desired_retention=0.97)[Rating.GOOD]
    assert high < low


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (timedelta(seconds=20), "1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=61), "2mo"),
        (timedelta(days=365), "1y"),
        (timedelta(days=548), "1.5y"),
    ],
)
def test_intervals_read_like_anki(interval, text):
    assert scheduling.format_interval(interval) == text


NY, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (NY, date(2024, 3, 9), 23),  # clocks go forward on the 10th at 2 AM
        (NY, date(2024, 11, 2), 25),  # back on 3 November
        (BERLIN, date(2024, 3, 30), 23),
        (BERLIN, date(2024, 10, 26), 25),
        (NY, date(2024, 6, 1), 24),
    ],
)
def test_study_days_are_23_or_25_hours_across_dst(zone, day, hours):
    start, end = scheduling.day_bounds(day, zone, 4)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(zone).hour == 4


@pytest.mark.parametrize("zone", [NY, BERLIN])
@pytest.mark.parametrize("start_hour", [0, 2, 4, 23])
def test_every_moment_of_a_dst_year_falls_in_exactly_one_study_day(zone, start_hour):
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    seen = set()
    while moment < datetime(2025, 1, 1, tzinfo=UTC):
        day = scheduling.study_day(moment, zone, start_hour)
        start, end = scheduling.day_bounds(day, zone, start_hour)
        assert start <= moment < end, (moment, day)
        seen.add(day)
        moment += timedelta(minutes=30)
    days = sorted(seen)
    assert all(b - a == timedelta(days=1) for a, b in pairwise(days))


def test_a_review_before_the_day_start_hour_counts_for_the_day_before():
    late = datetime(2024, 5, 2, 1, 30, tzinfo=BERLIN)
    assert scheduling.study_day(late, BERLIN, 4) == date(2024, 5, 1)
    assert scheduling.study_day(late, BERLIN, 0) == date(2024, 5, 2)


@settings(max_examples=500)
@given(
    stability=st.floats(min_value=0.01, max_value=3650),
    # Mostly near the edge, where 30 days ahead is about the stability, and anywhere.
    days_ago=st.one_of(st.floats(min_value=-2, max_value=2), st.floats(min_value=0, max_value=400)),
    near_the_edge=st.booleans(),
    decay=st.sampled_from([None, 0.1, 0.5, 0.8]),
)
def test_mastered_is_fsrs_recall_of_90_percent_30_days_ahead_for_any_parameters(
    stability, days_ago, near_the_edge, decay
):
    """The closed form scheduling.mastered uses (and the reports count in SQL) agrees
    with fsrs's own forgetting curve, whatever the learner's fitted decay."""
    parameters = list(scheduling.default_parameters())
    if decay is not None:
        parameters[20] = decay
    if near_the_edge:
        days_ago += stability - scheduling.MASTERED_AHEAD.days
    assume(days_ago >= 0)
    last = NOW - timedelta(days=days_ago)
    memory = scheduling.Memory(scheduling.Phase.REVIEW, None, stability, 5.0, NOW, last)
    recall = scheduling.retrievability(
        memory, NOW + scheduling.MASTERED_AHEAD, parameters=tuple(parameters)
    )
    assume(abs(recall - 0.9) > 1e-9)  # a tie, that rounding may put either side
    assert scheduling.mastered(memory, NOW) == (recall >= 0.9)


@pytest.mark.django_db
def test_the_sql_for_mastered_counts_what_mastered_says(learner):
    import random

    from studyapp import sql
    from studyapp.study.models import CardState
    from tests.conftest import make_cards, remember

    rng = random.Random(30)
    for card in make_cards(80, slug="edge"):
        stability = rng.uniform(0.5, 90)
        days_ago = max(0.0, stability - 30 + rng.uniform(-2, 2))  # about the edge
        remember(
            learner, card, NOW, stability=stability, last_review=NOW - timedelta(days=days_ago)
        )
    states = list(CardState.objects.filter(learner=learner))
    expected = sum(
        scheduling.mastered(
            scheduling.Memory(s.phase, None, s.stability, 5.0, s.due, s.last_review), NOW
        )
        for s in states
    )
    mastered = scheduling.mastered_sql("s.stability", sql.whole_days("%s", "s.last_review"))
    [(counted,)] = sql.rows(
        f"SELECT COUNT(*) FROM {sql.table(CardState)} s WHERE {mastered}", [NOW]
    )
    assert 10 < expected < 70  # both sides of the edge
    assert counted == expected
