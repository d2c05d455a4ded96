"""Today's counts, New · Learning · Due, as the home page and the reviewer show them:
capped by the learner's daily limits, and in agreement with what next_card serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from studyapp.accounts.models import profile_for
from studyapp.courses.models import Course, shipped_course
from studyapp.quizzes.imports import save_quiz
from studyapp.study.counts import Counts, counts_and_next_card, day_counts
from studyapp.study.reviewer import Today, grade, next_card, token_for
from tests.conftest import make_cards, remember

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def counts_now(learner, now=NOW, **scope):
    profile = profile_for(learner)
    return day_counts(learner, profile, now, **scope)


def test_new_learning_and_due_by_topic_and_course(learner):
    new_cards = make_cards(4, slug="regions")
    others = make_cards(3, slug="zones", order=1)
    remember(learner, new_cards[0], NOW - timedelta(days=1))  # a review, due
    remember(learner, new_cards[1], NOW + timedelta(days=3))  # a review, not due
    remember(learner, others[0], NOW - timedelta(minutes=5), phase=1, step=0, stability=1.0)
    remember(learner, others[1], NOW + timedelta(days=40), phase=3, step=0)  # relearning, later
    found = counts_now(learner)
    course = shipped_course().pk
    assert found.topic(course, new_cards[0].topic_id) == Counts(new=2, learning=0, due=1)
    assert found.topic(course, others[0].topic_id) == Counts(new=1, learning=1, due=0)
    assert found.course(course) == Counts(new=3, learning=1, due=1)
    assert found.all().total == 5


def reviews_due(learner, cards: int, due: int, new_per_day: int, reviews_per_day: int):
    """A topic of `cards` cards, the first `due` of them reviews due, and the learner's
    daily limits; return the cards and the learner's profile."""
    made = make_cards(cards, slug="limited")
    for card in made[:due]:
        remember(learner, card, NOW - timedelta(days=2))
    profile = profile_for(learner)
    profile.new_per_day, profile.reviews_per_day = new_per_day, reviews_per_day
    profile.save()
    return made, profile


def test_the_daily_limits_cap_every_count(learner):
    cards, profile = reviews_due(learner, 30, due=12, new_per_day=5, reviews_per_day=10)
    found = counts_now(learner)
    course = shipped_course().pk
    assert found.topic(course, cards[0].topic_id) == Counts(new=5, learning=0, due=10)
    assert found.course(course) == Counts(new=5, learning=0, due=10)
    # Grading uses up the limits, and the counts follow.
    today = Today.of(learner, profile, NOW)
    card, state = next_card(learner, profile, today, NOW)
    grade(learner, profile, card.pk, token_for(learner, card, state), 3, NOW)
    assert counts_now(learner).course(course).due == 9


def test_the_counts_agree_with_what_the_reviewer_serves(learner):
    """Study until the reviewer has nothing: it served exactly the counted cards."""
    cards = make_cards(6, slug="agree")
    for card in cards[:2]:
        remember(learner, card, NOW - timedelta(days=1))
    profile = profile_for(learner)
    profile.new_per_day = 3
    profile.save()
    counted = counts_now(learner).all()
    assert counted == Counts(new=3, learning=0, due=2)
    served = 0
    while served < 50:
        today = Today.of(learner, profile, NOW)
        card, state = next_card(learner, profile, today, NOW)
        if card is None or (state is not None and state.due > NOW):
            break  # only learning ahead is left, which Anki does not count either
        grade(learner, profile, card.pk, token_for(learner, card, state), 4, NOW)  # Easy
        served += 1
    assert served == counted.total


def test_the_reviewer_s_one_statement_stops_at_the_review_limit(learner):
    """counts_and_next_card reads today's reviews so far in its own statement: with three
    reviews due and a limit of two, it serves two, and then neither a review nor a new
    card (the new-card limit is 0), and its counts say so."""
    cards, profile = reviews_due(learner, 5, due=3, new_per_day=0, reviews_per_day=2)
    served = []
    for _ in range(5):
        _, left, card, state = counts_and_next_card(learner, profile, NOW)
        if card is None:
            break
        assert left.due == 2 - len(served)
        grade(learner, profile, card.pk, token_for(learner, card, state), 4, NOW)
        served.append(card.pk)
    assert len(served) == 2 and set(served) <= {c.pk for c in cards[:3]}
    assert left == Counts()


@pytest.mark.parametrize("taking_new", [False, True])
def test_the_reviewer_s_one_statement_stops_at_the_new_card_limit(learner, taking_new):
    """counts_and_next_card reads today's new cards so far (in its own statement, when
    taking new cards): with a limit of two, it serves two new cards, each graded Good
    into learning, and then the learning card due soonest ahead (what is left when
    nothing is due and the limit is used up), not a third new card."""
    cards = make_cards(4)
    profile = profile_for(learner)
    profile.new_per_day = 2
    profile.save()
    served = []
    for _ in range(2):
        _, left, card, state = counts_and_next_card(learner, profile, NOW, taking_new=taking_new)
        assert state is None and left.new == 2 - len(served)
        grade(learner, profile, card.pk, token_for(learner, card, state), 3, NOW)
        served.append(card.pk)
    assert served == [cards[0].pk, cards[1].pk]
    _, left, card, state = counts_and_next_card(learner, profile, NOW, taking_new=taking_new)
    assert left.new == 0
    assert state is not None and card.pk == cards[0].pk  # learning, due within LEARN_AHEAD
    profile.new_per_day = 3  # and with one more allowed, the third new card comes first
    profile.save()
    _, left, card, state = counts_and_next_card(learner, profile, NOW, taking_new=taking_new)
    assert (card.pk, state) == (cards[2].pk, None)


def test_a_missed_quiz_question_counts_for_its_learner_only(learner, other_learner):
    from studyapp.formats import gift

    quiz = save_quiz(gift.parse("::Q:: AZs sit in Regions. {T}"), title="Q").quiz
    from studyapp.quizzes.cards import cards_for
    from studyapp.study.reviewer import schedule_missed

    card = cards_for(learner, list(quiz.questions.all()))[0]
    schedule_missed(learner, profile_for(learner), [card], NOW)
    course = shipped_course().pk
    mine = counts_now(learner).topic(course, card.topic_id)
    assert mine.learning == 1 and mine.new == 0
    assert counts_now(other_learner).all() == Counts()


def test_the_home_page_is_a_deck_list(learner_client, learner):
    cards = make_cards(3, slug="regions", title="Regions")
    Course.objects.create(slug="empty", title="Empty course", visibility="public")
    remember(learner, cards[0], NOW - timedelta(days=1))
    html = learner_client.get(reverse("home")).text
    assert "Study now" in html
    row = html[html.index(">Regions</a>") :].split("</tr>")[0]
    # New 2, learning 0, due 1, in that order, each in its column.
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:3]] == ["2", "0", "1"]
