"""Who reaches a class: its teachers (the instructors of its courses) see all of it; a
learner only their own membership. Anyone else gets a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from studyapp import sql
from studyapp.classes.models import Classroom
from studyapp.courses.models import Course, Teaching
from studyapp.quizzes.models import Quiz


def classroom_for_instructor(request: HttpRequest, pk: int) -> Classroom:
    """A class this person teaches (the teaching views let only instructors in: 403):
    Classroom.objects.taught_by, in SQL, as every class page and report asks it first."""
    class_courses = sql.table(Classroom.courses.through)
    found = sql.fetch_one(
        f"""SELECT {sql.columns(Classroom, "c")} FROM {sql.table(Classroom)} c
            WHERE c.id = %s AND EXISTS (
                SELECT 1 FROM {class_courses} cc
                JOIN {sql.table(Teaching)} t ON t.course_id = cc.course_id
                WHERE cc.classroom_id = c.id AND t.instructor_id = %s)""",
        [pk, request.user.pk],
        Classroom,
    )
    if found is None:
        raise Http404("No such class of yours.")
    return found[0]


def quiz_for_classroom(classroom: Classroom, pk: int) -> Quiz:
    """A quiz of one of the class's courses (for its report), with its course."""
    found = sql.fetch_one(
        f"""SELECT {sql.columns(Quiz, "q")}, {sql.columns(Course, "co")}
            FROM {sql.table(Quiz)} q
            JOIN {sql.table(Course)} co ON co.id = q.course_id
            JOIN {sql.table(Classroom.courses.through)} cc ON cc.course_id = q.course_id
            WHERE q.id = %s AND cc.classroom_id = %s""",
        [pk, classroom.pk],
        Quiz,
        Course,
    )
    if found is None:
        raise Http404("No such quiz in this class's courses.")
    quiz, quiz.course = found
    return quiz


def classroom_for_learner(request: HttpRequest, pk: int) -> Classroom:
    """A class this person is a learner in."""
    return get_object_or_404(Classroom, pk=pk, members__learner=request.user)
