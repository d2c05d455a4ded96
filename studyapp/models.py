"""Content shared by everyone (topics, lessons, cards) and who is who (profiles)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q


class Profile(models.Model):
    """What the app knows about a person beyond their login."""

    class Role(models.TextChoices):
        LEARNER = "learner"
        INSTRUCTOR = "instructor"
        ADMIN = "admin"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


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
