"""python manage.py backup FILE: a consistent copy of the whole database, while it serves."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite: the backup API; PostgreSQL: pg_dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        try:
            backup(file)
        except (BackupError, OSError) as error:
            raise CommandError(f"{file}: nothing written: {error}", returncode=1) from None
        self.stdout.write(f"backed up to {file} ({file.stat().st_size:,} bytes)")
