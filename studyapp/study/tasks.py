"""Background jobs of the study area, run by the worker (`manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from studyapp.study import fitting


@task()
def fit_learner(fit_id: int) -> None:
    """Fit a learner's FSRS parameters (studyapp/study/fitting.py)."""
    fitting.run_fit(fit_id)
