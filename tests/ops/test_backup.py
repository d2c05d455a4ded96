"""manage.py backup and restore: learners with reviews and attempts, backed up, restored
into a fresh database, every row equal, and studying goes on there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "backup-test-not-secret"} | env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def rows(env: dict) -> list[dict]:
    """Every row of every model, in a stable order (dumpdata writes them by primary key)."""
    out = manage(env, "dumpdata", "--all", "--indent", "0").stdout
    return sorted(json.loads(out), key=lambda r: (r["model"], str(r["pk"])))


def round_trip(source: dict, target: dict, tmp_path: Path) -> None:
    manage(source, "migrate", "--no-input")
    manage(source, "createcachetable")
    manage(source, "shell", "-c", "from tests.backup_data import populate; populate()")
    backup = tmp_path / "studyapp.backup"
    out = manage(source, "backup", str(backup)).stdout
    assert "backed up" in out
    manage(target, "migrate", "--no-input")  # a fresh server, tables made and empty
    manage(target, "restore", "--yes", str(backup))
    expected = rows(source)
    assert {r["model"] for r in expected} >= {
        "studyapp.reviewlog",
        "studyapp.cardstate",
        "studyapp.studyday",
        "studyapp.attempt",
        "studyapp.response",
        "auth.user",
    }
    assert rows(target) == expected
    studied = manage(target, "shell", "-c", "from tests.backup_data import study_on; study_on()")
    assert "studied on" in studied.stdout


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite round trip")
def test_a_sqlite_backup_restores_every_row_into_a_fresh_server(tmp_path):
    source = {"STUDYAPP_DATA_DIR": str(tmp_path / "a")}
    target = {"STUDYAPP_DATA_DIR": str(tmp_path / "b")}
    round_trip(source, target, tmp_path)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL round trip")
def test_a_postgresql_backup_restores_every_row_into_a_fresh_database(tmp_path):
    names = [f"studyapp_backup_{uuid.uuid4().hex[:8]}_{side}" for side in "ab"]
    env = os.environ | PG_ADMIN
    for name in names:
        subprocess.run(["createdb", name], env=env, check=True)
    try:
        source, target = (
            {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}"} for name in names
        )
        round_trip(source, target, tmp_path)
    finally:
        for name in names:
            subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(tmp_path):
    env = {"STUDYAPP_DATA_DIR": str(tmp_path / "a")}
    manage(env, "migrate", "--no-input")
    junk = tmp_path / "notes.md"
    junk.write_text("# not a backup\n")
    result = manage(env, "restore", "--yes", str(junk), check=False)
    assert result.returncode == 1
    assert "not a backup made by `manage.py backup`" in result.stderr
    missing = manage(env, "restore", "--yes", str(tmp_path / "nope"), check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    assert manage(env, "migrate", "--check").returncode == 0  # the database is as it was
