"""A learner's own FSRS parameters, as Anki's "Optimize": fitted to their review log in
a background job (never in a request: it takes seconds), judged on their newest reviews
held back from the fit, and used only when they predict those reviews better than the
parameters in use. The parameters before are kept, so the learner can go back.

The fitting itself is scheduling.fit_parameters (the only caller of FSRS's optimizer).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from studyapp.accounts.models import Profile, profile_for
from studyapp.study import scheduling
from studyapp.study.models import ParameterFit, ReviewLog

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


def history_of(learner: AbstractBaseUser) -> list[tuple[int, object, int]]:
    """The learner's reviews as (card, reviewed at, rating); missed quiz questions are no
    reviews of the learner's memory and stay out."""
    reviews = ReviewLog.objects.filter(learner=learner, kind=ReviewLog.Kind.REVIEW)
    return list(reviews.order_by("id").values_list("card_id", "reviewed_at", "rating"))


def history_count(learner: AbstractBaseUser) -> int:
    return ReviewLog.objects.filter(learner=learner, kind=ReviewLog.Kind.REVIEW).count()


def run_fit(fit_id: int) -> ParameterFit:
    """Fit the parameters a queued fit asks for, and use them if they predict better."""
    fit = ParameterFit.objects.select_related("learner").get(pk=fit_id)
    if fit.status != Status.QUEUED:
        return fit  # already run (a job retried)
    profile = profile_for(fit.learner)
    history = history_of(fit.learner)
    fit.reviews = len(history)
    try:
        found = scheduling.fit_parameters(
            history, profile.zone, profile.day_start_hour, current=profile.parameters
        )
    except scheduling.NotEnoughReviews as error:
        return _finish(fit, Status.TOO_FEW, str(error))
    before = (
        found.log_loss_current if found.log_loss_current is not None else found.log_loss_default
    )
    fit.log_loss_before, fit.log_loss_after = before, found.log_loss_fitted
    fit.parameters = list(found.parameters)
    if found.log_loss_fitted >= before:
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
