"""Content shared by everyone (topics, lessons, cards) and who is who (profiles)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q


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

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class TopicQuerySet(models.QuerySet):
    def with_card_counts(self) -> TopicQuerySet:
        """Annotate each topic with how many cards it has that are still in use."""
        return self.annotate(card_count=Count("cards", filter=Q(cards__retired_at__isnull=True)))


class Topic(models.Model):
    """One subject of the course, such as "Availability Zones"."""

    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    title = models.CharField(max_length=200)
    order = models.IntegerField(default=0)
    # Other names a heading may use for this topic, for matching notes to topics.
    aliases = models.JSONField(default=list, blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """One imported notes file: its lesson text, rendered and sanitized at import."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="lessons")
    source = models.CharField(max_length=500, unique=True)
    title = models.CharField(max_length=200)
    html = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A heading in a lesson, for the table of contents and for grouping cards."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sections")
    anchor = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField()
    path = models.JSONField(default=list)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["lesson", "order"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "anchor"], name="section_unique_anchor")
        ]

    def __str__(self) -> str:
        return " › ".join(self.path)


class CardQuerySet(models.QuerySet):
    def active(self) -> CardQuerySet:
        """Return the cards still in use (retired cards keep their history, unseen)."""
        return self.filter(retired_at__isnull=True)


class Card(models.Model):
    """A flashcard. Its key (topic + text) is its identity across re-imports."""

    class Kind(models.TextChoices):
        BASIC = "basic"
        REVERSED = "reversed"
        CLOZE = "cloze"
        FROM_QUIZ = "from-quiz"

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="cards")
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, related_name="cards")
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, related_name="cards")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    front_html = models.TextField()
    back_html = models.TextField()
    key = models.CharField(max_length=40)
    line = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "lesson", "line", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "key"], name="card_unique_key")]
        indexes = [models.Index(fields=["topic", "retired_at"], name="card_topic_active")]

    def __str__(self) -> str:
        return f"{self.topic.slug}:{self.key[:8]}"


class CardState(models.Model):
    """One learner's FSRS memory of one card; absent until their first review of it."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="states")
    phase = models.PositiveSmallIntegerField()  # scheduling.Phase
    step = models.PositiveSmallIntegerField(null=True)
    stability = models.FloatField(null=True)
    difficulty = models.FloatField(null=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True)
    # How many reviews have been applied: the sequence number of the next review, which
    # is what makes a shown card's token single-use.
    reps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "card"], name="cardstate_unique_learner_card"
            )
        ]
        indexes = [models.Index(fields=["learner", "due"], name="cardstate_learner_due")]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.card_id} due {self.due:%Y-%m-%d %H:%M}"


class ReviewLog(models.Model):
    """One review, never updated. Undo deletes the newest and restores state_before."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    # The card's reps before this review. Unique per learner and card, so two requests
    # grading the same shown card cannot both be recorded, on any database.
    seq = models.PositiveIntegerField()
    rating = models.PositiveSmallIntegerField()
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True)
    day = models.DateField()  # the learner's study day, fixed when the review happened
    state_before = models.JSONField(null=True)  # None: the card was new
    counts_for_retention = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "card", "seq"], name="reviewlog_unique_learner_card_seq"
            )
        ]
        indexes = [
            models.Index(fields=["learner", "reviewed_at"], name="reviewlog_learner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}/{self.card_id} #{self.seq}: {self.rating}"


class StudyDay(models.Model):
    """A learner's counts for one study day, kept as reviews happen (and undone with them).

    Daily limits, the heatmap, the streak and true retention read these few rows instead
    of the whole review history, so they cost the same after a year as on the first day.
    """

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    day = models.DateField()
    reviews = models.PositiveIntegerField(default=0)
    new_cards = models.PositiveIntegerField(default=0)
    review_cards = models.PositiveIntegerField(default=0)  # reviews of cards in Review phase
    correct = models.PositiveIntegerField(default=0)  # reviews not rated Again
    retention_total = models.PositiveIntegerField(default=0)
    retention_passed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "day"], name="studyday_unique_learner_day")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.day}: {self.reviews} reviews"
