"""python manage.py import_notes PATH [PATH ...]: import Markdown notes files or folders."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp.notes_import import import_note_files


class Command(BaseCommand):
    help = "Import Markdown notes (files or folders) into topics, lessons and cards."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Markdown files or folders of them")

    def handle(self, *args: object, paths: list[str], **options: object) -> None:
        report = import_note_files(paths)
        for message in report.messages:
            self.stderr.write(message)
        for message in report.rejected:
            self.stderr.write(self.style.ERROR(f"{message} (file not imported)"))
        self.stdout.write(
            f"{report.files} files: {report.created} cards created, "
            f"{report.unchanged} unchanged, {report.retired} retired"
        )
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} file(s) rejected", returncode=1)
