"""Classes from every persona: the instructor and co-teacher of its course see and change
it; an instructor of another course gets 404; learners get 403 on teaching pages; a
learner in the class sees only their own things."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studyapp.classes.models import CODE_ALPHABET, Assignment, Classroom, Membership
from studyapp.courses.models import Course, Teaching
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from tests.conftest import make_cards, remember

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def classroom(taught_course, learner) -> Classroom:
    make_cards(3, slug="regions", title="Regions", course=taught_course)
    classroom = Classroom.objects.create(name="Period 3")
    classroom.courses.add(taught_course)
    Membership.objects.create(classroom=classroom, learner=learner)
    return classroom


@pytest.fixture
def quiz(taught_course):
    text = "::TF:: AZs are inside Regions. {T}\n\n::Essay:: Explain a VPC. {}\n"
    return save_quiz(gift.parse(text), title="Zones", course=taught_course).quiz


def teaching_urls(classroom: Classroom, learner, quiz) -> list[str]:
    return [
        reverse("class_manage", args=[classroom.pk]),
        reverse("class_code", args=[classroom.pk]),
        reverse("class_report", args=[classroom.pk]),
        reverse("class_report", args=[classroom.pk]) + "?format=csv",
        reverse("class_learner", args=[classroom.pk, learner.pk]),
        reverse("class_quiz_report", args=[classroom.pk, quiz.pk]),
    ]


def test_every_class_view_from_every_persona(
    client, classroom, quiz, learner, other_learner, instructor, co_teacher, other_instructor
):
    urls = teaching_urls(classroom, learner, quiz)
    posts = [
        reverse("class_new_code", args=[classroom.pk]),
        reverse("class_remove", args=[classroom.pk, learner.pk]),
        reverse("assignment_new", args=[classroom.pk]),
    ]
    for url in [*urls, reverse("class_new")]:
        assert client.get(url).url.startswith("/accounts/login/"), url
    for person in (learner, other_learner):
        visitor = client_for(person)
        for url in urls:
            assert visitor.get(url).status_code == 403, (person, url)
        for url in posts:
            assert visitor.post(url).status_code == 403, (person, url)
    outsider = client_for(other_instructor)
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    for url in posts:
        assert outsider.post(url).status_code == 404, url
    assert "Period 3" not in outsider.get(reverse("teach")).text
    for person in (instructor, co_teacher):
        teacher = client_for(person)
        for url in urls:
            assert teacher.get(url).status_code == 200, (person, url)
        assert "Period 3" in teacher.get(reverse("teach")).text
    assert Membership.objects.filter(classroom=classroom, learner=learner).exists()


def test_a_teacher_makes_a_class_of_their_own_courses_only(instructor, taught_course):
    elsewhere = Course.objects.create(slug="other", title="Other")
    teacher = client_for(instructor)
    refused = teacher.post(reverse("class_new"), {"name": "Bad", "courses": [elsewhere.pk]})
    assert "Select a valid choice" in refused.text and not Classroom.objects.exists()
    made = teacher.post(
        reverse("class_new"),
        {"name": "Period 4", "courses": [taught_course.pk], "joining_open": "on"},
    )
    classroom = Classroom.objects.get()
    assert made.url == reverse("class_manage", args=[classroom.pk])
    code = classroom.join_code
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET) and not set(code) & set("01IOL")
    page = teacher.get(reverse("class_code", args=[classroom.pk])).text
    assert f">{code}<" in page and f"/join/{code}/" in page


def test_a_new_code_replaces_the_old_one(instructor, classroom, other_learner):
    old = classroom.join_code
    client_for(instructor).post(reverse("class_new_code", args=[classroom.pk]))
    classroom.refresh_from_db()
    assert classroom.join_code != old
    refused = client_for(other_learner).post(reverse("join_class"), {"code": old})
    assert "No class has the code" in refused.text


def test_learners_join_with_a_code_and_leave(classroom, other_learner):
    omar = client_for(other_learner)
    assert "Period 3" not in omar.get(reverse("home")).text
    typed = " " + classroom.join_code.lower()[:4] + " " + classroom.join_code.lower()[4:]
    joined = omar.post(reverse("join_class"), {"code": typed}, follow=True)
    assert "You are in “Period 3”" in joined.text
    assert classroom.members.filter(learner=other_learner).exists()
    omar.post(reverse("leave_class", args=[classroom.pk]))
    assert not classroom.members.filter(learner=other_learner).exists()
    assert omar.post(reverse("leave_class", args=[classroom.pk])).status_code == 404


def test_joining_can_be_switched_off(classroom, other_learner):
    Classroom.objects.filter(pk=classroom.pk).update(joining_open=False)
    refused = client_for(other_learner).post(reverse("join_class"), {"code": classroom.join_code})
    assert "not taking new learners" in refused.text
    assert client_for(other_learner).get(f"/join/{classroom.join_code}/").status_code == 404


def test_the_join_link(client, classroom, other_learner):
    link = f"/join/{classroom.join_code}/"
    page = client.get(link).text  # anonymous: sign up with the code, or log in
    assert f"/accounts/signup/?code={classroom.join_code}" in page
    omar = client_for(other_learner)
    assert "Join the class" in omar.get(link).text
    assert not classroom.members.filter(learner=other_learner).exists()  # a GET joins no one
    omar.post(link)
    assert classroom.members.filter(learner=other_learner).exists()


def test_a_class_only_course_opens_to_the_class_s_learners(
    classroom, taught_course, learner, other_learner
):
    Course.objects.filter(pk=taught_course.pk).update(visibility=Course.Visibility.CLASS)
    url = reverse("course", args=[taught_course.slug])
    assert client_for(learner).get(url).status_code == 200
    assert client_for(other_learner).get(url).status_code == 404
    assert "Front 0" in client_for(learner).get(reverse("study")).text
    assert "Front 0" not in client_for(other_learner).get(reverse("study")).text


def test_removing_a_learner_keeps_their_history(instructor, classroom, learner):
    card = classroom.courses.get().cards.first()
    remember(learner, card, timezone.now())
    client_for(instructor).post(reverse("class_remove", args=[classroom.pk, learner.pk]))
    assert not classroom.members.exists()
    assert learner.cardstate_set.count() == 1


def test_a_co_teacher_of_one_course_keeps_the_class_s_other_courses(
    classroom, co_teacher, instructor
):
    other = Course.objects.create(slug="networks", title="Networks")
    Teaching.objects.create(course=other, instructor=instructor)
    classroom.courses.add(other)
    client_for(co_teacher).post(
        reverse("class_manage", args=[classroom.pk]),
        {"name": "Period 3b", "courses": [classroom.courses.get(slug="cloud-fundamentals").pk]},
    )
    classroom.refresh_from_db()
    assert classroom.name == "Period 3b" and classroom.courses.count() == 2


def test_assignments_show_on_the_learner_s_home_with_their_state(
    instructor, classroom, quiz, learner
):
    teacher = client_for(instructor)
    soon = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    topic = classroom.courses.get().topics.get(slug="regions")
    teacher.post(
        reverse("assignment_new", args=[classroom.pk]),
        {"work": f"topic-{topic.pk}", "due_at": soon},
    )
    teacher.post(
        reverse("assignment_new", args=[classroom.pk]), {"work": f"quiz-{quiz.pk}", "due_at": soon}
    )
    assert Assignment.objects.count() == 2
    home = client_for(learner).get(reverse("home")).text
    assert "Study “Regions”" in home and "Take “Zones”" in home
    assert home.count("not started") == 2
    for card in topic.cards.all()[:1]:
        remember(learner, card, timezone.now())
    assert "in progress" in client_for(learner).get(reverse("home")).text
    Assignment.objects.update(due_at=timezone.now() - timedelta(hours=1))
    assert "late" in client_for(learner).get(reverse("home")).text


def test_a_bad_assignment_says_why_and_saves_nothing(instructor, classroom, quiz):
    topic = classroom.courses.get().topics.get(slug="regions")
    response = client_for(instructor).post(
        reverse("assignment_new", args=[classroom.pk]),
        {
            "work": f"topic-{topic.pk}",
            "due_at": "2030-01-01T10:00",
            "opens_at": "2030-01-01T09:00",
        },
        follow=True,
    )
    assert "Only a quiz opens and closes at set times." in response.text
    assert not Assignment.objects.exists()
    other_quiz = save_quiz(
        gift.parse("Q? {T}"), title="Elsewhere", course=Course.objects.create(slug="x", title="X")
    ).quiz
    client_for(instructor).post(
        reverse("assignment_new", args=[classroom.pk]),
        {"work": f"quiz-{other_quiz.pk}", "due_at": "2030-01-01T10:00"},
    )
    assert not Assignment.objects.exists()


def test_a_quiz_opens_and_closes_at_set_times(classroom, quiz, learner):
    now = timezone.now()
    assignment = Assignment.objects.create(
        classroom=classroom,
        quiz=quiz,
        due_at=now + timedelta(days=3),
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
    )
    lena = client_for(learner)
    start = f"{quiz.get_absolute_url()}start/"
    assert "This quiz opens at" in lena.post(start, follow=True).text
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=now - timedelta(hours=2), closes_at=now - timedelta(hours=1)
    )
    assert "This quiz has closed." in lena.post(start, follow=True).text
    closes = now + timedelta(minutes=30)
    Assignment.objects.filter(pk=assignment.pk).update(closes_at=closes)
    started = lena.post(start)
    assert started.url.startswith("/attempts/")
    attempt = learner.attempt_set.get()
    assert attempt.deadline == closes  # it ends when the quiz closes


def test_the_class_report_csv_opens_with_names_intact(instructor, classroom, learner):
    learner.username = "zoë"
    learner.save()
    response = client_for(instructor).get(
        reverse("class_report", args=[classroom.pk]) + "?format=csv"
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["learner", "due today", "overdue", "days since study", "mastery %"]
    assert rows[1][0] == "zoë"
    assert response["Content-Disposition"] == f'attachment; filename="class-{classroom.pk}.csv"'
