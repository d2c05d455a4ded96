"""Brute force: log-in locks out after a few wrong passwords; sign-up and password resets
are rate-limited per client. The counts live in the database and the shared cache, so
they hold across app servers (and across the workers of one)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    """Rate-limit counts live in the cache, which tests do not roll back."""
    caches["default"].clear()
    yield
    caches["default"].clear()


def log_in(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_many_wrong_passwords_lock_the_account_even_for_the_right_one(client, learner):
    for _ in range(30):
        log_in(client, "lena", "wrong")
    refused = log_in(client, "lena", "lena-pw-123")
    assert refused.status_code == 429
    assert "Too many failed log-ins" in refused.text
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_for_that_account_from_that_address(client, learner, other_learner):
    for _ in range(5):
        log_in(client, "lena", "wrong")
    # A classroom shares one address: the other learner there still logs in,
    assert log_in(client, "omar", "omar-pw-123").status_code == 302
    client.logout()
    # and so does Lena from home.
    assert log_in(client, "lena", "lena-pw-123", ip="198.51.100.2").status_code == 302


def test_a_few_typos_then_the_right_password_log_in_and_start_afresh(client, learner):
    for _ in range(3):
        assert log_in(client, "lena", "wrong").status_code == 200
    assert log_in(client, "lena", "lena-pw-123").status_code == 302
    client.logout()
    for _ in range(3):
        log_in(client, "lena", "wrong")
    assert log_in(client, "lena", "lena-pw-123").status_code == 302


def test_a_name_longer_than_any_account_is_refused_before_it_is_counted(client):
    # Django's log-in form shows a maxlength but does not check it; axes then wrote the
    # name into its 255-character column, a 500 on PostgreSQL (SQLite ignores lengths).
    from axes.models import AccessAttempt

    response = log_in(client, "x" * 300, "wrong")
    assert response.status_code == 200
    assert "at most 150 characters" in response.text
    assert not AccessAttempt.objects.exists()


def test_sign_ups_from_one_address_are_rate_limited(client, settings):
    settings.SIGNUP_RATE = "3/h"
    for n in range(3):
        response = client.post(
            reverse("signup"),
            {
                "username": f"maya{n}",
                "email": f"maya{n}@example.org",
                "password1": "correct-horse-battery",
                "password2": "correct-horse-battery",
            },
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 302
        client.logout()
    refused = client.post(reverse("signup"), {"username": "maya9"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429 and "Too many" in refused.text
    assert client.get(reverse("signup"), REMOTE_ADDR="203.0.113.9").status_code == 200


def test_password_resets_are_rate_limited_per_address_and_per_email(client, learner, settings):
    learner.email = "lena@example.org"
    learner.save()
    url = reverse("password_reset")
    for _ in range(3):
        sent = client.post(url, {"email": "lena@example.org"}, REMOTE_ADDR="203.0.113.5")
        assert sent.status_code == 302
    refused = client.post(url, {"email": "lena@example.org"}, REMOTE_ADDR="198.51.100.8")
    assert refused.status_code == 429 and "Too many" in refused.text
    assert len(mail.outbox) == 3


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(client, learner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "lena", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",  # the load balancer
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    other_client = client.post(
        reverse("login"),
        {"username": "lena", "password": "lena-pw-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert other_client.status_code == 302


def test_with_redis_the_counts_are_shared_by_every_app_server(client, settings):
    """Two app servers are two processes with their own cache clients: with REDIS_URL the
    count one of them makes is the count the other reads (Django's RedisCache)."""
    import redis
    from django.core.cache.backends.redis import RedisCache

    location = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(location).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    settings.CACHES = {"default": backend}
    settings.SIGNUP_RATE = "2/h"
    other_server = RedisCache(location, {})
    caches["default"].clear()
    try:
        for n in range(2):
            form = {"username": f"kai{n}", "email": f"kai{n}@example.org"}
            form |= {"password1": "correct-horse-battery", "password2": "correct-horse-battery"}
            assert (
                client.post(reverse("signup"), form, REMOTE_ADDR="203.0.113.4").status_code == 302
            )
            client.logout()
        # Django stores "rl:..." as ":1:rl:..."; the other server's client asks for "rl:...".
        counted = list(redis.Redis.from_url(location).scan_iter(match="*rl:*"))
        assert counted and other_server.get(counted[0].decode().split(":", 2)[-1]) == 2
        refused = client.post(reverse("signup"), {"username": "kai9"}, REMOTE_ADDR="203.0.113.4")
        assert refused.status_code == 429
    finally:
        caches["default"].clear()
