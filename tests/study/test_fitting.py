"""Fitting FSRS's parameters to a learner's own history (scheduling.fit_parameters)."""

from __future__ import annotations

import csv
import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from studyapp.study import scheduling
from tests.study.test_reviewer import SHARED_LOG


def shared_history() -> list[tuple[str, datetime, int]]:
    if not SHARED_LOG.exists():
        # A clean clone on its own has no ../shared; CI (CI=true) has, and must run this.
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared review history is not at {SHARED_LOG}")
        pytest.skip(f"review history not found at {SHARED_LOG}")
    with SHARED_LOG.open(newline="") as file:
        return [
            (row["card_id"], datetime.fromisoformat(row["review_time"]), int(row["review_rating"]))
            for row in csv.DictReader(file)
        ]


def test_a_short_history_is_not_fitted():
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    reviews = [(n % 20, start + timedelta(days=n // 20), 3) for n in range(399)]
    with pytest.raises(scheduling.NotEnoughReviews, match="399 reviews so far"):
        scheduling.fit_parameters(reviews)


def test_days_between_reviews_are_the_learners_study_days():
    """Elapsed days count the learner's study days (a day starts at 04:00 in their zone),
    as the scheduler counts them, not calendar days in UTC."""
    zone = ZoneInfo("America/New_York")
    reviews = [
        ("a", datetime(2024, 5, 1, 14, tzinfo=UTC), 3),  # 10:00 on the 1st in New York
        ("a", datetime(2024, 5, 2, 7, tzinfo=UTC), 3),  # 03:00 on the 2nd: still the 1st
        ("a", datetime(2024, 5, 2, 9, tzinfo=UTC), 1),  # 05:00 on the 2nd: a new day
        ("a", datetime(2024, 5, 5, 9, tzinfo=UTC), 3),
    ]
    items = scheduling.training_sequences(reviews, zone, 4)
    # One item per review on a later day than the one before it: the third and fourth.
    assert items == [
        (date(2024, 5, 2), [(3, 0), (3, 0), (1, 1)]),
        (date(2024, 5, 5), [(3, 0), (3, 0), (1, 1), (3, 3)]),
    ]


def test_a_real_history_is_fitted_better_than_the_defaults():
    fit = scheduling.fit_parameters(shared_history())
    assert len(fit.parameters) == len(scheduling.default_parameters())
    assert fit.parameters != scheduling.default_parameters()
    assert fit.log_loss_fitted < fit.log_loss_default  # on reviews held back from the fit
    assert fit.judged_on / (fit.trained_on + fit.judged_on) == pytest.approx(0.2, abs=0.01)
    fsrs.Scheduler(parameters=fit.parameters)  # the scheduler takes them as they are
