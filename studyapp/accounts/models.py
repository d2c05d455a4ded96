"""Who is who: a person's profile (role, time zone, how they study)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def validate_time_zone(name: str) -> None:
    """Refuse anything but an IANA time zone name."""
    if name not in available_timezones():
        raise ValidationError(f"“{name}” is not a known time zone (for example Europe/Berlin).")


class Profile(models.Model):
    """What the app knows about a person beyond their login, and how they study."""

    class Role(models.TextChoices):
        LEARNER = "learner"
        INSTRUCTOR = "instructor"
        ADMIN = "admin"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    day_start_hour = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(23)],
        help_text="The hour your study day starts; reviews before it count for the day before.",
    )
    new_per_day = models.PositiveSmallIntegerField(
        "new cards per day", default=20, validators=[MaxValueValidator(9999)]
    )
    reviews_per_day = models.PositiveSmallIntegerField(
        default=200, validators=[MaxValueValidator(9999)]
    )
    desired_retention = models.FloatField(
        default=0.90,
        validators=[MinValueValidator(0.70), MaxValueValidator(0.97)],
        help_text="The chance of remembering a card when it comes due: 0.70 to 0.97.",
    )
    # FSRS's parameters fitted to this learner's own reviews (studyapp/study/fitting.py);
    # none: FSRS's defaults.
    fsrs_parameters = models.JSONField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def parameters(self) -> tuple[float, ...] | None:
        """The learner's FSRS parameters for scheduling.py; None: the defaults."""
        return tuple(self.fsrs_parameters) if self.fsrs_parameters else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def teaches(self) -> bool:
        """Whether this person may use the teaching pages (instructors and admins)."""
        return self.role in (self.Role.INSTRUCTOR, self.Role.ADMIN)


def profile_for(user: AbstractBaseUser) -> Profile:
    """Return the user's profile, creating a default one the first time."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        return Profile.objects.get_or_create(user=user)[0]
