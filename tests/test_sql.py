"""The hand-written SQL of the reviewer (studyapp/sql.py) writes and reads the rows the
ORM would: the same columns and values, auto_now fields and all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from studyapp import sql
from studyapp.courses.models import Card, Lesson, Topic, shipped_course
from studyapp.study.models import CardState, ReviewLog, StudyDay
from tests.conftest import make_cards

NOW = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def row(model, pk) -> dict:
    """A row as the ORM reads it back, without its id."""
    values = model.objects.filter(pk=pk).values().get()
    values.pop("id")
    return values


def fetched(model, pk):
    found = sql.fetch_one(
        f"SELECT {sql.columns(model, 't')} FROM {sql.table(model)} t WHERE t.id = %s", [pk], model
    )
    return found[0]


def field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_insert_writes_the_row_save_would(learner):
    card = make_cards(1)[0]
    snapshot = {"phase": 2, "due": NOW.isoformat(), "step": None, "reps": 3}
    values = {
        "learner": learner,
        "card": card,
        "seq": 3,
        "rating": 3,
        "reviewed_at": NOW,
        "duration_ms": 4200,
        "day": date(2024, 5, 1),
        "state_before": snapshot,
        "counts_for_retention": True,
    }
    by_orm = ReviewLog.objects.create(**values)
    by_sql = ReviewLog(**(values | {"seq": 4}))  # the unique (learner, card, seq) wants another
    sql.insert(by_sql)
    assert by_sql.pk is not None and not by_sql._state.adding
    assert row(ReviewLog, by_sql.pk) == row(ReviewLog, by_orm.pk) | {"seq": 4}


def test_insert_fills_auto_now_fields_as_save_does():
    topic = Topic.objects.create(course=shipped_course(), slug="t", title="T")
    before = timezone.now()
    card = Card(
        course=topic.course, topic=topic, kind="basic", front_html="F", back_html="B", key="k"
    )
    sql.insert(card)  # created_at is auto_now_add: NOT NULL, filled only by pre_save
    stored = Card.objects.get(pk=card.pk)
    assert stored.created_at is not None and stored.created_at >= before
    assert card.created_at == stored.created_at  # the instance has it too, as after save()
    lesson = Lesson(topic=topic, source="a.md", title="A", content_hash="x")
    sql.insert(lesson)
    assert Lesson.objects.get(pk=lesson.pk).imported_at >= before


def test_update_writes_what_save_with_update_fields_would(learner):
    card = make_cards(1)[0]
    fields = ["phase", "step", "stability", "difficulty", "due", "last_review", "reps"]
    by_orm = CardState.objects.create(learner=learner, card=card, phase=1, due=NOW, reps=0)
    by_sql = CardState.objects.get(pk=by_orm.pk)
    changes = {
        "phase": 2,
        "step": None,
        "stability": 4.123456789,
        "difficulty": 6.5,
        "due": NOW + timedelta(days=3),
        "last_review": NOW,
        "reps": 4,
    }
    for obj in (by_orm, by_sql):
        for name, value in changes.items():
            setattr(obj, name, value)
    by_orm.save(update_fields=fields)
    expected = row(CardState, by_orm.pk)
    CardState.objects.filter(pk=by_orm.pk).update(phase=1, reps=0, due=NOW)
    sql.update(by_sql, fields)
    assert row(CardState, by_sql.pk) == expected


def test_fetched_instances_equal_what_the_orm_loads(learner):
    card = make_cards(1)[0]
    state = CardState.objects.create(
        learner=learner,
        card=card,
        phase=2,
        step=None,
        stability=3.5,
        difficulty=5.25,
        due=NOW,
        last_review=NOW - timedelta(days=2),
        reps=3,
    )
    log = ReviewLog.objects.create(
        learner=learner,
        card=card,
        seq=2,
        rating=4,
        reviewed_at=NOW,
        day=date(2024, 5, 1),
        state_before={"phase": 2, "due": NOW.isoformat()},
        counts_for_retention=True,
    )
    day = StudyDay.objects.create(learner=learner, day=date(2024, 5, 1), reviews=5, correct=4)
    for model, pk in (
        (Card, card.pk),
        (CardState, state.pk),
        (ReviewLog, log.pk),
        (StudyDay, day.pk),
        (Topic, card.topic_id),
    ):
        by_sql, by_orm = fetched(model, pk), model.objects.get(pk=pk)
        assert field_values(by_sql) == field_values(by_orm), model.__name__
        assert not by_sql._state.adding


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's statement cache")
def test_psycopg_keeps_its_parse_of_every_statement_of_a_card_s_answer(learner_client):
    from psycopg import _queries

    make_cards(3)
    statements = []

    def spy(execute, text, params, many, context):
        statements.append(text)
        return execute(text, params, many, context)

    with connection.execute_wrapper(spy):
        assert learner_client.get("/study/", HTTP_HX_REQUEST="true").status_code == 200
    # The day's counts and the due card, the longest, is over psycopg's own 4,096.
    assert max(len(text) for text in statements) > 4096
    assert all(len(text) <= _queries.MAX_CACHED_STATEMENT_LENGTH for text in statements)
