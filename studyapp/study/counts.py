"""Today's counts, as Anki's deck list and reviewer show them: New · Learning · Due.

New: cards never seen, as many as today's new-card limit still allows. Learning: cards in
(re)learning due before the study day ends. Due: review cards due before the day ends, as
many as today's review limit still allows. The limits are the learner's, for all their
courses together, so a course's or a topic's count is capped by what is left of them, as
Anki caps a deck by its parent's limit. The counts agree with what next_card serves.

Read-only, and one query whatever the number of courses and cards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser

from studyapp import sql
from studyapp.accounts.models import Profile
from studyapp.courses.models import Card, Course, Topic
from studyapp.study import scheduling
from studyapp.study.models import CardState, StudyDay
from studyapp.study.reviewer import (
    LOOK_FOR_NEW,
    Served,
    Today,
    card_after_due,
    due_card_sql,
    in_use_sql,
    new_card_sql,
    next_card,
    scope_sql,
    served_states,
    topic_scope_sql,
)
from studyapp.study.scheduling import Phase

Key = tuple[int, int | None]  # (course id, topic id); missed-quiz cards may have no topic
_LEARNING = f"({int(Phase.LEARNING)}, {int(Phase.RELEARNING)})"
_LEARNING_DUE = f"SUM(CASE WHEN s.phase IN {_LEARNING} AND s.due < %s THEN 1 ELSE 0 END)"
_REVIEW_DUE = f"SUM(CASE WHEN s.phase = {int(Phase.REVIEW)} AND s.due < %s THEN 1 ELSE 0 END)"


@dataclass
class Counts:
    new: int = 0
    learning: int = 0
    due: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.due

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.new + other.new, self.learning + other.learning, self.due + other.due)


@dataclass
class DayCounts:
    """The learner's study day, the uncapped counts by course and topic, and what is left
    of today's limits."""

    today: Today
    found: dict[Key, Counts]
    new_left: int
    reviews_left: int

    @classmethod
    def of(
        cls,
        profile: Profile,
        study_day: tuple[date, datetime, datetime],
        studied: StudyDay,
        found: dict[Key, Counts],
    ) -> DayCounts:
        """The counts found on a study day (_study_day's), with what its StudyDay so far
        leaves of the learner's daily limits."""
        return cls(
            Today(*study_day, studied),
            found,
            new_left=max(0, profile.new_per_day - studied.new_cards),
            reviews_left=max(0, profile.reviews_per_day - studied.review_cards),
        )

    def _capped(self, counts: Counts) -> Counts:
        return Counts(
            min(counts.new, self.new_left), counts.learning, min(counts.due, self.reviews_left)
        )

    def topic(self, course_id: int, topic_id: int | None) -> Counts:
        return self._capped(self.found.get((course_id, topic_id), Counts()))

    def course(self, course_id: int) -> Counts:
        found = [c for (course, _), c in self.found.items() if course == course_id]
        return self._capped(sum(found, Counts()))

    def all(self) -> Counts:
        return self._capped(sum(self.found.values(), Counts()))


def day_counts(
    learner: AbstractBaseUser,
    profile: Profile,
    now: datetime,
    topic: Topic | None = None,
    course: Course | None = None,
) -> DayCounts:
    """The learner's study day (Today) and its counts for every course and topic they may
    study, or only for one topic or course (the reviewer's). Suspended and buried cards
    count nowhere."""
    day, start, end = _study_day(profile, now)
    served = served_states(learner, now, topic, course)
    counts, params = _counts_sql(learner, day, end, topic, course, served)
    rows = sql.rows(f"WITH {served.sets} {counts}", [*served.params, *params])
    return _day_counts(learner, profile, (day, start, end), rows)


