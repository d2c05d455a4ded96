"""What the app does when a part it runs with is away: Redis (the cache, sessions and
rate-limit counts) and the database. scripts/failures.py does the same to a whole running
stack; these check each piece's answer on its own."""

from __future__ import annotations

import logging
import socket
import uuid

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import caches
from django.db import OperationalError
from django.urls import reverse

from studyapp.ops.cache import ForgivingRedisCache
from tests.accounts.test_views import SIGNUP

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def _closed_port() -> int:
    """A port nothing listens on: bound once, then let go."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cache(location: str, **params) -> ForgivingRedisCache:
    return ForgivingRedisCache(
        location,
        {"KEY_PREFIX": uuid.uuid4().hex, "OPTIONS": {"socket_connect_timeout": 0.5}} | params,
    )


def _redis_settings(location: str) -> dict:
    entry = {"BACKEND": "studyapp.ops.cache.ForgivingRedisCache", "LOCATION": location}
    return {"default": entry, "sessions": entry | {"MAX_TIMEOUT": 600}}


@pytest.fixture
def redis_away(settings):
    """Settings as production makes them with REDIS_URL, pointing at a Redis that is not
    there (as after `systemctl stop redis`)."""
    settings.CACHES = _redis_settings(f"redis://127.0.0.1:{_closed_port()}/0")
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    yield
    for alias in ("default", "sessions"):
        caches[alias]._away_until = 0.0


# --- the cache itself -----------------------------------------------------------------


def test_an_unreachable_redis_reads_as_misses_and_writes_nothing(caplog):
    cache = _cache(f"redis://127.0.0.1:{_closed_port()}/0")
    with caplog.at_level(logging.WARNING, logger="studyapp.ops.cache"):
        assert cache.get("k", "default") == "default"
        cache.set("k", 1)
        assert cache.add("k", 1) is False
        assert cache.get_many(["k", "j"]) == {}
        assert cache.delete("k") is False
        with pytest.raises(ValueError):  # django-ratelimit reads this as "could not count"
            cache.incr("k")
    assert cache.is_away()
    # Said once, not once per call.
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "Redis is unavailable" in caplog.records[0].message


@pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_a_reachable_redis_is_an_ordinary_cache_and_max_timeout_caps_keys():
    cache = _cache(REDIS, MAX_TIMEOUT=60)
    cache.set("k", {"a": 1}, timeout=None)  # "forever", capped to a minute
    assert cache.get("k") == {"a": 1}
    assert cache.add("n", 1) is True and cache.incr("n") == 2
    ttl = cache._cache.get_client(cache.make_and_validate_key("k")).ttl(
        cache.make_and_validate_key("k")
    )
    assert 0 < ttl <= 60
    assert not cache.is_away()
    cache.clear()


@pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_after_an_outage_the_cache_tries_redis_again(monkeypatch):
    cache = _cache(REDIS)
    cache.went_away(ConnectionError("test"))
    assert cache.is_away() and cache.get("k", "miss") == "miss"
    monkeypatch.setattr("studyapp.ops.cache.RETRY_SECONDS", 0.0)
    cache._away_until = 0.0  # the retry time passed
    cache.set("k", "back")
    assert cache.get("k") == "back"
    cache.clear()


# --- the app without Redis ------------------------------------------------------------


def test_without_redis_a_logged_in_learner_keeps_studying(client, learner, redis_away):
    client.force_login(learner)  # the session is written to the database, not to Redis
    page = client.get(reverse("study"))
    assert page.status_code == 200
    assert page.wsgi_request.user == learner
    assert client.get(reverse("progress")).status_code == 200


def test_without_redis_log_in_fails_closed_and_says_so(client, learner, redis_away):
    response = client.post(reverse("login"), {"username": "lena", "password": "lena-pw-123"})
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Log-in is paused" in response.text
    assert "_auth_user_id" not in client.session
    # The page itself still shows.
    assert client.get(reverse("login")).status_code == 200


def test_without_redis_sign_up_stays_open(client, redis_away, settings):
    settings.SIGNUP_POLICY = "open"
    response = client.post(reverse("signup"), SIGNUP)
    assert response.status_code == 302
    assert User.objects.filter(username=SIGNUP["username"]).exists()


def test_log_ins_from_one_address_are_limited_across_accounts(client, learner, settings):
    caches["default"].clear()
    settings.LOGIN_RATE = "3/m"
    for name in ("a", "b", "c"):
        assert client.post(reverse("login"), {"username": name, "password": "x"}).status_code == 200
    refused = client.post(reverse("login"), {"username": "lena", "password": "lena-pw-123"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    caches["default"].clear()


# --- the app without its database -----------------------------------------------------


def _database_away(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_request_the_database_fails_gets_503_and_a_retry_hint(client, learner, monkeypatch, htmx):
    client.force_login(learner)
    client.raise_request_exception = False
    # The session is the first thing a request reads from the database.
    monkeypatch.setattr(DatabaseSessionStore, "load", _database_away)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(reverse("grade"), {"rating": "3"}, headers=headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "nothing of it was saved" in response.text


def test_a_view_the_database_fails_gets_503_too(client, learner, monkeypatch):
    client.force_login(learner)
    client.raise_request_exception = False
    monkeypatch.setattr("studyapp.study.views.progress_context", _database_away)
    response = client.get(reverse("progress"))
    assert response.status_code == 503


def test_other_errors_stay_500s(client, learner, monkeypatch):
    client.force_login(learner)
    client.raise_request_exception = False
    monkeypatch.setattr("studyapp.study.views.progress_context", lambda *a, **k: 1 / 0)
    response = client.get(reverse("progress"))
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_cache_keeps_its_redis_client_instead_of_making_one_per_call():
    cache = _cache(REDIS)
    assert cache._cache.get_client("a") is cache._cache.get_client("b")
    assert cache._cache.get_client("a", write=True) is cache._cache.get_client("a")
