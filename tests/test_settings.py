"""Settings from the environment: production passes Django's deploy checks, and a setting
that cannot work stops the server with a message instead of half-working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The production environment the README documents (with made-up values).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k8#Vw2qZ!r7tYp0Lm4Xs9Bd6Hf3Jc1Ng5Te8Ua2Wo7Ri4Eq0Sy3Dv6Kx9Mz1Pb",
    "DATABASE_URL": "postgres://studyapp@127.0.0.1:5432/studyapp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "study.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://study.example.org",
    "HTTPS": "1",
    "TRUSTED_PROXY_COUNT": "1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter with only these settings in its environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


_OURS = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "HTTPS",
    "HSTS",
    "TRUSTED_PROXY_COUNT",
    "STUDYAPP_DATA_DIR",
    "SIGNUP",
    "LOGIN_",
    "DATABASE_",
    "SESSION_",
    "CONN_MAX_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it for their own process
)


def test_the_documented_production_settings_pass_the_deploy_checks_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _settings_under(env: dict, *names: str) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sessions_are_cached_in_redis_and_kept_in_the_database():
    got = _settings_under(PRODUCTION, "SESSION_ENGINE", "SESSION_CACHE_ALIAS", "CACHES")
    assert got["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    sessions = got["CACHES"][got["SESSION_CACHE_ALIAS"]]
    assert sessions["BACKEND"] == "studyapp.ops.cache.ForgivingRedisCache"
    assert sessions["MAX_TIMEOUT"] == 600
    assert got["CACHES"]["default"]["BACKEND"] == "studyapp.ops.cache.ForgivingRedisCache"


def test_a_database_pool_bounds_connections_per_process_and_drops_conn_max_age():
    got = _settings_under(PRODUCTION | {"DATABASE_POOL": "4"}, "DATABASES")
    database = got["DATABASES"]["default"]
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10}
    assert database["CONN_MAX_AGE"] == 0 and database["CONN_HEALTH_CHECKS"] is True
    # Prepared statements stay: a pool's connections are the server's own.
    assert database["OPTIONS"]["prepare_threshold"] == 1
    without = _settings_under(PRODUCTION, "DATABASES")["DATABASES"]["default"]
    assert "pool" not in without["OPTIONS"] and without["CONN_MAX_AGE"] == 60


def test_prepared_statements_run_from_their_generic_plan_unless_told_not_to():
    generic = "-c plan_cache_mode=force_generic_plan"
    database = _settings_under(PRODUCTION, "DATABASES")["DATABASES"]["default"]
    assert database["OPTIONS"]["options"] == generic
    for off in ({"DATABASE_GENERIC_PLANS": "0"}, {"DATABASE_PREPARED_STATEMENTS": "0"}):
        database = _settings_under(PRODUCTION | off, "DATABASES")["DATABASES"]["default"]
        assert "options" not in database["OPTIONS"], off


@pytest.mark.django_db
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's"
)
def test_the_app_s_connections_keep_generic_plans():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"


def test_a_database_server_without_a_shared_secret_key_refuses_to_start(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", STUDYAPP_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "every app server" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_sqlite_with_a_secret_key_starts_in_a_data_folder_that_is_not_there_yet(tmp_path):
    data = tmp_path / "not" / "yet"
    result = manage("migrate", "--no-input", STUDYAPP_DATA_DIR=str(data), SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert (data / "db.sqlite3").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "ture"),
        ("HTTPS", "yes please"),
        ("SIGNUP", "sometimes"),
        ("LOGIN_FAILURE_LIMIT", "five"),
    ],
)
def test_a_setting_with_a_typo_stops_the_server_naming_it(tmp_path, name, value):
    result = manage("check", STUDYAPP_DATA_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert name in result.stderr and value in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_with_nothing_inline(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_https_redirects_everything_but_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").url == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200


def test_the_app_server_s_process_keeps_what_it_started_with_out_of_full_collections(tmp_path):
    # studyapp.wsgi freezes what loading the app made (gc.freeze), so that the garbage
    # collector's full collections, in every worker, walk only what requests made.
    code = "import gc, studyapp.wsgi; print(gc.get_freeze_count())"
    result = manage(
        "shell", "-c", code, SECRET_KEY="k" * 50, DATABASE_URL=f"sqlite:///{tmp_path / 'db'}"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 10_000, "Django and the apps are frozen"
