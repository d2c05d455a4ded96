"""python manage.py export_quiz QUIZ [--course SLUG] --format gift|anki|quizlet: write a
quiz to stdout."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp import formats
from studyapp.formats.questions import UnsupportedQuestion
from studyapp.management.courses import add_course_option, course_from
from studyapp.quizzes.exports import parsed_questions
from studyapp.quizzes.models import Quiz


class Command(BaseCommand):
    help = "Write a quiz (by its slug in the course, or its id) as GIFT, Anki TSV or Quizlet TSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("quiz", help="the quiz's slug or id")
        parser.add_argument("--format", choices=formats.EXPORTS, default="gift")
        add_course_option(parser)

    def handle(self, *args: object, quiz: str, **options: object) -> None:
        found = course_from(options).quizzes.filter(slug=quiz).first()
        if found is None and quiz.isdigit():
            found = Quiz.objects.filter(pk=int(quiz)).first()
        if found is None:
            raise CommandError(f"No quiz {quiz!r}.", returncode=1)
        try:
            self.stdout.write(formats.render(parsed_questions(found), options["format"]), ending="")
        except UnsupportedQuestion as error:
            raise CommandError(str(error), returncode=1) from None
