"""Content shared by everyone (topics, lessons, cards) and who is who (profiles)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q

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

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


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
        grades a card by id goes through this (or study.py's SQL twin of it).
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
    """One review, never updated. Undo deletes the newest and restores state_before.

    A card's state is always the replay of its log, so a quiz question the learner missed
    is logged too (kind QUIZ, as Again), though it is no review: it counts in no daily
    total and undo leaves it alone, as Anki does with its manual reschedules.
    """

    class Kind(models.TextChoices):
        REVIEW = "review"
        QUIZ = "quiz", "Missed in a quiz"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    # db_default: code from before this column, still serving during a rolling restart,
    # inserts reviews without it (README, "Upgrading").
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.REVIEW, db_default=Kind.REVIEW
    )
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


class Quiz(models.Model):
    """A set of questions from one file, with the rules for taking it."""

    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice: feedback after each answer"
        TEST = "test", "Test: feedback at the end"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="quizzes"
    )
    owner = models.ForeignKey(  # None: shipped with the course
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quizzes",
    )
    source = models.CharField(max_length=500, blank=True)  # the file it came from
    format = models.CharField(max_length=20, default="gift")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.PRACTICE)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    shuffle = models.BooleanField(default=True)
    # When a re-upload changed the answers of questions that learners had answered. Their
    # attempts keep their marks until the owner regrades them (Moodle's rule).
    answer_key_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic__order", "title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title


class QuestionQuerySet(models.QuerySet):
    def active(self) -> QuestionQuerySet:
        return self.filter(retired_at__isnull=True)


class Question(models.Model):
    """One question of a quiz. Its key (type and text) keeps it across re-uploads."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=20)  # formats.questions.QuestionType
    title = models.CharField(max_length=255, blank=True)
    text_html = models.TextField()
    general_feedback_html = models.TextField(blank=True)
    # The answers, shaped per type (see quiz_import.answer_data); HTML already sanitized.
    data = models.JSONField(default=dict)
    # The question as the file wrote it (formats.questions.Question), for exports.
    parsed = models.JSONField(default=dict)
    line = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "key"], name="question_unique_key")]

    def __str__(self) -> str:
        return self.title or self.key[:8]

    @property
    def scored(self) -> bool:
        """Whether it counts towards an attempt's score (a description does not)."""
        return self.type != "description"


class Attempt(models.Model):
    """One learner's go at a quiz. The question and choice order is fixed when it starts,
    so a reload resumes the same attempt as it was."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    mode = models.CharField(max_length=20, choices=Quiz.Mode.choices)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # [{"question": id, "order": [choice or pair index, ...]}], as this learner sees them.
    layout = models.JSONField(default=list)
    score = models.FloatField(null=True, blank=True)  # sum of the questions' fractions
    max_score = models.FloatField(default=0)

    class Meta:
        ordering = ["quiz", "learner", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "quiz", "number"], name="attempt_unique_number"
            ),
            # One open attempt per learner and quiz, so a double click cannot start two.
            models.UniqueConstraint(
                fields=["learner", "quiz"],
                condition=Q(finished_at__isnull=True),
                name="attempt_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.quiz} #{self.number}"

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score


class Response(models.Model):
    """A learner's answer to one question in one attempt, and its score."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    answer = models.JSONField()
    fraction = models.FloatField(null=True, blank=True)  # None: an essay, not yet marked
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="response_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} / {self.question}"
