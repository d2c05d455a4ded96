"""Who may do what: the teaching pages are for instructors (and admins).

Rules about one object (a quiz its owner regrades, say) live beside that object's views,
as one helper each that returns the object or raises 404 (studyapp/quizzes/views.py).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from studyapp.accounts.models import profile_for


def instructor_required(view):
    """Let instructors (and admins) in; everyone else gets 403, on GET and POST alike."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not profile_for(request.user).teaches:
            raise PermissionDenied("Only instructors can do this.")
        return view(request, *args, **kwargs)

    return wrapper