def counts_and_next_card(
    learner: AbstractBaseUser,
    profile: Profile,
    now: datetime,
    topic: Topic | None = None,
    course: Course | None = None,
    taking_new: bool = False,
) -> tuple[Today, Counts, Card | None, CardState | None]:
    """What the reviewer asks for with every card: the study day, what is left of it in
    the scope (scope_counts) and reviewer.next_card's card and state. On PostgreSQL the
    counts and the first due card come in one statement (they share its sets of what the
    learner may study): a trip to the database fewer per card, which saved 0.03-0.09 ms
    of the app's CPU and 0.13-0.17 ms of waiting, measured in one process against the
    two, whether the card was a due or a new one; a new card, when one comes next, is
    looked for after, as next_card does. SQLite runs in this process, where a statement
    costs no trip, and it ran the one statement at about half the speed of the two:
    there it runs the two.

    taking_new: the learner is taking new cards (they just graded one), so a new card
    likely comes next, and it is looked for in the same statement, where next_card would
    look for one. For a learner taking new cards that was 0.35-0.6 ms less a card (one
    process, alternating); for one whose next card is due, the unused look-up cost more
    than it saved, so it is only made on the hint.
    """
    if sql.vendor() != "postgresql":
        today, left = scope_counts(learner, profile, now, topic, course)
        return today, left, *next_card(learner, profile, today, now, topic, course)
    day, start, end = _study_day(profile, now)
    served = served_states(learner, now, topic, course)
    counts, counts_params = _scope_sql(learner, day, end, topic, course, served)
    # The due card's statement reads the day's review limit itself (due_card_sql).
    due, due_params = due_card_sql(learner, profile, day, end, now, served)
    params = [*served.params, *due_params, *counts_params]
    new_columns = new_join = ""
    if taking_new:
        # Looked for only where next_card would look: when no card is due but learning
        # ones ahead (rank 2), and today's new-card limit allows one. A condition of the
        # outer row alone, so PostgreSQL tests it before the look-up.
        new, new_params = new_card_sql(learner, now, topic, course)
        new_allowed = f"""COALESCE((SELECT d.new_cards FROM {sql.table(StudyDay)} d
                                    WHERE d.learner_id = %s AND d.day = %s), 0) < %s"""
        new_columns = ", new.*"
        new_join = f"""LEFT JOIN LATERAL ({new} AND (due.rnk IS NULL OR due.rnk = 2)
                                          AND {new_allowed}) new ON TRUE"""
        params += [*new_params, learner.pk, day, profile.new_per_day]
    # The due card (a row of NULLs when nothing is due), the counts' one row, and the
    # new card (NULLs when none is found).
    row = sql.fetch_one(
        f"""WITH {served.sets}
            SELECT due.*, counted.*{new_columns}
            FROM (SELECT 1 AS one) one LEFT JOIN ({due}) due ON TRUE
            CROSS JOIN ({counts}) counted
            {new_join}""",
        params,
    )
    width = sum(len(model._meta.concrete_fields) for model in (CardState, Card, Topic)) + 2
    counted = row[width : width + _SCOPE_COLUMNS]
    today, left = _scope_counts(learner, profile, (day, start, end), counted)
    new = LOOK_FOR_NEW
    if taking_new:
        new = sql.instances(row[width + _SCOPE_COLUMNS :], Card, Topic)
    card, state = card_after_due(
        learner, profile, today, now, topic, course, _due_row(row[:width], new), new=new
    )
    return today, left, card, state


def _due_row(row: Sequence, new: list | object) -> list | None:
    """The due card's part of counts_and_next_card's row as instances, as card_after_due
    takes it; None when the statement found a new card, which it looks for only when
    nothing is due or only learning ahead (rank 2), so that the new card comes first and
    the due card's three instances would be made for nothing (for a learner taking new
    cards, most cards)."""
    if new is not LOOK_FOR_NEW and new[0] is not None:
        return None
    return sql.instances(row, CardState, Card, Topic)


def scope_counts(
    learner: AbstractBaseUser,
    profile: Profile,
    now: datetime,
    topic: Topic | None = None,
    course: Course | None = None,
) -> tuple[Today, Counts]:
    """The learner's study day and what is left of it in one scope (a topic, a course, or
    everything they may study), capped by today's limits: DayCounts.all(), topic() or
    course() of day_counts, as the reviewer shows it above the card, in one row rather
    than one per topic (_scope_sql)."""
    day, start, end = _study_day(profile, now)
    served = served_states(learner, now, topic, course)
    counts, params = _scope_sql(learner, day, end, topic, course, served)
    row = sql.fetch_one(f"WITH {served.sets} {counts}", [*served.params, *params])
    return _scope_counts(learner, profile, (day, start, end), row)


