"""The course's content: topics, lessons, their sections, and cards.

Content is shared by every learner, but a card made from a quiz question a learner
missed, which is theirs alone (Card.learner; see CardQuerySet.visible_to).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, Q

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


class TopicQuerySet(models.QuerySet):
    def with_card_counts(self) -> TopicQuerySet:
        """Annotate each topic with how many cards it has that are still in use."""
        in_use = Q(cards__retired_at__isnull=True) & ~Q(cards__kind=Card.Kind.FROM_QUIZ)
        return self.annotate(card_count=Count("cards", filter=in_use))


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

    def visible_to(self, learner: AbstractBaseUser) -> CardQuerySet:
        """Return the course's cards and this learner's own cards from missed questions.

        The access rule for cards: every view and query that lists, counts, opens or
        grades a card by id goes through this (or study/reviewer.py's SQL twin of it).
        """
        return self.filter(Q(learner__isnull=True) | Q(learner=learner))


class Card(models.Model):
    """A flashcard. Its key (topic + text) is its identity across re-imports."""

    class Kind(models.TextChoices):
        BASIC = "basic"
        REVERSED = "reversed"
        CLOZE = "cloze"
        FROM_QUIZ = "from-quiz", "From a question you missed"

    # A card from a quiz question has the quiz's topic, or none when the quiz has none.
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="cards"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, related_name="cards")
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, related_name="cards")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    front_html = models.TextField()
    back_html = models.TextField()
    key = models.CharField(max_length=40)
    line = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # Set for a card made from a quiz question that a learner missed. Such a card holds
    # the question's right answer, so it is made for that learner alone (`learner`):
    # nobody else may list, count, open or grade it. None: a course card, for everyone.
    question = models.ForeignKey(
        "Question", on_delete=models.SET_NULL, null=True, blank=True, related_name="cards"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_cards",
    )

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "lesson", "line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "key"], name="card_unique_key"),
            models.UniqueConstraint(
                fields=["question", "learner"],
                condition=Q(question__isnull=False),
                name="card_one_per_question_and_learner",
            ),
        ]
        indexes = [models.Index(fields=["topic", "retired_at"], name="card_topic_active")]

    def __str__(self) -> str:
        return f"{self.topic.slug if self.topic else 'quiz'}:{self.key[:8]}"
