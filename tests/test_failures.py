"""The failure drills of scripts/failures.py, run for real: a stack of two app servers
behind HAProxy, with its own PostgreSQL and Redis, loses an app server, restarts its
database and loses Redis while learners study; no acknowledged grade is lost or doubled.
PostgreSQL's run only (CI's second): the stack runs on PostgreSQL, and SQLite's run
would only repeat it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql"
    or not shutil.which("initdb", path="/usr/lib/postgresql/15/bin"),
    reason="the stack runs on PostgreSQL, with a server of its own to restart",
)


def test_a_stack_survives_an_app_server_a_database_restart_and_redis_going():
    result = subprocess.run(
        [sys.executable, "scripts/failures.py", "--learners", "6", "--seconds", "4.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    *phases, total = (json.loads(line) for line in result.stdout.strip().splitlines()[-4:])
    kill, restart, redis = phases
    assert total["lost"] == 0 and total["doubled"] == 0
    for phase in phases:
        # Learners went on being acknowledged while the part was away, and every one of
        # their grades so far is in the database once.
        assert phase["grades_during_fault"] > 0, phase
        assert phase["acknowledged"] == phase["rows"], phase
    # The database restart was answered with 503s that say when to come back.
    assert restart["retry_hints"] > 0 and set(restart["statuses"]) <= {"200", "503"}
    # Without Redis nothing failed, but log-in refused (closed); with it back, log-in works.
    assert set(redis["statuses"]) <= {"200"}
    assert redis["log_in_without_redis"] == 503 and redis["log_in_with_redis_back"] == 302
    assert set(kill["statuses"]) <= {"200", "502", "0"}