_SCOPE_COLUMNS = 9  # _scope_sql's


@dataclass
class _Counted:
    """What both count statements (_scope_sql, _counts_sql) count, for a statement that
    starts WITH served.sets: `topics`, the FROM and WHERE of the scope's topics with
    cards in use (alias t); `hidden`, of the cards in use among those the learner hides
    (alias c); each with its parameters. _LEARNING_DUE and _REVIEW_DUE are the two
    statements' sums over states (alias s) due before the day ends (a %s each)."""

    topics: sql.Statement
    hidden: sql.Statement


def _counted(topic: Topic | None, course: Course | None, served: Served) -> _Counted:
    topics, topics_params = topic_scope_sql("t", topic, course)
    # The hidden cards from the few the learner hides, each looked up by its id: by the
    # card's course or topic, SQLite read every card of the course instead (10,000 in
    # bench/review.py's course_growth; sql.unindexed).
    scope, scope_params = scope_sql(topic, course, column=sql.unindexed)
    courses = f"(SELECT id FROM {served.courses})"
    return _Counted(
        topics=(
            f"""FROM {sql.table(Topic)} t
                WHERE t.cards_in_use > 0 {topics} AND t.course_id IN {courses}""",
            topics_params,
        ),
        hidden=(
            f"""FROM {served.hidden} h JOIN {sql.table(Card)} c ON c.id = h.card_id
                WHERE {in_use_sql("c")} AND c.topic_id IS NOT NULL {scope}
                  AND {sql.unindexed("c.course_id")} IN {courses}""",
            scope_params,
        ),
    )


def _scope_sql(
    learner: AbstractBaseUser,
    day: date,
    end: datetime,
    topic: Topic | None,
    course: Course | None,
    served: Served,
) -> tuple[str, list]:
    """The SELECT (for a statement that starts WITH served.sets) of one row of the day's
    counts in a scope, summed over its topics: the cards in use, those the learner hides,
    the states they have started of the others, learning and review states due before
    `end`; then the day's StudyDay so far (reviews, new cards, review cards, correct),
    NULLs before its first review. And its parameters.

    What _counts_sql counts, without the topics: the reviewer shows the scope's sums
    alone, and grouping the learner's states by topic, joining each group to its topic
    and sending the groups as JSON cost 0.17-0.24 ms of PostgreSQL's time a card and
    0.05 of the app's (60-120 states, one process, alternating)."""
    counted = _counted(topic, course, served)
    (topics, topics_params), (hidden, hidden_params) = counted.topics, counted.hidden
    own = f"(SELECT id FROM {served.own})"
    return (
        f"""SELECT (SELECT SUM(t.cards_in_use) {topics}), (SELECT COUNT(*) {hidden}),
                   g.started, g.learning, g.due,
                   d.reviews, d.new_cards, d.review_cards, d.correct
            FROM (SELECT SUM(CASE WHEN s.topic_id IS NOT NULL AND s.card_id NOT IN {own}
                                  THEN 1 ELSE 0 END) AS started,
                         {_LEARNING_DUE} AS learning, {_REVIEW_DUE} AS due
                  FROM {sql.table(CardState)} s
                  WHERE s.learner_id = %s AND {served.condition}) g
            LEFT JOIN {sql.table(StudyDay)} d ON d.learner_id = %s AND d.day = %s""",
        [*topics_params, *hidden_params, end, end, learner.pk, learner.pk, day],
    )


def _scope_counts(
    learner: AbstractBaseUser,
    profile: Profile,
    study_day: tuple[date, datetime, datetime],
    row: Sequence,
) -> tuple[Today, Counts]:
    """Today and the capped counts from _scope_sql's row."""
    cards, hidden, started, learning, due, *studied = (value or 0 for value in row)
    counts = StudyDay(learner=learner, day=study_day[0])  # true-retention columns stay 0
    counts.reviews, counts.new_cards, counts.review_cards, counts.correct = studied
    found = Counts(max(0, cards - hidden - started), learning, due)
    day = DayCounts.of(profile, study_day, counts, {})
    return day.today, day._capped(found)


def _study_day(profile: Profile, now: datetime) -> tuple[date, datetime, datetime]:
    """The learner's study day at `now`, and when it starts and ends."""
    day = scheduling.study_day(now, profile.zone, profile.day_start_hour)
    return day, *scheduling.day_bounds(day, profile.zone, profile.day_start_hour)


