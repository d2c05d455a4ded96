"""Quizzes, their questions, and learners' attempts at them with their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from studyapp.courses.models import Course, Topic


class Quiz(models.Model):
    """A set of questions from one file, with the rules for taking it."""

    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice: feedback after each answer"
        TEST = "test", "Test: feedback at the end"

    class Review(models.TextChoices):
        """When a learner sees the right answers and the feedback (Moodle's review options).
        Whether an answer was right is always shown."""

        IMMEDIATELY = "immediately", "As soon as it is marked"
        AFTER_LAST = (
            "after-last",
            ("After the learner's last attempt (after each, when attempts are unlimited)"),
        )
        NEVER = "never", "Never"

    # See Topic.course for why it may be null.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, related_name="quizzes")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, allow_unicode=True)
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
    show_answers = models.CharField(
        "show right answers and feedback",
        max_length=12,
        choices=Review.choices,
        # After the last attempt, so that attempt 1 of 2 does not give away attempt 2.
        # db_default stays: a row written during a rolling upgrade by older code.
        default=Review.AFTER_LAST,
        db_default=Review.IMMEDIATELY,
    )
    # A retired quiz is hidden from learners; its attempts are kept.
    retired_at = models.DateTimeField(null=True, blank=True)
    # When a re-upload changed the answers of questions that learners had answered. Their
    # attempts keep their marks until the owner regrades them (Moodle's rule).
    answer_key_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic__order", "title"]
        verbose_name_plural = "quizzes"
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="quiz_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:  # needs the course: select_related("course")
        return reverse("quiz", args=[self.course.slug, self.slug])


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
    # The answers, shaped per type (see quizzes/imports.answer_data); HTML already sanitized.
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
    # An essay's marking: the instructor's comment, who marked it and when.
    comment = models.TextField(blank=True, default="", db_default="")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="response_unique")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} / {self.question}"
