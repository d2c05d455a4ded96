"""The --course option that the import commands share."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from studyapp.courses.models import SHIPPED_COURSE, Course, shipped_course


def add_course_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--course",
        help=f"slug of the course to import into (default: {SHIPPED_COURSE['slug']}, "
        "the course the project ships, made if missing)",
    )


def course_from(options: dict) -> Course:
    if not options.get("course"):
        return shipped_course()
    course = Course.objects.filter(slug=options["course"]).first()
    if course is None:
        raise CommandError(f"No course {options['course']!r}.", returncode=1)
    return course