def _counts_sql(
    learner: AbstractBaseUser,
    day: date,
    end: datetime,
    topic: Topic | None,
    course: Course | None,
    served: Served,
) -> tuple[str, list]:
    """The SELECT of the day's counts (for a statement that starts WITH served.sets) of
    the study day `day`, which ends at `end`: its columns named part, course_id,
    topic_id, n, learning, due; and its parameters."""
    counted = _counted(topic, course, served)
    (topics, topics_params), (hidden, hidden_params) = counted.topics, counted.hidden
    own = f"(SELECT id FROM {served.own})"
    learning_due, review_due = _LEARNING_DUE, _REVIEW_DUE
    # One statement, four parts (the reviewer asks for counts with every card): each
    # topic's cards in use ("all", kept in the topic by the database: counting them here
    # cost every request a walk over the course's cards), those of them the learner has
    # suspended or buried ("hidden"), and the learner's states of the others ("seen",
    # read from the states alone, see served_states; those of their own cards of no
    # topic, from missed quiz questions, by their card's course): what is left is new to
    # the learner. And what the day's StudyDay holds so far ("day"), which the limits
    # are taken from.
    return (
        f"""SELECT 'all' AS part, t.course_id AS course_id, t.id AS topic_id,
                   t.cards_in_use AS n, 0 AS learning, 0 AS due
            {topics}
            UNION ALL
            SELECT 'hidden', c.course_id, c.topic_id, COUNT(*), 0, 0
            {hidden}
            GROUP BY c.course_id, c.topic_id
            UNION ALL
            SELECT 'seen', t.course_id, g.topic_id, g.started, g.learning, g.due
            FROM (SELECT s.topic_id,
                         COUNT(*) - SUM(CASE WHEN s.card_id IN {own} THEN 1 ELSE 0 END)
                             AS started,
                         {learning_due} AS learning, {review_due} AS due
                  FROM {sql.table(CardState)} s
                  WHERE s.learner_id = %s AND s.topic_id IS NOT NULL AND {served.condition}
                  GROUP BY s.topic_id) g
            JOIN {sql.table(Topic)} t ON t.id = g.topic_id
            UNION ALL
            SELECT 'seen', c.course_id, NULL, 0, {learning_due}, {review_due}
            FROM {sql.table(CardState)} s JOIN {sql.table(Card)} c ON c.id = s.card_id
            WHERE s.learner_id = %s AND s.topic_id IS NULL AND {served.condition}
            GROUP BY c.course_id
            UNION ALL
            SELECT 'day', d.reviews, d.new_cards, d.review_cards, d.correct, 0
            FROM {sql.table(StudyDay)} d WHERE d.learner_id = %s AND d.day = %s""",
        [
            *topics_params,
            *hidden_params,
            *[end, end, learner.pk],
            *[end, end, learner.pk],
            learner.pk,
            day,
        ],
    )


def _day_counts(
    learner: AbstractBaseUser,
    profile: Profile,
    study_day: tuple[date, datetime, datetime],
    rows: Iterable[Sequence],
) -> DayCounts:
    """DayCounts from the rows of _counts_sql for a study day (_study_day's)."""
    day = study_day[0]
    # The day's counts so far, as Today.of reads them (its true-retention columns, which
    # nothing here uses, stay 0), or all 0 before the day's first review.
    studied = StudyDay(learner=learner, day=day)
    found: defaultdict[Key, Counts] = defaultdict(Counts)
    # Totals first ("all" sorts first), so that "hidden" and "seen" are taken from them.
    for part, course_id, topic_id, n, learning, due in sorted(rows, key=lambda r: r[0]):
        if part == "day":
            studied.reviews, studied.new_cards, studied.review_cards = course_id, topic_id, n
            studied.correct = learning
            continue
        counts = found[course_id, topic_id]
        if part == "all":
            counts.new = int(n)
        elif part == "hidden":
            counts.new -= int(n)
        else:
            counts.new = max(0, counts.new - int(n or 0))
            counts.learning, counts.due = int(learning or 0), int(due or 0)
    return DayCounts.of(profile, study_day, studied, dict(found))
