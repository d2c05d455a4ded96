"""Courses and their content: topics, lessons, their sections, and cards.

A course is taught by one or more instructors and owns its topics, lessons, cards and
quizzes; slugs are unique within it. A public course is for every learner on the server;
a class-only one for the learners of its classes (and its instructors). A card made from
a quiz question a learner missed is theirs alone (Card.learner; CardQuerySet.visible_to).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


# The course the project ships (content/), which import_notes fills unless told another.
SHIPPED_COURSE = {"slug": "cloud-fundamentals", "title": "Cloud fundamentals"}


class CourseQuerySet(models.QuerySet):
    def taught_by(self, user: AbstractBaseUser) -> CourseQuerySet:
        """Return the courses this person teaches."""
        return self.filter(teaching__instructor=user)

    def visible_to(self, user: AbstractBaseUser) -> CourseQuerySet:
        """Return the courses this person may study: the public ones, those they teach and
        those of their classes. (study/reviewer.py has this rule in SQL too.)"""
        return self.filter(
            Q(visibility=Course.Visibility.PUBLIC)
            | Q(teaching__instructor=user)
            | Q(classes__members__learner=user)
        ).distinct()


class Course(models.Model):
    """A course: what an instructor teaches, and what learners study."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: every learner on this server"
        CLASS = "class", "Class only: the learners of its classes"

    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course", args=[self.slug])

    @property
    def study_url(self) -> str:
        return reverse("study_course", args=[self.slug])


class Teaching(models.Model):
    """An instructor of a course. Every instructor of a course may change all of it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="teaching")
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "instructor"], name="teaching_unique")
        ]

    def __str__(self) -> str:
        return f"{self.instructor} teaches {self.course}"


def shipped_course() -> Course:
    """Return the course the project ships, making it (public) the first time."""
    return Course.objects.get_or_create(slug=SHIPPED_COURSE["slug"], defaults=SHIPPED_COURSE)[0]


class CoTeacherInvite(models.Model):
    """A one-time link that makes the instructor who follows it a co-teacher of a course.

    Only a hash of the link's secret is kept, as for a password: the database alone does
    not let anyone in.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invites")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"co-teacher invite to {self.course}"


class TopicQuerySet(models.QuerySet):
    def with_card_counts(self) -> TopicQuerySet:
        """Annotate each topic with how many cards it has that are still in use (kept in
        the topic by the database, Topic.cards_in_use)."""
        return self.annotate(card_count=F("cards_in_use"))


class Topic(models.Model):
    """One subject of the course, such as "Availability Zones"."""

    # Null only for a row written, during an upgrade, by code from before courses; the
    # migration that brought courses gave every row its course.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, related_name="topics")
    slug = models.SlugField(max_length=80, allow_unicode=True)
    title = models.CharField(max_length=200)
    order = models.IntegerField(default=0)
    # Other names a heading may use for this topic, for matching notes to topics.
    aliases = models.JSONField(default=list, blank=True)
    # Kept by the database itself (triggers on the card table, migration 0023), so that
    # no way of changing cards can miss them: how many of the topic's cards are in use
    # (not retired, not a quiz question's), which the day's counts read instead of
    # counting the cards on every request; and a number that grows whenever a card joins
    # the topic's new cards or moves among them (added, brought back, renumbered), which
    # tells the reviewer that a learner's place in the topic (NewCardFrontier) is stale.
    cards_in_use = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    cards_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="topic_unique_slug")]

    def __str__(self) -> str:
        return self.title

    # Both need the course: select_related("course") where topics are listed.
    def get_absolute_url(self) -> str:
        return reverse("topic", args=[self.course.slug, self.slug])

    @property
    def study_url(self) -> str:
        return reverse("study_topic", args=[self.course.slug, self.slug])


class Lesson(models.Model):
    """One imported notes file: its lesson text, rendered and sanitized at import."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, related_name="lessons")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="lessons")
    source = models.CharField(max_length=500)
    title = models.CharField(max_length=200)
    html = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(fields=["course", "source"], name="lesson_unique_source")
        ]

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
        """Return the cards of the courses this learner may study, and the learner's own
        cards from questions they missed.

        The access rule for cards: every view and query that lists, counts, opens or
        grades a card by id goes through this (or study/reviewer.py's SQL twin of it).
        """
        courses = Course.objects.visible_to(learner).values("pk")
        return self.filter(Q(learner=learner) | Q(learner__isnull=True, course__in=courses))


class Card(models.Model):
    """A flashcard. Its key (topic + text) is its identity across re-imports."""

    class Kind(models.TextChoices):
        BASIC = "basic"
        REVERSED = "reversed"
        CLOZE = "cloze"
        FROM_QUIZ = "from-quiz", "From a question you missed"

    # The topic's course, or the quiz's for a card of a quiz with no topic (see Topic.course
    # for why it may be null).
    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, related_name="cards")
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
    # Its place among its topic's cards, by lesson file and then line: the order the
    # reviewer brings new cards in (Anki's "new card position"), kept in the card so
    # that an index gives it (card_new_order). Set by notes_import.number_cards; cards
    # with the same position (0, say) go by line. db_default: see ReviewLog.kind.
    position = models.PositiveIntegerField(default=0, db_default=0)
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
        indexes = [
            models.Index(fields=["topic", "retired_at"], name="card_topic_active"),
            # The reviewer's next new card of a topic: the first in this order that the
            # learner has no state of (study/reviewer.py, next_card).
            models.Index(fields=["topic", "position", "line", "id"], name="card_new_order"),
            # The retired cards of the courses a learner may study, which the reviewer
            # leaves out of their states (study/reviewer.py, served_states).
            models.Index(
                fields=["course", "topic"],
                name="card_retired",
                condition=Q(retired_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic.slug if self.topic else 'quiz'}:{self.key[:8]}"

    def save(self, *args, **kwargs) -> None:
        # A card of a topic is of the topic's course (bulk writes set it themselves).
        if self.course_id is None and self.topic_id is not None:
            self.course_id = self.topic.course_id
        super().save(*args, **kwargs)


class DroppedCard(models.Model):
    """A guessed card (ParsedCard.implicit) an instructor dropped at a notes preview: a
    re-upload of the notes leaves it out again, until the preview keeps it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="dropped_cards")
    key = models.CharField(max_length=40)  # the card's key (content.parsed.card_key)
    dropped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "key"], name="dropped_card_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.topic.slug}:{self.key[:8]} dropped"
