"""A health check for load balancers: the app answers and can reach its database."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    # An app server that cannot reach the database can serve nothing useful: say so, and
    # the balancer sends learners to another one.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        log.warning("health check: the database is unavailable: %s", error)
        response = HttpResponse("database unavailable", status=503, content_type="text/plain")
        response["Retry-After"] = "5"
        return response
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """A logged-in page of nothing: what every page costs before its own work (the
    session, the user, the middleware). bench/load.py measures the reviewer against it."""
    return HttpResponse("ok", content_type="text/plain")
