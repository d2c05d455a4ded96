"""A card made from a missed quiz question holds the right answer: it is its learner's own.

Nobody else may see it, list it, count it, open it or grade it; an id that is not the
learner's gets the same 404 as one that does not exist.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from studyapp.courses.models import Card, Topic
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Quiz
from studyapp.study.models import CardState
from studyapp.study.reviewer import token_for
from tests.conftest import COURSE, make_cards

QUIZ = "::Secret::Which service is the CDN? {=CloudFront ~EC2 ~S3}\n"


@pytest.fixture
def quiz(db):
    make_cards(1, slug="edge", title="Edge")
    quiz = save_quiz(gift.parse(QUIZ), title="Edge test", topic=Topic.objects.get()).quiz
    # Practice with feedback at once (a new quiz waits for the last attempt: test_manage).
    quiz.show_answers = Quiz.Review.IMMEDIATELY
    quiz.save()
    return quiz


def miss(client, quiz) -> Card:
    """Start the quiz as the client's learner and answer its question wrongly."""
    started = client.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/")
    attempt = int(started.url.strip("/").split("/")[-1])
    question = quiz.questions.get()
    wrong = next(i for i, c in enumerate(question.data["choices"]) if c["weight"] <= 0)
    client.post(f"/attempts/{attempt}/questions/{question.pk}/", {"answer": wrong})
    return CardState.objects.get(learner=client.learner, card__question=question).card


@pytest.fixture
def lena(client, learner):
    client.force_login(learner)
    client.learner = learner
    return client


@pytest.fixture
def omar(other_learner):
    from django.test import Client

    other = Client()
    other.force_login(other_learner)
    other.learner = other_learner
    return other


def test_the_card_of_a_missed_question_is_made_for_its_learner(lena, learner, quiz):
    card = miss(lena, quiz)
    assert card.kind == "from-quiz"
    assert Card.objects.get(pk=card.pk, learner=learner)


def test_another_learner_does_not_see_it_on_the_topic_page(lena, omar, quiz):
    miss(lena, quiz)
    mine = lena.get(reverse("topic", args=[COURSE, "edge"])).text
    theirs = omar.get(reverse("topic", args=[COURSE, "edge"])).text
    assert "Which service is the CDN?" in mine
    assert "Which service is the CDN?" not in theirs and "CloudFront" not in theirs
    assert "1 card." in theirs  # the topic's own card, and nothing else counted


def test_another_learner_cannot_open_it_by_id(lena, omar, quiz):
    card = miss(lena, quiz)
    assert lena.get(reverse("study"), {"card": card.pk, "answer": 1}).status_code == 200
    for query in ({"card": card.pk}, {"card": card.pk, "answer": 1}):
        assert omar.get(reverse("study"), query).status_code == 404
        assert omar.get(reverse("study_topic", args=[COURSE, "edge"]), query).status_code == 404
    # The same answer as for an id that does not exist at all.
    assert omar.get(reverse("study"), {"card": card.pk + 1000}).status_code == 404


def test_another_learner_cannot_grade_it(lena, omar, other_learner, quiz):
    card = miss(lena, quiz)
    # A token the server would have signed for Omar, had it shown him the card.
    data = {"card": card.pk, "token": token_for(other_learner, card, None), "rating": 3}
    assert omar.post(reverse("grade"), data).status_code == 404
    assert not CardState.objects.filter(learner=other_learner).exists()


def test_two_learners_who_miss_the_same_question_get_a_card_each(lena, omar, quiz):
    mine, theirs = miss(lena, quiz), miss(omar, quiz)
    assert mine.pk != theirs.pk
    assert CardState.objects.get(card=mine).learner == lena.learner
    assert CardState.objects.get(card=theirs).learner == omar.learner


def test_its_learner_studies_it_and_nobody_else_is_offered_it(lena, omar, quiz):
    card = miss(lena, quiz)
    Card.objects.filter(kind="basic").update(retired_at="2020-01-01T00:00:00Z")
    assert lena.get(reverse("study")).context["card"] == card
    assert omar.get(reverse("study")).context["card"] is None
