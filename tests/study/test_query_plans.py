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
from studyapp.study.reviewer import _first_new_card, grade, token_for
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
                Literal(p).as_string(connection.connection) for p in sql.adapted(params)
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


def _learner_with_started_cards(learner, started: int, cards: int = 400):
    """The learner has graded the first `started` cards of a topic, in order, as the
    reviewer serves them; PostgreSQL's statistics know it."""
    made = make_cards(cards)
    profile, now = profile_for(learner), timezone.now()
    for card in made[:started]:
        grade(learner, profile, card.pk, token_for(learner, card, None), 4, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made, now


def _rows_read(plan: str, node: str) -> int:
    """The rows that nodes naming `node` read in all: those they gave on, over all their
    loops, and those their filter threw away."""
    total, lines = 0, plan.split("\n")
    for n, line in enumerate(lines):
        if node not in line or ("->" not in line and n):
            continue
        rows, loops = re.search(r"actual time=\S+ rows=(\d+) loops=(\d+)", line).groups()
        total += int(rows) * int(loops)
        for detail in lines[n + 1 :]:
            if "->" in detail:
                break
            if removed := re.search(r"Rows Removed by Filter: (\d+)", detail):
                total += int(removed.group(1))
    return total


def _loops(plan: str, node: str) -> int:
    """The most times the plan runs a node that names `node` (1 when never looped)."""
    found = [int(n) for n in re.findall(rf"{node}.*?loops=(\d+)", plan)]
    return max(found, default=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_next_new_card_is_found_from_the_learner_s_frontier(learner):
    _learner_with_started_cards(learner, 150)
    plan = _generic_plan(*_first_new_card(learner, timezone.now(), None, None))
    # From the topic's first card, the walk read each of the 150 started cards.
    assert _rows_read(plan, "using card_new_order") < 10, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_day_counts_read_no_card_for_each_state(learner):
    _learner_with_started_cards(learner, 150)
    captured = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql, "rows", lambda query, params: captured.append((query, params)) or [])
        counts.day_counts(learner, profile_for(learner), timezone.now())
    ((query, params),) = captured
    plan = _generic_plan(query, list(params))
    # Each of the learner's 150 states once looked up its card (studyapp_card_pkey).
    assert _loops(plan, "on studyapp_card") < 5, plan
    assert "studyapp_card_pkey" not in plan or _loops(plan, "studyapp_card_pkey") < 5, plan


def _scope_counts_statement(learner, **scope) -> tuple[str, list]:
    """counts.scope_counts's statement and parameters, as it would send them (its row:
    all NULL, as for a learner with nothing studied)."""
    captured = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            sql, "fetch_one", lambda query, params: captured.append((query, params)) or [None] * 9
        )
        counts.scope_counts(learner, profile_for(learner), timezone.now(), **scope)
    ((query, params),) = captured
    return query, list(params)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_reviewer_s_counts_read_no_card_for_each_state(learner):
    _learner_with_started_cards(learner, 150)
    plan = _generic_plan(*_scope_counts_statement(learner))
    assert _loops(plan, "on studyapp_card") < 5, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans")
@pytest.mark.parametrize("in_course", [False, True])
def test_on_sqlite_the_reviewer_s_counts_read_the_hidden_cards_not_the_course_s(learner, in_course):
    (card, *_) = make_cards(50)
    query, params = _scope_counts_statement(
        learner, **({"course": card.course} if in_course else {})
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query}", sql.adapted(params))
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    # From the course's cards (an index of their course), probing the few the learner
    # hides: 10,000 cards read for every card shown, in bench/review.py's big course.
    assert "card_course_id" not in plan, plan
