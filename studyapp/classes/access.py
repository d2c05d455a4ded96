"""Who reaches a class: its teachers (the instructors of its courses) see all of it; a
learner only their own membership. Anyone else gets a 404."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from studyapp.classes.models import Classroom


def classroom_for_instructor(request: HttpRequest, pk: int) -> Classroom:
    """A class this person teaches (the teaching views let only instructors in: 403)."""
    return get_object_or_404(Classroom.objects.taught_by(request.user), pk=pk)


def classroom_for_learner(request: HttpRequest, pk: int) -> Classroom:
    """A class this person is a learner in."""
    return get_object_or_404(Classroom, pk=pk, members__learner=request.user)
