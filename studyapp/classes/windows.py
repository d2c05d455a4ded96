"""When a quiz assigned to a class opens and closes for its learners."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import formats

from studyapp.classes.models import Assignment
from studyapp.quizzes.models import Quiz


class Window:
    """The times a learner may start a quiz: open unless one of their classes set times
    for it, then within any of those times."""

    def __init__(self, learner: AbstractBaseUser, quiz: Quiz) -> None:
        self.times = list(
            Assignment.objects.filter(quiz=quiz, classroom__members__learner=learner)
            .exclude(opens_at__isnull=True, closes_at__isnull=True)
            .values_list("opens_at", "closes_at")
        )

    def problem(self, now: datetime) -> str | None:
        """Why the quiz may not be started now, or None when it may."""
        if not self.times or self._open(now):
            return None
        later = sorted(o for o, _ in self.times if o is not None and o > now)
        if later:
            return f"This quiz opens at {formats.date_format(later[0], 'DATETIME_FORMAT')}."
        return "This quiz has closed."

    def _open(self, now: datetime) -> bool:
        return any((o is None or o <= now) and (c is None or now < c) for o, c in self.times)

    def closes(self, now: datetime) -> datetime | None:
        """When the window open now closes (the latest, if several are), else None."""
        ends = [c for o, c in self.times if (o is None or o <= now) and c is not None and now < c]
        if any((o is None or o <= now) and c is None for o, c in self.times):
            return None
        return max(ends) if ends else None
