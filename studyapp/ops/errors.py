"""Error pages that say what happened in words a learner or teacher can act on."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import server_error as django_server_error

log = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400s, but a request too big to read (a huge paste, say) gets 413 and the limit.

    Django refuses such a request before any view or form sees it, often already in the
    CSRF check, so this is the only place left to say so.
    """
    if isinstance(exception, RequestDataTooBig):
        limit = f"{settings.NOTES_MAX_BYTES / 1024 / 1024:g} MB"
        return render(request, "ops/too_big.html", {"limit": limit}, status=413)
    return django_bad_request(request, exception)


# The database being away (restarting, unreachable, out of pooled connections) is not a
# fault of the request: it is worth trying again shortly, and the balancer's health check
# (ops/health.py) takes the app server out meanwhile.
DATABASE_AWAY = (OperationalError, InterfaceError)
RETRY_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """500s, but a request that failed because the database was away gets 503 and a
    Retry-After, so a client (study.js resends a grade on a 5xx) and a learner know to try
    again, and know that nothing was saved: the failed request's transaction never
    committed, and a resent grade is taken exactly once (study/reviewer.py).

    Written without the database, the session or the templates' context processors, which
    all need what is away.
    """
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_AWAY):
        return django_server_error(request)
    log.warning("database unavailable, answered 503: %s", error)
    html = loader.get_template("ops/unavailable.html").render({"seconds": RETRY_SECONDS})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
