"""Brute-force protection: who the client is, and the limits on sign-up and resets.

Log-in lockout is django-axes (its counts are rows in the database); log-ins from one
address, sign-up and password resets are limited by django-ratelimit, whose counts are in
the shared cache (Redis in production, the database's cache table on one server). Either
way every app server, and every worker of one, sees the same counts. See settings for the
numbers.

When the cache cannot count (Redis is away: ops/cache.py), sign-up and resets go on
unlimited (RATELIMIT_FAIL_OPEN), as a class must not be shut out by a cache. Log-in alone
fails closed: it is what an attacker would try while the limit is down, and a learner who
is already logged in keeps studying (their session is in the database too).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies
    (a load balancer, say) the address the outermost of them received the request from.

    Each proxy appends the address it was called from to X-Forwarded-For, so the client
    is the count-th entry from the right; anything further left the client wrote itself.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    hops = [hop.strip() for hop in forwarded if hop.strip()]
    if not hops:
        return request.META.get("REMOTE_ADDR", "")
    return hops[-min(count, len(hops))]


def _by_ip(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _by_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().casefold()


def _setting(name: str):
    # Read when a request comes, not at import, so a changed setting takes effect.
    return lambda group, request: getattr(settings, name)


def limit_sign_up(view):
    """Refuse sign-ups beyond SIGNUP_RATE from one address (a class shares one)."""
    return ratelimit(group="sign-up", key=_by_ip, rate=_setting("SIGNUP_RATE"), method="POST")(view)


def limit_log_in(view):
    """Refuse log-in attempts beyond LOGIN_RATE from one address (a whole school may share
    one, so the rate is high; axes locks out one account much sooner), and every attempt
    while the cache cannot count them."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        usage = get_usage(
            request, group="log-in", key=_by_ip, rate=settings.LOGIN_RATE, increment=True
        )
        if usage is None:  # the cache could not count: closed, for log-in only
            response = render(request, "accounts/log_in_paused.html", status=503)
            response["Retry-After"] = "30"
            return response
        if usage["should_limit"]:
            return rate_limited(request)
        return view(request, *args, **kwargs)

    return limited


def limit_password_reset(view):
    """Refuse reset requests beyond their rates from one address and for one email, so
    nobody can flood a mailbox or probe which addresses have accounts at speed."""
    view = ratelimit(
        group="password-reset-email",
        key=_by_email,
        rate=_setting("PASSWORD_RESET_EMAIL_RATE"),
        method="POST",
    )(view)
    return ratelimit(
        group="password-reset-ip",
        key=_by_ip,
        rate=_setting("PASSWORD_RESET_RATE"),
        method="POST",
    )(view)


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The page for a request over a limit (RATELIMIT_VIEW): 429, saying what to do."""
    response = render(request, "accounts/rate_limited.html", status=429)
    response["Retry-After"] = "600"
    return response
