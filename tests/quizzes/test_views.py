"""Taking quizzes through the views: practice and test modes, with and without htmx."""

from __future__ import annotations

import re
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

    quiz = save_quiz(gift.parse(QUIZ), title="Storage", topic=Topic.objects.get()).quiz
    # Practice with feedback at once (a new quiz waits for the last attempt: test_manage).
    quiz.show_answers = Quiz.Review.IMMEDIATELY
    quiz.save()
    return quiz


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
    # The chosen choice, then its own feedback inside the same list item; the right
    # answer under a label a sighted learner sees too.
    assert re.search(r"<li>EC2<div class=\"feedback[^>]*>EC2 is compute\.", page.text)
    assert '<span class="fw-semibold">Right answer:</span>' in page.text
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
    # Saved as chosen: the question's status, and its place in the list, turn to saved.
    assert "Saved at" in first.text and "data-mark" not in first.text
    assert f'id="nav-q-{short.pk}" hx-swap-oob="true"' in first.text
    assert 'data-answered="yes"' in first.text
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


def whole_form(attempt, answers: dict) -> dict:
    """The fields a test's whole form sends: each question's by its prefix."""
    fields = {}
    for q, value in answers.items():
        if isinstance(value, dict):
            fields |= {f"q{q.pk}-{k}": v for k, v in value.items()}
        else:
            fields[f"q{q.pk}-answer"] = value
    return fields


@pytest.fixture
def test_quiz(quiz):
    quiz.mode = Quiz.Mode.TEST
    quiz.save()
    return quiz


def test_a_test_is_one_form_and_finish_saves_every_answer_first(learner_client, test_quiz):
    """The loss a learner met: answers chosen but not saved one by one were dropped by
    "Finish". Now Finish sends the whole form, and saves it before finishing."""
    attempt = start(learner_client, test_quiz)
    page = learner_client.get(f"/attempts/{attempt.pk}/").text
    assert page.count(f'action="/attempts/{attempt.pk}/save/"') == 1
    assert "Save answer" not in page  # no per-question buttons to forget
    mc, tf, short, essay = (question(test_quiz, t) for t in ("MC", "TF", "Short", "Essay"))
    right = next(i for i, c in enumerate(mc.data["choices"]) if c["weight"] > 0)
    form = whole_form(
        attempt, {mc: right, tf: "true", short: "CloudFront", essay: "A private network."}
    )
    done = learner_client.post(f"/attempts/{attempt.pk}/save/", form | {"then": "finish"})
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert Response.objects.filter(attempt=attempt).count() == 4
    assert attempt.score == 3  # the essay waits for its mark
    assert "awaiting marking" in learner_client.get(f"/attempts/{attempt.pk}/").text


def test_save_all_keeps_answers_changeable_and_an_emptied_one_is_withdrawn(
    learner_client, test_quiz
):
    attempt = start(learner_client, test_quiz)
    short = question(test_quiz, "Short")
    url = f"/attempts/{attempt.pk}/save/"
    learner_client.post(url, whole_form(attempt, {short: "S3"}) | {"then": "save"})
    assert Response.objects.get(attempt=attempt).answer == "S3"
    learner_client.post(url, whole_form(attempt, {short: "CloudFront"}) | {"then": "save"})
    assert Response.objects.get(attempt=attempt).answer == "CloudFront"
    learner_client.post(url, whole_form(attempt, {short: ""}) | {"then": "save"})
    assert not Response.objects.filter(attempt=attempt).exists()
    assert attempt.responses.count() == 0


def test_finish_with_questions_unanswered_asks_first(learner_client, test_quiz):
    attempt = start(learner_client, test_quiz)
    tf = question(test_quiz, "TF")
    url = f"/attempts/{attempt.pk}/save/"
    asked = learner_client.post(url, whole_form(attempt, {tf: "true"}) | {"then": "finish"})
    assert asked.status_code == 302 and asked.url.endswith("?confirm=finish#finish")
    attempt.refresh_from_db()
    assert attempt.finished_at is None
    assert Response.objects.filter(attempt=attempt).count() == 1  # saved all the same
    page = learner_client.get(asked.url).text
    assert "3 questions not answered" in page and "Finish anyway" in page
    learner_client.post(url, whole_form(attempt, {tf: "true"}) | {"then": "finish-anyway"})
    attempt.refresh_from_db()
    assert attempt.finished_at is not None and attempt.score == 1


def test_an_answer_that_cannot_be_read_is_shown_again_and_stops_the_finish(
    learner_client, test_quiz
):
    extra = save_quiz(
        gift.parse("::N:: How many? {#3..6}"), title="Numbers", topic=test_quiz.topic
    ).quiz
    extra.mode = Quiz.Mode.TEST
    extra.save()
    attempt = start(learner_client, extra)
    n = extra.questions.get()
    page = learner_client.post(
        f"/attempts/{attempt.pk}/save/",
        whole_form(attempt, {n: "four-ish"}) | {"then": "finish"},
    )
    assert page.status_code == 422
    assert "could not be saved" in page.text and "nothing was finished" in page.text
    assert 'value="four-ish"' in page.text  # what was typed is not lost
    attempt.refresh_from_db()
    assert attempt.finished_at is None and not attempt.responses.exists()


def test_autosave_of_an_emptied_field_withdraws_the_answer(learner_client, test_quiz):
    attempt = start(learner_client, test_quiz)
    short = question(test_quiz, "Short")
    url = f"/attempts/{attempt.pk}/questions/{short.pk}/"
    learner_client.post(url, whole_form(attempt, {short: "S3"}), HTTP_HX_REQUEST="true")
    assert attempt.responses.count() == 1
    emptied = learner_client.post(url, whole_form(attempt, {short: " "}), HTTP_HX_REQUEST="true")
    assert "Not answered yet." in emptied.text and 'data-answered="no"' in emptied.text
    assert attempt.responses.count() == 0


def test_question_numbers_stay_and_gift_titles_are_not_shown(learner_client, quiz):
    attempt = start(learner_client, quiz)  # practice: each question checked on its own
    tf = question(quiz, "TF")
    number = 1 + [e["question"] for e in attempt.layout].index(tf.pk)  # shuffled
    page = learner_client.get(f"/attempts/{attempt.pk}/").text
    assert f"Question {number}</h2>" in page and ": TF<" not in page
    checked = learner_client.post(
        f"/attempts/{attempt.pk}/questions/{tf.pk}/", {"answer": "true"}, HTTP_HX_REQUEST="true"
    )
    # The fragment kept its number ("Question :" before) and shows no internal title.
    assert f"Question {number}</h2>" in checked.text
