"""Who reaches a course: a public course is for every learner; a class-only course is for
its instructors (and, with the class issue, its classes' learners). Any other person gets
a 404 on each of its pages and never sees it listed, counted or offered for study."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from studyapp.courses.models import Course, Teaching
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from tests.conftest import make_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(instructor, co_teacher) -> Course:
    """A class-only course taught by the instructor and the co-teacher, with a topic of
    two cards and a quiz."""
    course = Course.objects.create(
        slug="secret", title="Secret course", visibility=Course.Visibility.CLASS
    )
    for person in (instructor, co_teacher):
        Teaching.objects.create(course=course, instructor=person)
    make_cards(2, slug="hidden", title="Hidden topic", course=course)
    save_quiz(gift.parse("::Q:: Hidden? {T}\n"), title="Hidden quiz", course=course)
    return course


def pages(course: Course) -> list[str]:
    quiz = course.quizzes.get()
    return [
        reverse("course", args=[course.slug]),
        reverse("topic", args=[course.slug, "hidden"]),
        reverse("study_course", args=[course.slug]),
        reverse("study_topic", args=[course.slug, "hidden"]),
        quiz.get_absolute_url(),
        reverse("course_cards", args=[course.slug]) + "?format=apkg",
        reverse("topic_cards", args=[course.slug, "hidden"]) + "?format=markdown",
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_class_only_course_is_404_and_unlisted_for_everyone_who_does_not_teach_it(
    private, learner, other_learner, other_instructor
):
    make_cards(1, slug="open", title="Open topic")  # the public course, for contrast
    for person in (learner, other_learner, other_instructor):
        client = client_for(person)
        for url in pages(private):
            assert client.get(url).status_code == 404, (person, url)
        quiz = private.quizzes.get()
        assert client.post(f"{quiz.get_absolute_url()}start/").status_code == 404
        home = client.get(reverse("home")).text
        assert "Secret course" not in home and "Hidden topic" not in home
        assert "Open topic" in home
        assert "Hidden quiz" not in client.get(reverse("quizzes")).text
        assert "Front" in client.get(reverse("study")).text  # the open card, not a hidden one
        assert "Hidden topic" not in client.get(reverse("study")).text
        assert "Hidden topic" not in client.get(reverse("progress")).text


def test_its_teachers_see_it_everywhere(private, instructor, co_teacher):
    for person in (instructor, co_teacher):
        client = client_for(person)
        for url in pages(private):
            assert client.get(url).status_code == 200, (person, url)
        assert "Secret course" in client.get(reverse("home")).text
        assert "Hidden quiz" in client.get(reverse("quizzes")).text


def test_anonymous_visitors_are_sent_to_log_in(client, private):
    for url in [*pages(private), reverse("home"), reverse("quizzes")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_nobody_else_can_grade_a_card_of_a_class_only_course(private, learner):
    from studyapp.study.reviewer import token_for

    card = private.cards.first()
    client = client_for(learner)
    data = {"card": card.pk, "token": token_for(learner, card, None), "rating": 3}
    assert client.post(reverse("grade"), data).status_code == 404


def test_home_lists_each_course_with_its_topics(learner, django_assert_max_num_queries):
    make_cards(1, slug="regions", title="Regions")
    other = Course.objects.create(slug="networks", title="Networks")
    make_cards(1, slug="vpc", title="VPC", course=other)
    client = client_for(learner)
    # Session, user, profile, today's limits, the counts, the streak, courses, topics,
    # classes, assignments; with assigned topics and quizzes three more
    # (classes/reports.learner_work), however many there are.
    with django_assert_max_num_queries(13):
        html = client.get(reverse("home")).text
    assert html.index("Cloud fundamentals") < html.index("Regions") < html.index("Networks")
    assert html.index("Networks") < html.index("VPC")
    assert reverse("study_course", args=["networks"]) in html
