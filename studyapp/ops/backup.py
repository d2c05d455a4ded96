"""Back up the whole database to one file, and restore it from one.

SQLite: the sqlite3 backup API, both ways. It copies a consistent snapshot while the app
keeps serving (a plain file copy of a WAL database may not be), and restoring through it
replaces the live database's pages under its own lock, WAL files and all.
PostgreSQL: pg_dump's custom format and pg_restore (Debian's postgresql-client, of the
server's major version or newer), run with the connection settings in the environment,
so a password never shows in the process list.

A backup restores into the same kind of database it came from. django-dbbackup has
connectors for both, but its SQLite restore copies the file over a live WAL database,
and its own commands and storage layer would add more than they save here.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def backup(path: Path) -> None:
    """Write a consistent copy of the database to path (replacing it only when done)."""
    partial = path.with_name(path.name + ".partial")
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(partial) as copy:
                connection.connection.backup(copy)
            copy.close()
        elif connection.vendor == "postgresql":
            _pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}")
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path: Path) -> None:
    """Replace every row of the database with those in the backup at path."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"{path}: cannot read: {error.strerror or error}") from None
    kind = (
        "sqlite"
        if head == SQLITE_MAGIC
        else "postgresql"
        if head.startswith(PGDUMP_MAGIC)
        else None
    )
    if kind is None:
        raise BackupError(f"{path}: not a backup made by `manage.py backup`")
    if kind != connection.vendor:
        raise BackupError(
            f"{path} is a {kind} backup, and this server's database is {connection.vendor}"
        )
    if kind == "sqlite":
        _restore_sqlite(path)
    else:
        _pg(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        )
    connection.close()  # nothing cached from before the restore is reused


def _restore_sqlite(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
        problems = source.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{path}: the backup is damaged: {problems[0][0]}")
        connection.ensure_connection()
        source.backup(connection.connection)
    source.close()


def _pg(program: str, *args: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    db = connection.settings_dict
    env = os.environ | {
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": str(db["NAME"]),
    }
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    result = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")
