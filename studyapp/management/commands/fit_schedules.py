"""Queue a fit of FSRS's parameters for every learner due one: run it daily (cron or a
systemd timer); the background worker does the fitting."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Count, Max, Q
from django.utils import timezone

from studyapp.study import fitting, scheduling
from studyapp.study.models import ReviewLog

REFIT_AFTER = timedelta(days=30)


class Command(BaseCommand):
    help = (
        f"Queue a fit for each learner with {scheduling.MIN_REVIEWS_TO_FIT} reviews or more "
        f"and no fit asked for in the last {REFIT_AFTER.days} days."
    )

    def handle(self, *args: object, **options: object) -> None:
        since = timezone.now() - REFIT_AFTER
        due = (
            get_user_model()
            .objects.annotate(
                reviews=Count("reviewlog", filter=Q(reviewlog__kind=ReviewLog.Kind.REVIEW)),
                last_fit=Max("parameterfit__requested_at"),
            )
            .filter(reviews__gte=scheduling.MIN_REVIEWS_TO_FIT)
            .filter(Q(last_fit__isnull=True) | Q(last_fit__lt=since))
        )
        queued = sum(1 for learner in due if fitting.request_fit(learner)[1])
        self.stdout.write(f"Queued {queued} fit{'s' if queued != 1 else ''}.")
