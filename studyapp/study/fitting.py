"""A learner's own FSRS parameters, as Anki's "Optimize": fitted to their review log in
a background job (never in a request: it takes seconds), judged on their newest reviews
held back from the fit, and used only when they predict those reviews better than the
parameters in use. The parameters before are kept, so the learner can go back.

The fitting itself is scheduling.fit_parameters (the only caller of FSRS's optimizer).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import asdict
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from studyapp.accounts.models import Profile, profile_for
from studyapp.study import scheduling
from studyapp.study.models import ParameterFit, ReviewLog

log = logging.getLogger(__name__)

Status = ParameterFit.Status


def request_fit(learner: AbstractBaseUser) -> tuple[ParameterFit, bool]:
    """Queue a fit for the learner, unless one is already waiting; return it and whether
    it is new. The job runs in the background worker (studyapp/study/tasks.py)."""
    from studyapp.study.tasks import fit_learner  # the task module imports this one

    with transaction.atomic():
        waiting = ParameterFit.objects.filter(learner=learner, status=Status.QUEUED).first()
        if waiting is not None:
            return waiting, False
        fit = ParameterFit.objects.create(learner=learner, requested_at=timezone.now())
        # Enqueued once the row is committed, so the worker always finds it.
        transaction.on_commit(lambda: fit_learner.enqueue(fit.pk))
    return fit, True


def history_of(learner: AbstractBaseUser) -> list[tuple[int, datetime, int, int | None]]:
    """The learner's reviews as (card, reviewed at, rating, duration in ms), oldest first;
    missed quiz questions are no reviews of the learner's memory and stay out."""
    reviews = ReviewLog.objects.filter(learner=learner, kind=ReviewLog.Kind.REVIEW)
    fields = ("card_id", "reviewed_at", "rating", "duration_ms")
    return list(reviews.order_by("id").values_list(*fields))


HISTORY_COLUMNS = ["card_id", "review_time", "review_rating", "review_duration"]


def history_csv(learner: AbstractBaseUser) -> str:
    """The learner's reviews as CSV in the columns FSRS's optimizers read (those of the
    shared review log), oldest first: to fit parameters elsewhere, or to keep."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for card, at, rating, duration in history_of(learner):
        writer.writerow([card, at.isoformat(), rating, "" if duration is None else duration])
    return out.getvalue()


def history_count(learner: AbstractBaseUser) -> int:
    return ReviewLog.objects.filter(learner=learner, kind=ReviewLog.Kind.REVIEW).count()


def run_fit(fit_id: int) -> ParameterFit:
    """Fit the parameters a queued fit asks for, use them if they predict better, and
    work out the retention to suggest with the parameters in use then."""
    fit = ParameterFit.objects.select_related("learner").get(pk=fit_id)
    if fit.status != Status.QUEUED:
        return fit  # already run (a job retried)
    try:
        return _fit(fit)
    except Exception:
        # A fit left queued would block every later one ("already waiting"): say it
        # failed, so the learner may ask again, and keep the error for the operator.
        log.exception("Fitting the parameters of learner %s failed", fit.learner_id)
        return _finish(fit, Status.FAILED, "Something went wrong; please ask again later.")


def _fit(fit: ParameterFit) -> ParameterFit:
    profile = profile_for(fit.learner)
    history = history_of(fit.learner)
    fit.reviews = len(history)
    try:
        found = scheduling.fit_parameters(
            [review[:3] for review in history],
            profile.zone,
            profile.day_start_hour,
            current=profile.parameters,
        )
    except scheduling.NotEnoughReviews as error:
        return _finish(fit, Status.TOO_FEW, str(error))
    before = (
        found.log_loss_current if found.log_loss_current is not None else found.log_loss_default
    )
    fit.log_loss_before, fit.log_loss_after = before, found.log_loss_fitted
    fit.parameters = list(found.parameters)
    better = found.log_loss_fitted < before
    advice = scheduling.retention_advice(
        history,
        found.parameters if better else profile.parameters,
        profile.new_per_day,
        profile.reviews_per_day,
    )
    fit.suggested_retention = advice.suggested
    fit.workloads = [asdict(workload) for workload in advice.workloads]
    if not better:
        return _finish(fit, Status.KEPT, "")
    with transaction.atomic():
        locked = Profile.objects.select_for_update().get(pk=profile.pk)
        fit.previous = locked.fsrs_parameters
        locked.fsrs_parameters = list(found.parameters)
        locked.save(update_fields=["fsrs_parameters"])
        return _finish(fit, Status.APPLIED, "")


def _finish(fit: ParameterFit, status: str, message: str) -> ParameterFit:
    fit.status, fit.message, fit.finished_at = status, message, timezone.now()
    fit.save()
    return fit


def use_suggested_retention(learner: AbstractBaseUser) -> float | None:
    """Ask for the retention the learner's newest fit suggests; None if none does."""
    suggested = (
        ParameterFit.objects.filter(learner=learner, suggested_retention__isnull=False)
        .order_by("-finished_at", "-id")
        .values_list("suggested_retention", flat=True)
        .first()
    )
    if suggested is not None:
        profile = profile_for(learner)
        profile.desired_retention = suggested
        profile.save(update_fields=["desired_retention"])
    return suggested


def undo_fit(learner: AbstractBaseUser) -> ParameterFit | None:
    """Put back the parameters from before the newest fit in use; None if none is."""
    with transaction.atomic():
        fit = (
            ParameterFit.objects.select_for_update()
            .filter(learner=learner, status=Status.APPLIED)
            .order_by("-finished_at", "-id")
            .first()
        )
        if fit is None:
            return None
        profile = Profile.objects.select_for_update().get(user=learner)
        profile.fsrs_parameters = fit.previous
        profile.save(update_fields=["fsrs_parameters"])
        fit.status = Status.UNDONE
        fit.save(update_fields=["status"])
    return fit
