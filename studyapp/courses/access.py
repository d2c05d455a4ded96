"""Who reaches a course: one helper per object, as healthchecks does: the course (or its
topic) when this person may, else 404, the same as for one that does not exist."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from studyapp.courses.models import Course, Topic


def course_for_learner(request: HttpRequest, slug: str) -> Course:
    """A course this person may study: a public one, or one they teach."""
    return get_object_or_404(Course.objects.visible_to(request.user), slug=slug)


def topic_for_learner(request: HttpRequest, course: str, slug: str) -> Topic:
    """A topic of a course this person may study, with its course (one query)."""
    visible = Course.objects.visible_to(request.user).values("pk")
    topics = Topic.objects.select_related("course").filter(course__in=visible)
    return get_object_or_404(topics, course__slug=course, slug=slug)


def course_for_instructor(request: HttpRequest, slug: str) -> Course:
    """A course this person teaches (the authoring pages check the role first: 403)."""
    return get_object_or_404(Course.objects.taught_by(request.user), slug=slug)
