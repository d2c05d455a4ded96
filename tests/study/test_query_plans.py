"""The reviewer's statements are prepared on PostgreSQL (settings: prepare_threshold), and
after a few runs PostgreSQL may keep one generic plan for every parameter. These check
that such plans stay good: a plan that guesses badly costs every learner every card."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils import timezone
from psycopg.sql import Literal

from studyapp import sql
from studyapp.accounts.models import profile_for
from studyapp.study import counts
from studyapp.study.reviewer import _first_new_card
from tests.conftest import make_cards, remember

pytestmark = pytest.mark.django_db


def test_only_code_constants_are_written_into_statements():
    assert sql.constant("from-quiz") == "'from-quiz'"
    for unsafe in ("x' OR '1'='1", "A", "", "from quiz"):
        with pytest.raises(ValueError):
            sql.constant(unsafe)


def _generic_plan(query: str, params: list) -> str:
    """EXPLAIN ANALYZE of the statement as a prepared statement's generic plan runs it."""
    numbers = iter(range(1, len(params) + 1))
    prepared = re.sub(r"%s", lambda _: f"${next(numbers)}", query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE generic AS {prepared}")
        try:
            # As literals: EXECUTE's own parameters would reach the server untyped.
            values = ", ".join(
                Literal(sql.param(p)).as_string(connection.connection) for p in params
            )
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) EXECUTE generic({values})")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE generic")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_new_card_query_generic_plan_walks_indexes_not_every_state(learner):
    cards = make_cards(400)
    now = timezone.now()
    for card in cards[:150]:  # the learner has started the first 150
        remember(learner, card, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    plan = _generic_plan(*_first_new_card(learner, now, None, None))
    # "kind <> $1" once made the generic plan expect no cards, and compare every card of
    # the topic with every state of the learner: 400 x 150 rows thrown away by a filter.
    removed = sum(int(n) for n in re.findall(r"Rows Removed by Join Filter: (\d+)", plan))
    assert removed < 2000, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_day_counts_count_a_course_s_cards_from_an_index_alone(learner):
    make_cards(400)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    captured = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql, "rows", lambda query, params: captured.append((query, params)) or [])
        counts.day_counts(learner, profile_for(learner), timezone.now())
    ((query, params),) = captured
    # Inside the test's transaction the table is never vacuumed, so PostgreSQL would
    # rather read 400 fresh rows; with sequential scans priced out, the plan shows that
    # the partial index answers the query's condition (the constant written in).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = _generic_plan(query, list(params))
    assert "using card_in_use on studyapp_card" in plan, plan
