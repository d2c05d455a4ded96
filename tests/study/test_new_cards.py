"""New cards in the reviewer's order, found from the learner's place in each topic
(NewCardFrontier) rather than from the topic's first card, and never skipped because of
it: not after an undo, a bury, a card added or brought back before that place, or cards
started some other way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from studyapp.accounts.models import profile_for
from studyapp.courses.models import Card
from studyapp.study.models import CardMark, NewCardFrontier
from studyapp.study.reviewer import Today, grade, next_card, token_for, undo_last
from tests.conftest import make_cards, remember

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def next_new(learner, now=NOW, topic=None) -> Card | None:
    profile = profile_for(learner)
    card, state = next_card(learner, profile, Today.of(learner, profile, now), now, topic)
    assert state is None, "a card already started came before the new ones"
    return card


def learn(learner, card: Card, now=NOW) -> None:
    """Grade a new card Easy, which sends it days away: it is not shown again today."""
    grade(learner, profile_for(learner), card.pk, token_for(learner, card, None), 4, now)


def frontier(learner, card: Card) -> int | None:
    found = NewCardFrontier.objects.filter(learner=learner, topic=card.topic_id).first()
    return found.last_card if found else None


def test_the_frontier_follows_new_cards_graded_in_order(learner):
    cards = make_cards(5)
    for card in cards[:3]:
        assert next_new(learner) == card
        learn(learner, card)
        assert frontier(learner, card) == card.pk
    assert next_new(learner) == cards[3]


def test_an_undone_first_review_makes_its_card_the_next_new_one_again(learner):
    cards = make_cards(4)
    for card in cards[:3]:
        assert next_new(learner) == card
        learn(learner, card)
    undo_last(learner)
    assert next_new(learner) == cards[2]
    learn(learner, cards[2])
    assert next_new(learner) == cards[3]
    assert frontier(learner, cards[2]) == cards[2].pk


def test_a_card_graded_out_of_order_does_not_move_the_frontier_past_a_gap(learner):
    cards = make_cards(4)
    learn(learner, cards[0])
    learn(learner, cards[2])  # cards[1] is still new: the frontier stays at cards[0]
    assert frontier(learner, cards[0]) == cards[0].pk
    assert next_new(learner) == cards[1]
    learn(learner, cards[1])
    assert next_new(learner) == cards[3]


def test_a_buried_new_card_comes_back_in_its_place(learner):
    cards = make_cards(3)
    CardMark.objects.create(learner=learner, card=cards[0], buried_until=NOW + timedelta(hours=1))
    assert next_new(learner) == cards[1]
    learn(learner, cards[1])
    assert frontier(learner, cards[1]) is None  # cards[0], new, lies before it
    assert next_new(learner) == cards[2]
    later = NOW + timedelta(hours=2)
    assert next_new(learner, later) == cards[0]


def test_a_card_added_before_the_frontier_comes_next(learner):
    cards = make_cards(3)
    learn(learner, cards[0])
    learn(learner, cards[1])
    assert frontier(learner, cards[1]) == cards[1].pk
    # A note gains a card near its start: it is numbered before the learner's place.
    added = Card.objects.create(
        course=cards[0].course,
        topic=cards[0].topic,
        kind="basic",
        front_html="Added",
        back_html="Late",
        key="added",
        line=0,
        position=0,
    )
    assert next_new(learner) == added


def test_a_card_brought_back_before_the_frontier_comes_next(learner):
    cards = make_cards(3)
    Card.objects.filter(pk=cards[0].pk).update(retired_at=NOW)
    learn(learner, next_new(learner))
    assert frontier(learner, cards[1]) == cards[1].pk
    Card.objects.filter(pk=cards[0].pk).update(retired_at=None)
    assert next_new(learner) == cards[0]


def test_cards_started_another_way_are_walked_past_and_the_frontier_catches_up(learner):
    cards = make_cards(6)
    for card in cards[:4]:
        remember(learner, card, NOW + timedelta(days=3))  # as an import of history would
    assert next_new(learner) == cards[4]
    learn(learner, cards[4])
    assert frontier(learner, cards[4]) == cards[4].pk
    assert next_new(learner) == cards[5]


def test_a_frontier_of_another_learner_or_topic_is_not_theirs(learner, other_learner):
    mine = make_cards(2, slug="mine")
    learn(other_learner, mine[0])
    assert next_new(learner) == mine[0]
    theirs = make_cards(2, slug="theirs", order=1)
    learn(learner, mine[0])
    learn(learner, mine[1])
    assert next_new(learner) == theirs[0]
