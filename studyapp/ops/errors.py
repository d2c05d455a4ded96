"""Error pages that say what happened in words a learner or teacher can act on."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request as django_bad_request


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400s, but a request too big to read (a huge paste, say) gets 413 and the limit.

    Django refuses such a request before any view or form sees it, often already in the
    CSRF check, so this is the only place left to say so.
    """
    if isinstance(exception, RequestDataTooBig):
        limit = f"{settings.NOTES_MAX_BYTES / 1024 / 1024:g} MB"
        return render(request, "ops/too_big.html", {"limit": limit}, status=413)
    return django_bad_request(request, exception)
