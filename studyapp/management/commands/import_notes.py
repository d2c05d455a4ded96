"""python manage.py import_notes PATH [PATH ...]: import Markdown notes files or folders."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp.courses.notes_import import import_note_files
from studyapp.formats.questions import FormatError
from studyapp.management.courses import add_course_option, course_from
from studyapp.quizzes.imports import course_quiz_files, import_quiz_file, topic_for_quiz_file


class Command(BaseCommand):
    help = (
        "Import Markdown notes (files or folders) into topics, lessons and cards, and the "
        "GIFT quizzes beside them (regions.gift joins the topic of regions.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Markdown files or folders of them")
        add_course_option(parser)

    def handle(self, *args: object, paths: list[str], **options: object) -> None:
        course = course_from(options)
        report = import_note_files(paths, course)
        for message in report.messages:
            self.stderr.write(message)
        for message in report.rejected:
            self.stderr.write(self.style.ERROR(f"{message} (file not imported)"))
        self.stdout.write(
            f"{report.files} files: {report.created} cards created, "
            f"{report.unchanged} unchanged, {report.retired} retired"
        )
        rejected = len(report.rejected)
        for path in course_quiz_files(paths):
            try:
                topic = topic_for_quiz_file(path, course)
                quiz = import_quiz_file(path, fmt="gift", topic=topic, course=course)
            except FormatError as error:
                rejected += 1
                for problem in error.problems:
                    self.stderr.write(f"{path}:{problem.line}: {problem.message}")
                self.stderr.write(self.style.ERROR(f"{path}: quiz not imported"))
                continue
            self.stdout.write(f"{path}: {quiz.saved} questions in quiz “{quiz.quiz.title}”")
        if rejected:
            raise CommandError(f"{rejected} file(s) rejected", returncode=1)
