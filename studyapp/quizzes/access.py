"""Who reaches a quiz: the quiz, with its course, when this person may; else 404, as for
a quiz that is not there."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from studyapp.courses.access import course_for_instructor, course_for_learner
from studyapp.quizzes.models import Quiz


def quiz_for_learner(request: HttpRequest, course: str, slug: str) -> Quiz:
    """A quiz in use of a course this person may study (a retired quiz is only on its
    teaching page)."""
    found = course_for_learner(request, course)
    in_use = found.quizzes.filter(retired_at__isnull=True).select_related("topic")
    quiz = get_object_or_404(in_use, slug=slug)
    quiz.course = found
    return quiz


def quiz_for_instructor(request: HttpRequest, course: str, slug: str) -> Quiz:
    """A quiz, retired or not, of a course this person teaches (the teaching views let
    only instructors in: 403 for anyone else)."""
    found = course_for_instructor(request, course)
    quiz = get_object_or_404(found.quizzes.select_related("topic"), slug=slug)
    quiz.course = found
    return quiz
