"""The day's counts and the reviewer's next card, against the rules read plainly from the
ORM, in random worlds: courses the learner may and may not study, retired cards, cards of
their own from missed quiz questions (with a topic and without), suspended and buried
cards, states in every phase, and each scope (everything, a course, a topic).

The counts read the learner's states alone (reviewer.served_states) and each topic's
count of cards kept by the database (Topic.cards_in_use); this checks that they still
say what the plain rules say."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from studyapp.accounts.models import profile_for
from studyapp.classes.models import Classroom, Membership
from studyapp.courses.models import Card, Course, Topic, shipped_course
from studyapp.study.counts import Counts, counts_and_next_card, day_counts, scope_counts
from studyapp.study.models import CardMark, CardState
from studyapp.study.reviewer import LEARN_AHEAD, next_card
from studyapp.study.scheduling import Phase

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def build(rng: random.Random, learner, other_learner) -> list[Course]:
    public = shipped_course()
    mine = Course.objects.create(slug="class-course", title="Mine", visibility="class")
    closed = Course.objects.create(slug="closed", title="Closed", visibility="class")
    classroom = Classroom.objects.create(name="Period 1")
    classroom.courses.add(mine)
    Membership.objects.create(classroom=classroom, learner=learner)
    courses = [public, mine, closed]
    for n, course in enumerate(courses):
        for t in range(2):
            topic = Topic.objects.create(course=course, slug=f"t{n}{t}", title=f"T{n}{t}", order=t)
            for k in range(rng.randint(0, 6)):
                own = rng.random() < 0.15
                card = Card.objects.create(
                    course=course,
                    topic=None if own and rng.random() < 0.5 else topic,
                    kind=Card.Kind.FROM_QUIZ if own else "basic",
                    learner=rng.choice([learner, other_learner]) if own else None,
                    front_html=f"F{k}",
                    back_html="B",
                    key=f"{n}{t}{k}",
                    line=k,
                    position=k,
                    retired_at=NOW if rng.random() < 0.15 else None,
                )
                if card.learner_id not in (None, learner.pk):
                    continue
                if rng.random() < 0.6:
                    phase = rng.choice([Phase.LEARNING, Phase.REVIEW, Phase.RELEARNING])
                    due = NOW + timedelta(hours=rng.choice([-30, -1, 1, 30, 24 * 5]))
                    CardState.objects.create(
                        learner=learner,
                        card=card,
                        topic_id=card.topic_id,
                        phase=phase,
                        step=0,
                        stability=3.0,
                        difficulty=5.0,
                        due=due,
                        reps=1,
                    )
                if rng.random() < 0.2:
                    CardMark.objects.create(
                        learner=learner,
                        card=card,
                        suspended=rng.random() < 0.5,
                        buried_until=NOW + timedelta(hours=rng.choice([-2, 2])),
                    )
    return courses


def plainly(learner, end, scope) -> dict[tuple, Counts]:
    """The counts, card by card, as the rules say them."""
    visible = set(Course.objects.visible_to(learner).values_list("pk", flat=True))
    found: dict[tuple, Counts] = {}
    states = {s.card_id: s for s in CardState.objects.filter(learner=learner)}
    hidden = {
        m.card_id
        for m in CardMark.objects.filter(learner=learner)
        if m.suspended or (m.buried_until and m.buried_until > NOW)
    }
    for card in Card.objects.all():
        if scope and not scope(card):
            continue
        mine = card.learner_id == learner.pk
        studiable = mine or (card.learner_id is None and card.course_id in visible)
        if card.retired_at or not studiable or card.pk in hidden:
            continue
        counts = found.setdefault((card.course_id, card.topic_id), Counts())
        state = states.get(card.pk)
        if state is None:
            if card.kind != Card.Kind.FROM_QUIZ and card.topic_id is not None:
                counts.new += 1
        elif state.due < end and state.phase == Phase.REVIEW:
            counts.due += 1
        elif state.due < end:
            counts.learning += 1
    return {key: c for key, c in found.items() if c != Counts()}


def _day(today) -> tuple:
    counts = today.counts
    return (
        today.day,
        today.start,
        today.end,
        counts.reviews,
        counts.new_cards,
        counts.review_cards,
        counts.correct,
    )


def _served(card, state) -> tuple:
    if card is None:
        return (None,)
    return (card.pk, card.topic_id, card.flag, state.pk if state else None)


@pytest.mark.parametrize("seed", range(12))
def test_the_counts_say_what_the_rules_say_in_every_scope(seed, learner, other_learner):
    rng = random.Random(seed)
    with transaction.atomic():
        courses = build(rng, learner, other_learner)
        profile = profile_for(learner)
        profile.new_per_day = profile.reviews_per_day = 9999
        profile.save()
        topic = rng.choice(list(Topic.objects.filter(course__in=courses[:2])))
        scopes = [
            ({}, None),
            ({"course": courses[1]}, lambda c: c.course_id == courses[1].pk),
            ({"course": courses[0]}, lambda c: c.course_id == courses[0].pk),
            ({"topic": topic}, lambda c: c.topic_id == topic.pk),
        ]
        for kwargs, scope in scopes:
            counted = day_counts(learner, profile, NOW, **kwargs)
            expected = plainly(learner, counted.today.end, scope)
            got = {key: c for key, c in counted.found.items() if c != Counts()}
            assert got == expected, (seed, kwargs)
            # And the reviewer serves a card exactly when something is counted: a new
            # card of a course and topic that count one new, or a card already started
            # that counts (or is a learning card due within LEARN_AHEAD).
            card, state = next_card(learner, profile, counted.today, NOW, **kwargs)
            # The reviewer's one statement for both says the same as each on its own (on
            # PostgreSQL: SQLite runs the two there, so this has its teeth in CI's PostgreSQL run).
            # Both with the new card looked for after and in the same statement.
            for taking_new in (False, True):
                today, left, both_card, both_state = counts_and_next_card(
                    learner, profile, NOW, **kwargs, taking_new=taking_new
                )
                assert left == counted.all(), (seed, kwargs, taking_new)
                assert _day(today) == _day(counted.today), (seed, kwargs, taking_new)
                got = _served(both_card, both_state)
                assert got == _served(card, state), (seed, kwargs, taking_new)
            # The reviewer's sums for the scope alone, under limits that bite too.
            for limits in ((9999, 9999), (1, 2)):
                profile.new_per_day, profile.reviews_per_day = limits
                today, left = scope_counts(learner, profile, NOW, **kwargs)
                capped = day_counts(learner, profile, NOW, **kwargs)
                assert (left, _day(today)) == (capped.all(), _day(capped.today)), (seed, kwargs)
            profile.new_per_day = profile.reviews_per_day = 9999
            if card is None:
                assert not expected, (seed, kwargs)
                continue
            found = expected.get((card.course_id, card.topic_id), Counts())
            if state is None:
                assert found.new > 0, (seed, kwargs)
            else:
                ahead = state.phase != Phase.REVIEW and state.due <= NOW + LEARN_AHEAD
                assert found.learning + found.due > 0 or ahead, (seed, kwargs)
        transaction.set_rollback(True)
