"""Fitting FSRS's parameters to a learner's own history (scheduling.fit_parameters)."""

from __future__ import annotations

import csv
import itertools
import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import fsrs_rs_python
import pytest

from studyapp.study import scheduling
from tests.study.test_reviewer import SHARED_LOG

pytestmark = pytest.mark.django_db


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


def test_the_simulator_is_set_to_how_the_learner_studies():
    at = datetime(2024, 5, 1, 12, tzinfo=UTC)
    reviews = [
        ("a", at, 1, 5000),  # a new card: Again, 5 s
        ("b", at, 3, 7000),  # a new card: Good, 7 s
        ("a", at, 3, 4000),
        ("a", at, 4, 2000),
        ("b", at, 2, None),  # no time recorded
        ("a", at, 1, 9000),  # a lapse
    ]
    config = scheduling.simulator_config(reviews, new_per_day=15, reviews_per_day=0)
    defaults = fsrs_rs_python.default_simulator_config().state_rating_costs
    assert (config.deck_size, config.learn_limit, config.review_limit) == (2, 15, 1)
    assert config.first_rating_prob == pytest.approx([0.5, 0, 0.5, 0])
    assert config.review_rating_prob == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    learning, review, _ = config.state_rating_costs
    assert learning == pytest.approx([5, defaults[0][1], 7, defaults[0][3]])
    assert review == pytest.approx([9, defaults[1][1], 4, 2])


def test_a_real_history_gets_a_retention_suggestion_and_a_year_at_each():
    history = [(card, at, rating, 8000) for card, at, rating in shared_history()]
    advice = scheduling.retention_advice(history, None, 20, 200)
    assert scheduling.MIN_RETENTION <= advice.suggested <= 0.95
    years = advice.workloads
    assert [y.retention for y in years] == list(scheduling.COMPARED_RETENTIONS)
    # Asking for more costs more time and leaves more remembered.
    assert all(a.hours < b.hours for a, b in itertools.pairwise(years))
    assert all(a.remembered <= b.remembered for a, b in itertools.pairwise(years))
    assert scheduling.retention_advice(history, None, 20, 200) == advice  # seeded


def test_a_real_history_is_fitted_better_than_the_defaults():
    fit = scheduling.fit_parameters(shared_history())
    assert len(fit.parameters) == len(scheduling.default_parameters())
    assert fit.parameters != scheduling.default_parameters()
    assert fit.log_loss_fitted < fit.log_loss_default  # on reviews held back from the fit
    assert fit.judged_on / (fit.trained_on + fit.judged_on) == pytest.approx(0.2, abs=0.01)
    fsrs.Scheduler(parameters=fit.parameters)  # the scheduler takes them as they are


# A learner's own parameters: queued, fitted by the worker, used, undone -----------------


@pytest.fixture
def a_better_fit(monkeypatch):
    """Make the optimizer return fixed parameters that predict better than the current
    ones (the optimizer itself is tested above, on a real history)."""
    fitted = tuple(w * 1.01 for w in scheduling.default_parameters())
    calls = []

    def fake(reviews, zone, day_start_hour, current=None):
        calls.append((len(reviews), current))
        return scheduling.Fit(fitted, 0.45, 0.43, 800, 200, 0.44 if current else None)

    monkeypatch.setattr(scheduling, "fit_parameters", fake)
    monkeypatch.setattr(scheduling, "retention_advice", lambda *a, **k: ADVICE)
    return fitted, calls


ADVICE = scheduling.RetentionAdvice(
    0.82, (scheduling.Workload(0.8, 10.4, 90), scheduling.Workload(0.9, 14.6, 97))
)


# Transactional: the worker closes its database connections when it is done, as a
# process of its own would, which a test inside a rolled-back transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_a_fit_is_queued_run_by_the_worker_used_and_undone(
    learner_client, learner, a_better_fit, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from studyapp.accounts.models import Profile
    from studyapp.study.models import ParameterFit

    fitted, calls = a_better_fit
    with django_capture_on_commit_callbacks(execute=True):
        response = learner_client.post("/study/schedule/fit/")
    assert response.status_code == 302 and response.url == "/study/schedule/"
    fit = ParameterFit.objects.get(learner=learner)
    assert fit.status == "queued" and DBTaskResult.objects.count() == 1
    page = learner_client.get("/study/schedule/").text
    assert "Fitting is queued" in page and "Waiting for the background worker" in page
    # Nothing runs in the request: the worker runs it.
    assert calls == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    fit.refresh_from_db()
    assert fit.status == "applied" and fit.previous is None
    assert (fit.log_loss_before, fit.log_loss_after) == (0.45, 0.43)
    assert Profile.objects.get(user=learner).parameters == fitted
    page = learner_client.get("/study/schedule/").text
    assert "yours, fitted to your own reviews" in page and "0.4500 → 0.4300" in page
    assert ", ".join(f"{w:.4f}" for w in fitted) in page  # the parameters themselves
    learner_client.post("/study/schedule/undo/")
    fit.refresh_from_db()
    assert fit.status == "undone" and Profile.objects.get(user=learner).parameters is None


