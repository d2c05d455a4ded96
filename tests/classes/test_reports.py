"""The class report's figures, its order, its fixed number of queries, and essays."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studyapp.accounts.models import Profile
from studyapp.classes.models import Assignment, Classroom, Membership
from studyapp.classes.reports import class_report
from studyapp.formats import gift
from studyapp.quizzes import attempts
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Quiz
from studyapp.study import scheduling
from studyapp.study.models import StudyDay
from tests.conftest import make_cards, missed_card, remember

NOW = datetime(2024, 5, 10, 15, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def person(name: str) -> User:
    user = User.objects.create_user(name)
    Profile.objects.create(user=user)
    return user


@pytest.fixture
def setup(taught_course):
    cards = make_cards(4, slug="regions", title="Regions", course=taught_course)
    classroom = Classroom.objects.create(name="Period 3")
    classroom.courses.add(taught_course)
    return classroom, cards


def test_each_learner_s_figures_and_who_needs_help_first(setup, instructor):
    classroom, cards = setup
    steady, behind, new = person("steady"), person("behind"), person("new")
    for learner in (steady, behind, new):
        Membership.objects.create(classroom=classroom, learner=learner)
    # Steady: two cards, one due later today, reviewed yesterday.
    remember(
        steady,
        cards[0],
        NOW + timedelta(hours=3),
        stability=10.0,
        last_review=NOW - timedelta(days=1),
    )
    remember(
        steady,
        cards[1],
        NOW + timedelta(days=5),
        stability=20.0,
        last_review=NOW - timedelta(days=1),
    )
    remember(
        steady,
        cards[2],
        NOW + timedelta(days=30),
        stability=40.0,
        last_review=NOW - timedelta(days=1),
    )
    StudyDay.objects.create(learner=steady, day=(NOW - timedelta(days=1)).date(), reviews=3)
    # Behind: three cards overdue since days, last studied ten days ago.
    for card in cards[:3]:
        remember(
            behind,
            card,
            NOW - timedelta(days=4),
            stability=2.0,
            last_review=NOW - timedelta(days=10),
        )
    StudyDay.objects.create(learner=behind, day=(NOW - timedelta(days=10)).date(), reviews=3)
    report = class_report(classroom, NOW, instructor.profile)
    assert [row.username for row in report.rows] == ["behind", "new", "steady"]
    rows = {row.username: row for row in report.rows}
    topic = report.topics[0]
    cell = rows["steady"].cells[topic.pk]
    assert (cell.seen, cell.total, cell.due_today, cell.overdue) == (3, 4, 1, 0)
    # Mastered (recall of 90% or more 30 days ahead): the SQL agrees with fsrs, card by
    # card; only the card with a stability of 40 days is.
    expected = [
        scheduling.mastered(
            scheduling.Memory(2, None, stability, 5.0, NOW, NOW - timedelta(days=1)), NOW
        )
        for stability in (10.0, 20.0, 40.0)
    ]
    assert expected == [False, False, True]
    assert cell.mastered == 1 and cell.mastery == pytest.approx(1 / 4)
    assert (rows["behind"].overdue, rows["behind"].days_since_study) == (3, 10)
    assert (rows["steady"].days_since_study, rows["new"].days_since_study) == (1, None)
    assert rows["new"].mastery is None and rows["new"].cells[topic.pk].seen == 0
    forecast = dict(report.forecast)
    assert forecast[NOW.date()] == 4  # three overdue and one due later today
    assert forecast[NOW.date() + timedelta(days=5)] == 1
    assert len(report.forecast) == 14


def test_assignment_states(setup, instructor):
    classroom, cards = setup
    quiz = save_quiz(
        gift.parse("::TF:: Q? {T}\n"), title="Zones", course=classroom.courses.get()
    ).quiz
    done, late, busy = person("done"), person("late"), person("busy")
    for learner in (done, late, busy):
        Membership.objects.create(classroom=classroom, learner=learner)
    topic = cards[0].topic
    study = Assignment.objects.create(
        classroom=classroom, topic=topic, due_at=NOW - timedelta(days=1)
    )
    take = Assignment.objects.create(classroom=classroom, quiz=quiz, due_at=NOW + timedelta(days=1))
    for card in cards:
        remember(done, card, NOW + timedelta(days=3))
    remember(busy, cards[0], NOW + timedelta(days=3))
    attempt = attempts.start(done, quiz, NOW - timedelta(hours=1), random.Random(1))
    attempts.finish(attempt, NOW - timedelta(minutes=30))
    attempts.start(busy, quiz, NOW - timedelta(hours=1), random.Random(1))
    report = class_report(classroom, NOW, instructor.profile)
    states = {row.username: [(w.assignment, w.state) for w in row.work] for row in report.rows}
    assert states["done"] == [(study, "done"), (take, "done")]
    assert states["late"] == [(study, "late"), (take, "not started")]
    assert states["busy"] == [(study, "late"), (take, "in progress")]


def test_the_class_report_costs_the_same_queries_for_a_bigger_class(setup, instructor):
    classroom, cards = setup
    Assignment.objects.create(classroom=classroom, topic=cards[0].topic, due_at=NOW)
    client = Client()
    client.force_login(instructor)
    url = reverse("class_report", args=[classroom.pk])

    def queries_with(n: int) -> int:
        for i in range(n):
            learner = person(f"l{n}-{i}")
            Membership.objects.create(classroom=classroom, learner=learner)
            remember(learner, cards[i % 4], NOW)
            StudyDay.objects.create(learner=learner, day=NOW.date(), reviews=1)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few, many = queries_with(2), queries_with(12)
    assert few == many <= 12


def test_essays_wait_for_a_mark_and_the_learner_sees_it(
    setup, instructor, learner, other_instructor
):
    classroom, _ = setup
    quiz = save_quiz(
        gift.parse("::TF:: Q? {T}\n\n::Essay:: Explain a VPC. {}\n"),
        title="Essay quiz",
        course=classroom.courses.get(),
    ).quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST)
    quiz.refresh_from_db()
    now = timezone.now()
    attempt = attempts.start(learner, quiz, now, random.Random(1))
    for slot in attempts.slots(attempt):
        answer = "true" if slot.question.type == "truefalse" else "A private network."
        attempts.answer(attempt, slot, QueryDict(f"answer={answer}"), now)
    attempts.finish(attempt, now)
    lena, ines = Client(), Client()
    lena.force_login(learner)
    ines.force_login(instructor)
    assert "<strong>awaiting marking</strong>" in lena.get(f"/attempts/{attempt.pk}/").text
    queue_url = reverse("essays", args=[quiz.course.slug, quiz.slug])
    queue = ines.get(queue_url).text
    assert "A private network." in queue
    response = attempt.responses.get(question__type="essay")
    mark_url = reverse("essay_mark", args=[quiz.course.slug, quiz.slug, response.pk])
    other = Client()
    other.force_login(other_instructor)
    assert other.get(queue_url).status_code == 404 and other.post(mark_url).status_code == 404
    assert lena.get(queue_url).status_code == 403
    bad = ines.post(mark_url, {f"{response.pk}-mark": "150"}, follow=True)
    assert "Not marked" in bad.text
    ines.post(
        mark_url, {f"{response.pk}-mark": "50", f"{response.pk}-comment": "Name the subnets."}
    )
    attempt.refresh_from_db()
    assert attempt.score == 1.5
    page = lena.get(f"/attempts/{attempt.pk}/").text
    assert "awaiting marking" not in page and "Name the subnets." in page
    assert "Score: <strong>1.50 / 2</strong>" in page
    assert "No essay waits for a mark." in ines.get(queue_url).text


def test_retired_cards_count_nowhere_and_missed_questions_only_in_the_forecast(setup, instructor):
    """The report counts states by the topic they carry, leaving out a retired card's,
    and a missed quiz question's everywhere but in the forecast of reviews owed."""
    from studyapp.courses.models import Card

    classroom, cards = setup
    learner = person("lena")
    Membership.objects.create(classroom=classroom, learner=learner)
    topic = cards[0].topic
    missed = missed_card(learner, topic.course, topic)
    for card in (cards[0], cards[1], missed):
        remember(learner, card, NOW - timedelta(hours=1))
    Card.objects.filter(pk=cards[1].pk).update(retired_at=NOW - timedelta(days=1))
    report = class_report(classroom, NOW, instructor.profile)
    cell = report.rows[0].cells[topic.pk]
    assert (cell.seen, cell.overdue + cell.due_today) == (1, 1)
    assert dict(report.forecast)[NOW.date()] == 2  # the card and the missed question
