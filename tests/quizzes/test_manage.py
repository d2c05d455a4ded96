"""Managing a quiz: its settings and review options, retiring, deleting, downloading.
Every view from every persona; and the review options as a learner meets them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from studyapp.courses.models import Card
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Attempt, Quiz
from studyapp.study.models import CardState

pytestmark = pytest.mark.django_db

QUIZ = "::MC:: Which stores objects? {=S3#Objects, yes. ~EC2#EC2 is compute.}\n"


@pytest.fixture
def quiz(taught_course) -> Quiz:
    quiz = save_quiz(gift.parse(QUIZ), title="Storage", course=taught_course).quiz
    quiz.shuffle = False
    quiz.save()
    return quiz


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def manage_urls(quiz) -> dict[str, str]:
    args = [quiz.course.slug, quiz.slug]
    return {
        "manage": reverse("quiz_manage", args=args),
        "retire": reverse("quiz_retire", args=args),
        "delete": reverse("quiz_delete", args=args),
        "download": reverse("quiz_download", args=[*args, "gift"]),
    }


def test_every_quiz_management_view_from_every_persona(
    client, learner, other_learner, instructor, co_teacher, other_instructor, quiz
):
    urls = manage_urls(quiz)
    for name, url in urls.items():
        call = client.get if name in ("manage", "download") else client.post
        response = call(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    for person, status in ((learner, 403), (other_learner, 403), (other_instructor, 404)):
        visitor = client_for(person)
        assert visitor.get(urls["manage"]).status_code == status
        assert visitor.get(urls["download"]).status_code == status
        assert visitor.post(urls["retire"]).status_code == status
        assert visitor.post(urls["delete"]).status_code == status
    quiz.refresh_from_db()
    assert quiz.retired_at is None
    for person in (instructor, co_teacher):
        assert client_for(person).get(urls["manage"]).status_code == 200


def test_settings_and_review_options_are_saved(co_teacher, quiz):
    response = client_for(co_teacher).post(
        manage_urls(quiz)["manage"],
        {
            "title": "Storage test",
            "mode": "test",
            "time_limit_minutes": "15",
            "max_attempts": "2",
            "show_answers": "after-last",
        },
    )
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert (quiz.title, quiz.mode, quiz.time_limit_minutes, quiz.max_attempts) == (
        "Storage test",
        "test",
        15,
        2,
    )
    assert (quiz.show_answers, quiz.shuffle) == ("after-last", False)
    bad = client_for(co_teacher).post(
        manage_urls(quiz)["manage"], {"title": "x", "mode": "test", "show_answers": "sometimes"}
    )
    assert bad.status_code == 200 and "Select a valid choice" in bad.text


def test_a_retired_quiz_is_hidden_from_learners_and_comes_back(instructor, learner, quiz):
    teacher, lena = client_for(instructor), client_for(learner)
    started = lena.post(f"{quiz.get_absolute_url()}start/")
    teacher.post(manage_urls(quiz)["retire"])
    assert "Storage" not in lena.get(reverse("quizzes")).text
    assert "Storage" not in lena.get(reverse("course", args=[quiz.course.slug])).text
    assert lena.get(quiz.get_absolute_url()).status_code == 404
    assert lena.post(f"{quiz.get_absolute_url()}start/").status_code == 404
    assert lena.get(started.url).status_code == 200  # their attempt is kept, and theirs
    assert "retired" in teacher.get(manage_urls(quiz)["manage"]).text
    teacher.post(manage_urls(quiz)["retire"])
    assert "Storage" in lena.get(reverse("quizzes")).text


def test_only_a_quiz_nobody_attempted_can_be_deleted(instructor, learner, quiz):
    teacher = client_for(instructor)
    client_for(learner).post(f"{quiz.get_absolute_url()}start/")
    refused = teacher.post(manage_urls(quiz)["delete"], follow=True)
    assert "retire it instead" in refused.text and Quiz.objects.exists()
    Attempt.objects.all().delete()
    assert teacher.post(manage_urls(quiz)["delete"]).status_code == 302
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "name", "words"),
    [
        ("gift", "storage.gift", "=S3#Objects, yes."),
        ("anki", "storage.txt", "#separator:tab"),
        ("quizlet", "storage.txt", "S3"),
    ],
)
def test_a_quiz_downloads_in_each_format(instructor, quiz, fmt, name, words):
    response = client_for(instructor).get(
        reverse("quiz_download", args=[quiz.course.slug, quiz.slug, fmt])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert words in response.content.decode()


def test_an_unknown_download_format_is_404(instructor, quiz):
    url = reverse("quiz_download", args=[quiz.course.slug, quiz.slug, "pdf"])
    assert client_for(instructor).get(url).status_code == 404


def answer_wrong(client, quiz, finish: bool = True) -> Attempt:
    attempt = Attempt.objects.get(
        pk=client.post(f"{quiz.get_absolute_url()}start/").url.split("/")[2]
    )
    question = quiz.questions.get()
    client.post(f"/attempts/{attempt.pk}/questions/{question.pk}/", {"answer": 1})  # EC2
    if finish:
        client.post(f"/attempts/{attempt.pk}/finish/")
    return attempt


def test_review_never_shows_no_right_answer_no_feedback_and_makes_no_card(learner, quiz):
    quiz.show_answers = Quiz.Review.NEVER
    quiz.save()
    lena = client_for(learner)
    attempt = answer_wrong(lena, quiz)
    page = lena.get(f"/attempts/{attempt.pk}/").text
    assert 'data-mark="wrong"' in page  # whether it was right is always shown
    assert "EC2 is compute." not in page and 'class="solution' not in page
    assert not Card.objects.filter(kind="from-quiz").exists()


def test_review_after_the_last_attempt_waits_for_it(learner, quiz):
    quiz.show_answers, quiz.max_attempts, quiz.mode = Quiz.Review.AFTER_LAST, 2, Quiz.Mode.TEST
    quiz.save()
    lena = client_for(learner)
    first = answer_wrong(lena, quiz)
    page = lena.get(f"/attempts/{first.pk}/").text
    assert 'class="solution' not in page and "until you have used all your attempts" in page
    assert not CardState.objects.exists()
    second = answer_wrong(lena, quiz)
    page = lena.get(f"/attempts/{second.pk}/").text
    assert 'class="solution' in page and "EC2 is compute." in page
    assert CardState.objects.filter(learner=learner, card__kind="from-quiz").count() == 1
    assert 'class="solution' in lena.get(f"/attempts/{first.pk}/").text  # now for both


def test_a_new_quiz_shows_answers_after_the_last_attempt(learner, db):
    quiz = save_quiz(gift.parse(QUIZ), title="Fresh").quiz
    assert quiz.show_answers == Quiz.Review.AFTER_LAST  # attempt 1 of 2 gives nothing away
    # With no attempts limit, any attempt may be the last: answers show once it is
    # finished (never would keep the learner's misses out of their reviews for good),
    # and not while it is open.
    lena = client_for(learner)
    attempt = answer_wrong(lena, quiz, finish=False)
    assert 'class="solution' not in lena.get(f"/attempts/{attempt.pk}/").text
    assert not CardState.objects.exists()
    lena.post(f"/attempts/{attempt.pk}/finish/")
    assert 'class="solution' in lena.get(f"/attempts/{attempt.pk}/").text
    assert CardState.objects.filter(learner=learner, card__kind="from-quiz").count() == 1
