"""python manage.py restore FILE: replace the whole database with a backup."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace every row of the database with the backup in FILE, made by `backup` on the "
        "same kind of database. Stop the app servers first; run `migrate` after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing the database"
        )

    def handle(self, *args: object, file: Path, yes: bool, **options: object) -> None:
        if not yes and input(f"Replace the whole database with {file}? [y/N] ") != "y":
            raise CommandError("nothing restored", returncode=1)
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(f"nothing restored: {error}", returncode=1) from None
        self.stdout.write(
            f"restored from {file}; run `manage.py migrate` if it came from an older version"
        )
