"""python manage.py export_cards COURSE_OR_TOPIC --format apkg|anki|quizlet|markdown
-o FILE [--course SLUG]: write a course's or a topic's cards to a file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studyapp.courses import card_exports
from studyapp.courses.models import Course
from studyapp.management.courses import add_course_option, course_from


class Command(BaseCommand):
    help = (
        "Write the cards of a course (by its slug) or of a topic (by its slug in --course)"
        " as an Anki package, Anki text, Quizlet text or Markdown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="a course's slug, or a topic's slug in --course")
        parser.add_argument("--format", choices=card_exports.FORMATS, required=True)
        parser.add_argument("-o", "--output", required=True, type=Path, help="the file to write")
        add_course_option(parser)

    def handle(self, *args: object, slug: str, output: Path, **options: object) -> None:
        course = Course.objects.filter(slug=slug).first()
        if course is not None:
            cards, what = card_exports.course_cards(course), f"course {course.title!r}"
        else:
            topic = course_from(options).topics.filter(slug=slug).first()
            if topic is None:
                raise CommandError(f"No course or topic {slug!r}.", returncode=1)
            cards, what = card_exports.topic_cards(topic), f"topic {topic.title!r}"
        try:
            output.write_bytes(card_exports.FORMATS[options["format"]].write(cards))
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}", returncode=1) from None
        self.stdout.write(f"Wrote {len(cards)} cards of {what} to {output}.")
