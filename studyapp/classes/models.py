"""Classes: a group of learners studying one or more courses, with a join code, and the
work their teachers assign them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from studyapp.courses.models import Course, Topic
from studyapp.quizzes.models import Quiz

# Join codes avoid look-alikes (0/O, 1/I/L), as they are read off a projector and typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """Read a code as people type it: any case, spaces and dashes anywhere."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


class ClassroomQuerySet(models.QuerySet):
    def taught_by(self, user) -> ClassroomQuerySet:
        """The classes of the courses this person teaches: co-teachers share a class."""
        return self.filter(courses__teaching__instructor=user).distinct()


class Classroom(models.Model):
    """A class. Its teachers are the instructors of its courses."""

    name = models.CharField(max_length=200)
    courses = models.ManyToManyField(Course, related_name="classes")
    join_code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_join_code)
    joining_open = models.BooleanField("learners may join with the code", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A learner in a class. Leaving deletes it; the learner's history stays theirs."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="members")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "learner"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.classroom}"


class Assignment(models.Model):
    """Work for a class: study a topic (every card introduced and reviewed at least once)
    or take a quiz, by a date; a quiz may also open and close at set times."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, null=True, blank=True)
    due_at = models.DateTimeField("due")
    opens_at = models.DateTimeField("opens", null=True, blank=True)
    closes_at = models.DateTimeField("closes", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=False, quiz__isnull=True)
                | Q(topic__isnull=True, quiz__isnull=False),
                name="assignment_topic_or_quiz",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz or self.topic} for {self.classroom}, due {self.due_at:%Y-%m-%d}"