def test_a_fit_no_better_than_the_parameters_in_use_is_not_used(learner, monkeypatch):
    from studyapp.accounts.models import Profile
    from studyapp.study import fitting

    monkeypatch.setattr(
        scheduling,
        "fit_parameters",
        lambda *a, **k: scheduling.Fit(scheduling.default_parameters(), 0.44, 0.45, 8, 2),
    )
    fit, new = fitting.request_fit(learner)
    again, second = fitting.request_fit(learner)
    assert new and not second and again == fit  # one waits at a time
    done = fitting.run_fit(fit.pk)
    assert done.status == "kept" and Profile.objects.get(user=learner).parameters is None


def test_a_fit_suggests_a_retention_the_learner_may_ask_for(
    learner_client, learner, other_learner, a_better_fit
):
    from django.test import Client

    from studyapp.accounts.models import Profile
    from studyapp.study import fitting

    fit, _ = fitting.request_fit(learner)
    fitting.run_fit(fit.pk)
    fit.refresh_from_db()
    assert fit.suggested_retention == 0.82
    assert fit.workloads[1] == {"retention": 0.9, "hours": 14.6, "remembered": 97}
    page = learner_client.get("/study/schedule/").text
    assert "came at <strong>0.82</strong>" in page and "<td>14.6 h</td><td>97</td>" in page
    assert "Ask for 0.82" in page

    # Nobody else can take it: not a visitor, not another learner.
    assert Client().post("/study/schedule/retention/").status_code == 302  # to log in
    other = Client()
    other.force_login(other_learner)
    other.post("/study/schedule/retention/")
    assert "Ask for" not in other.get("/study/schedule/").text
    assert Profile.objects.get(user=other_learner).desired_retention == 0.90
    assert Profile.objects.get(user=learner).desired_retention == 0.90

    response = learner_client.post("/study/schedule/retention/", follow=True)
    assert "scheduled for a retention of 0.82" in response.text
    assert Profile.objects.get(user=learner).desired_retention == 0.82
    assert "Ask for 0.82" not in response.text  # asked for already


def test_a_fit_that_fails_says_so_and_another_may_be_asked_for(learner, monkeypatch, caplog):
    from studyapp.study import fitting

    def broken(*args, **kwargs):
        raise RuntimeError("the optimizer broke")

    monkeypatch.setattr(scheduling, "fit_parameters", broken)
    fit, _ = fitting.request_fit(learner)
    done = fitting.run_fit(fit.pk)
    assert done.status == "failed" and "ask again later" in done.message
    assert "the optimizer broke" in caplog.text  # logged for the operator
    again, new = fitting.request_fit(learner)
    assert new and again.status == "queued"


def test_too_few_reviews_say_so(learner_client, learner):
    from studyapp.study import fitting

    fit, _ = fitting.request_fit(learner)
    done = fitting.run_fit(fit.pk)
    assert done.status == "too-few" and "0 reviews so far" in done.message
    assert "Not enough reviews yet" in learner_client.get("/study/schedule/").text


def test_the_learners_parameters_schedule_their_cards():
    from studyapp.study.scheduling import Rating, preview, review

    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    mine = list(scheduling.default_parameters())
    mine[0:4] = [w * 3 for w in mine[0:4]]  # initial stabilities three times as long
    # A new card's first Easy: its interval comes from the initial stabilities.
    assert preview(None, now, parameters=tuple(mine))[Rating.EASY] > preview(None, now)[Rating.EASY]
    assert review(None, Rating.EASY, now, parameters=tuple(mine)).due > (
        review(None, Rating.EASY, now).due
    )


def test_the_schedule_page_is_each_learners_own(client, learner, other_learner, db):
    from django.test import Client

    from studyapp.study import fitting
    from studyapp.study.models import ParameterFit

    assert Client().get("/study/schedule/").status_code == 302  # to log in
    assert Client().post("/study/schedule/fit/").status_code == 302
    assert not ParameterFit.objects.exists()
    fitting.request_fit(other_learner)
    client.force_login(learner)
    page = client.get("/study/schedule/").text
    assert "Your newest fits" not in page  # the other learner's fit is not listed


def test_fit_schedules_queues_the_learners_due_a_fit(learner, other_learner):
    from io import StringIO

    from django.core.management import call_command

    from studyapp.courses.models import Card, shipped_course
    from studyapp.study.models import ParameterFit, ReviewLog

    card = Card.objects.create(course=shipped_course(), kind="basic", key="k")
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    ReviewLog.objects.bulk_create(
        ReviewLog(learner=learner, card=card, seq=n, rating=3, reviewed_at=start, day=start.date())
        for n in range(scheduling.MIN_REVIEWS_TO_FIT)
    )
    out = StringIO()
    call_command("fit_schedules", stdout=out)
    assert out.getvalue().strip() == "Queued 1 fit."
    assert list(ParameterFit.objects.values_list("learner", flat=True)) == [learner.pk]
    call_command("fit_schedules", stdout=out)  # asked for less than 30 days ago
    assert ParameterFit.objects.count() == 1
