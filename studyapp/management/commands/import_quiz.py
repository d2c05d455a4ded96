"""python manage.py import_quiz FILE [--format F] [--topic SLUG] [--title T] [--regrade]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp.formats import FORMATS
from studyapp.formats.questions import FormatError
from studyapp.management.courses import add_course_option, course_from
from studyapp.quizzes.attempts import regrade
from studyapp.quizzes.imports import import_quiz_file


class Command(BaseCommand):
    help = "Import a quiz file (GIFT, Aiken, CSV/TSV, Quizlet); all of it or, on any error, none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=list(FORMATS), help="default: guessed")
        add_course_option(parser)
        parser.add_argument("--topic", help="slug of the course's topic the quiz belongs to")
        parser.add_argument("--title", default="", help="default: from the file name")
        parser.add_argument("--separator", default="", help="CSV/Quizlet field separator")
        parser.add_argument("--row-separator", default="", help="Quizlet row separator")
        parser.add_argument(
            "--regrade",
            action="store_true",
            help="mark existing attempts again if the file changed answers they were marked by",
        )

    def handle(self, *args: object, file: Path, **options: object) -> None:
        course = course_from(options)
        topic = None
        if options["topic"]:
            topic = course.topics.filter(slug=options["topic"]).first()
            if topic is None:
                raise CommandError(f"No topic {options['topic']!r}.", returncode=1)
        try:
            report = import_quiz_file(
                file,
                course=course,
                fmt=options["format"],
                topic=topic,
                title=options["title"],
                separator=options["separator"],
                row_separator=options["row_separator"].encode().decode("unicode_escape"),
            )
        except OSError as error:
            raise CommandError(f"{file}: cannot read: {error.strerror or error}") from None
        except FormatError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{file}: nothing saved", returncode=1) from None
        self.stdout.write(
            f"{report.saved} questions saved in quiz “{report.quiz.title}” "
            f"({report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.retired} retired)"
        )
        pending = report.rekeyed or report.quiz.answer_key_changed_at is not None
        if pending and options["regrade"]:
            done = regrade(report.quiz)
            self.stdout.write(
                f"regraded: {done.attempts} attempts changed score, {done.responses} answers"
                " changed mark"
            )
        elif pending:
            self.stdout.write(
                "answered questions have new right answers; their attempts keep their marks"
                " until you run this again with --regrade"
            )
