"""A changed answer key: old attempts keep their marks, page and score alike, until the
teachers of its course regrade them (Moodle's rule: a regrade is an explicit action)."""

from __future__ import annotations

import pytest
from django.test import Client

from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Attempt, Quiz, Response

QUIZ = "::TF::AZs are inside Regions. {T}\n\n::Essay::Explain a VPC. {}\n"
REKEYED = QUIZ.replace("{T}", "{F}")


@pytest.fixture
def quiz(instructor, taught_course) -> Quiz:
    return save_quiz(gift.parse(QUIZ), title="Zones", owner=instructor).quiz


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def finished_attempt(client, quiz) -> Attempt:
    """Answer TF with True (right under the first key) and the essay, and finish."""
    attempt = Attempt.objects.get(
        pk=client.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/").url.split("/")[2]
    )
    for question, answer in ((quiz.questions.get(title="TF"), "true"),):
        client.post(f"/attempts/{attempt.pk}/questions/{question.pk}/", {"answer": answer})
    essay = quiz.questions.get(title="Essay")
    client.post(f"/attempts/{attempt.pk}/questions/{essay.pk}/", {"answer": "A network."})
    client.post(f"/attempts/{attempt.pk}/finish/")
    attempt.refresh_from_db()
    return attempt


def reupload(client, quiz, text: str):
    data = {"text": text, "format": "gift", "quiz": quiz.pk, "mode": "practice"}
    return client.post("/teach/upload/", data | {"action": "confirm"}, follow=True)


def test_old_attempts_keep_their_marks_on_the_page_and_in_the_score_until_a_regrade(
    learner, instructor, quiz
):
    lena, ines = client_for(learner), client_for(instructor)
    attempt = finished_attempt(lena, quiz)
    assert attempt.score == 1
    saved = reupload(ines, quiz, REKEYED)

    page = lena.get(f"/attempts/{attempt.pk}/").text
    # The essay waits for a mark, so the page gives no score yet (test_essays.py).
    assert 'data-mark="right"' in page and "<strong>awaiting marking</strong>" in page
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert "Regrade" in saved.text  # the owner is offered a regrade
    assert "1 question that learners had answered now has other right answers" in saved.text

    regraded = ines.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/regrade/", follow=True)
    assert "1 attempt" in regraded.text
    attempt.refresh_from_db()
    assert attempt.score == 0
    page = lena.get(f"/attempts/{attempt.pk}/").text
    assert 'data-mark="wrong"' in page
    # The essay waits for the instructor, as before: a regrade never marks it.
    assert Response.objects.get(question__title="Essay").fraction is None


def test_only_the_course_s_teachers_see_the_offer_and_may_regrade(
    client, learner, other_learner, instructor, co_teacher, other_instructor, quiz
):
    finished_attempt(client_for(learner), quiz)
    reupload(client_for(instructor), quiz, REKEYED)
    url = f"{quiz.get_absolute_url()}regrade/"
    assert client.post(url).status_code == 302  # anonymous: to the log-in page
    assert client.post(url).url.startswith("/accounts/login/")
    for person, status in ((learner, 403), (other_learner, 403), (other_instructor, 404)):
        visitor = client_for(person)
        assert "Regrade" not in visitor.get(quiz.get_absolute_url()).text
        assert visitor.post(url).status_code == status
    assert Attempt.objects.get().score == 1  # nobody but a teacher regraded it
    teacher = client_for(co_teacher)
    assert "Regrade" in teacher.get(quiz.get_absolute_url()).text
    assert teacher.get(url).status_code == 405
    assert teacher.post(url).status_code == 302
    assert Attempt.objects.get().score == 0
    assert "Regrade" not in teacher.get(quiz.get_absolute_url()).text  # done: no offer


def test_a_regrade_with_htmx_and_without_gives_the_same_result(learner, instructor, quiz):
    finished_attempt(client_for(learner), quiz)
    reupload(client_for(instructor), quiz, REKEYED)
    response = client_for(instructor).post(
        f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/regrade/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "1 attempt" in response.text
    assert Attempt.objects.get().score == 0


def test_an_answer_whose_choice_the_new_file_dropped_shows_and_regrades_to_zero(
    learner, instructor, taught_course
):
    text = "::MC::Which stores objects? {=S3 ~EC2 ~VPC}\n"
    quiz = save_quiz(gift.parse(text), title="Storage", owner=instructor).quiz
    quiz.shuffle = False
    quiz.save()
    lena = client_for(learner)
    attempt = Attempt.objects.get(
        pk=lena.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/").url.split("/")[2]
    )
    mc = quiz.questions.get()
    lena.post(f"/attempts/{attempt.pk}/questions/{mc.pk}/", {"answer": 2})  # VPC: wrong
    lena.post(f"/attempts/{attempt.pk}/finish/")
    reupload(client_for(instructor), quiz, "::MC::Which stores objects? {~EC2 =VPC}\n")
    assert lena.get(f"/attempts/{attempt.pk}/").status_code == 200
    client_for(instructor).post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/regrade/")
    assert Attempt.objects.get().score == 0
