"""Taking quizzes through the views: practice and test modes, with and without htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studyapp.courses.models import Card
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Attempt, Quiz, Response
from studyapp.study.models import CardState
from tests.conftest import make_cards

QUIZ = """\
::MC::Which stores objects? {=S3#Yes. ~EC2#EC2 is compute.}

::TF::AZs are inside Regions. {T}

::Short::Name the CDN. {=CloudFront}

::Essay::Explain a VPC. {}
"""


@pytest.fixture
def quiz(db):
    make_cards(1, slug="storage")
    from studyapp.courses.models import Topic

    return save_quiz(gift.parse(QUIZ), title="Storage", topic=Topic.objects.get()).quiz


def start(client, quiz) -> Attempt:
    response = client.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/")
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.strip("/").split("/")[-1]))


def question(quiz, title):
    return quiz.questions.get(title=title)


def wrong_choice(q) -> int:
    return next(i for i, c in enumerate(q.data["choices"]) if c["weight"] <= 0)


def test_the_list_and_the_quiz_page(learner_client, quiz):
    assert "Storage" in learner_client.get("/quizzes/").text
    assert (
        "4 questions"
        in learner_client.get(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/").text
    )
    for _ in range(2):  # finished attempts must not multiply the question count
        attempt = start(learner_client, quiz)
        learner_client.post(f"/attempts/{attempt.pk}/finish/")
    assert "4 questions" in learner_client.get("/quizzes/").text


def test_practice_marks_each_answer_at_once_and_a_miss_becomes_a_review(
    learner_client, learner, quiz
):
    attempt = start(learner_client, quiz)
    mc = question(quiz, "MC")
    page = learner_client.post(
        f"/attempts/{attempt.pk}/questions/{mc.pk}/",
        {"answer": wrong_choice(mc)},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    assert 'data-mark="wrong"' in page.text and "EC2 is compute." in page.text
    assert "<html" not in page.text  # only the question's fragment
    card = Card.objects.get(question=mc)
    state = CardState.objects.get(learner=learner, card=card)
    assert card.kind == "from-quiz" and state.phase == 1  # learning, as after Again
    again = learner_client.post(
        f"/attempts/{attempt.pk}/questions/{mc.pk}/", {"answer": 0}, follow=True
    )
    assert "already answered" in again.text
    assert Response.objects.get().fraction == 0


def test_without_htmx_an_answer_redirects_to_the_question(learner_client, quiz):
    attempt = start(learner_client, quiz)
    tf = question(quiz, "TF")
    response = learner_client.post(f"/attempts/{attempt.pk}/questions/{tf.pk}/", {"answer": "true"})
    assert response.status_code == 302 and response.url.endswith(f"#q-{tf.pk}")
    page = learner_client.get(response.url)
    assert 'data-mark="right"' in page.text


def test_bad_answers_get_a_message_and_save_nothing(learner_client, quiz):
    attempt = start(learner_client, quiz)
    mc = question(quiz, "MC")
    for data in ({}, {"answer": "99"}, {"answer": "x"}, {"answer": ["0", "1"]}):
        page = learner_client.post(
            f"/attempts/{attempt.pk}/questions/{mc.pk}/", data, HTTP_HX_REQUEST="true"
        )
        assert page.status_code == 200 and 'role="alert"' in page.text
    # PostgreSQL cannot store a NUL character, in text or JSON: a message, not a 500.
    for title in ("Short", "Essay"):
        page = learner_client.post(
            f"/attempts/{attempt.pk}/questions/{question(quiz, title).pk}/",
            {"answer": "a\x00b"},
            HTTP_HX_REQUEST="true",
        )
        assert "NUL character" in page.text
    assert not Response.objects.exists()


def test_test_mode_keeps_answers_changeable_and_marks_at_the_end(learner_client, learner, quiz):
    quiz.mode = Quiz.Mode.TEST
    quiz.save()
    attempt = start(learner_client, quiz)
    short = question(quiz, "Short")
    url = f"/attempts/{attempt.pk}/questions/{short.pk}/"
    first = learner_client.post(url, {"answer": "nope"}, HTTP_HX_REQUEST="true")
    assert "Answer saved." in first.text and "data-mark" not in first.text
    learner_client.post(url, {"answer": "  cloudfront "})
    assert not CardState.objects.exists()  # nothing is marked before the end
    learner_client.post(f"/attempts/{attempt.pk}/finish/")
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert attempt.score == 1 and attempt.max_score == 4
    # The unanswered MC and TF become reviews; the right short answer and the essay do not.
    missed = set(
        CardState.objects.filter(learner=learner).values_list("card__question__title", flat=True)
    )
    assert missed == {"MC", "TF"}
    closed = learner_client.post(url, {"answer": "x"}, follow=True)
    assert "finished" in closed.text


def finish_missing_everything(client, learner, questions: int) -> tuple[int, int]:
    """Finish a fresh test of that many questions unanswered; return (statements, reviews)."""
    text = "\n\n".join(
        f"::Q{i}:: Is {i} even? {{{'T' if i % 2 == 0 else 'F'}}}" for i in range(questions)
    )
    topic = make_cards(1, slug=f"t{questions}")[0].topic
    quiz = save_quiz(gift.parse(text), title=f"Test {questions}", topic=topic).quiz
    quiz.mode = Quiz.Mode.TEST
    quiz.save()
    attempt = start(client, quiz)
    with CaptureQueriesContext(connection) as captured:
        client.post(f"/attempts/{attempt.pk}/finish/")
    reviews = CardState.objects.filter(learner=learner, card__question__quiz=quiz).count()
    return len(captured), reviews


def test_finishing_a_test_costs_the_same_however_many_were_missed(learner_client, learner):
    few, reviews = finish_missing_everything(learner_client, learner, 2)
    assert reviews == 2
    many, reviews = finish_missing_everything(learner_client, learner, 12)
    assert reviews == 12
    assert many == few


def test_a_reload_resumes_the_same_attempt_in_the_same_order(learner_client, quiz):
    first = start(learner_client, quiz)
    again = start(learner_client, quiz)
    assert first.pk == again.pk
    assert Attempt.objects.count() == 1


def test_the_attempts_limit(learner_client, quiz):
    quiz.max_attempts = 1
    quiz.save()
    attempt = start(learner_client, quiz)
    learner_client.post(f"/attempts/{attempt.pk}/finish/")
    refused = learner_client.post(
        f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/", follow=True
    )
    assert "used all 1 attempts" in refused.text
    assert Attempt.objects.count() == 1


def test_the_server_enforces_the_time_limit(learner_client, quiz):
    quiz.mode, quiz.time_limit_minutes = Quiz.Mode.TEST, 5
    quiz.save()
    attempt = start(learner_client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    tf = question(quiz, "TF")
    refused = learner_client.post(
        f"/attempts/{attempt.pk}/questions/{tf.pk}/", {"answer": "true"}, follow=True
    )
    assert "Time is up" in refused.text
    assert not Response.objects.exists()
    htmx = learner_client.post(
        f"/attempts/{attempt.pk}/questions/{tf.pk}/", {"answer": "true"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.headers["HX-Redirect"] == f"/attempts/{attempt.pk}/"
    attempt.refresh_from_db()
    assert attempt.finished_at is not None


def test_another_learners_attempt_is_not_found(client, other_learner, learner_client, quiz):
    attempt = start(learner_client, quiz)
    client.force_login(other_learner)
    tf = question(quiz, "TF")
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 404
    assert (
        client.post(f"/attempts/{attempt.pk}/questions/{tf.pk}/", {"answer": "true"}).status_code
        == 404
    )
    assert client.post(f"/attempts/{attempt.pk}/finish/").status_code == 404


def test_a_missed_question_shows_up_among_the_reviews(learner_client, quiz):
    attempt = start(learner_client, quiz)
    mc = question(quiz, "MC")
    learner_client.post(f"/attempts/{attempt.pk}/questions/{mc.pk}/", {"answer": wrong_choice(mc)})
    Card.objects.filter(kind="basic").update(retired_at=timezone.now())  # no new cards first
    page = learner_client.get("/study/")
    assert "Which stores objects?" in page.text
    assert page.context["card"].question == mc
