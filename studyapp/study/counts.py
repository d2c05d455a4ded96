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
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from studyapp import sql
from studyapp.accounts.models import Profile
from studyapp.courses.models import Card, Course, Topic
from studyapp.study import scheduling
from studyapp.study.models import CardState, StudyDay
from studyapp.study.reviewer import (
    Today,
    in_use_sql,
    scope_sql,
    served_states,
    topic_scope_sql,
)
from studyapp.study.scheduling import Phase

Key = tuple[int, int | None]  # (course id, topic id); missed-quiz cards may have no topic
_LEARNING = f"({int(Phase.LEARNING)}, {int(Phase.RELEARNING)})"


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
    day = scheduling.study_day(now, profile.zone, profile.day_start_hour)
    start, end = scheduling.day_bounds(day, profile.zone, profile.day_start_hour)
    scope, scope_params = scope_sql(topic, course)
    topics, topics_params = topic_scope_sql("t", topic, course)
    served = served_states(learner, now, topic, course)
    own = f"(SELECT id FROM {served.own})"
    learning_due = f"SUM(CASE WHEN s.phase IN {_LEARNING} AND s.due < %s THEN 1 ELSE 0 END)"
    review_due = f"SUM(CASE WHEN s.phase = {int(Phase.REVIEW)} AND s.due < %s THEN 1 ELSE 0 END)"
    found: defaultdict[Key, Counts] = defaultdict(Counts)
    # One statement, four parts (the reviewer asks for counts with every card): each
    # topic's cards in use ("all", kept in the topic by the database: counting them here
    # cost every request a walk over the course's cards), those of them the learner has
    # suspended or buried ("hidden"), and the learner's states of the others ("seen",
    # read from the states alone, see served_states; those of their own cards of no
    # topic, from missed quiz questions, by their card's course): what is left is new to
    # the learner. And what the day's StudyDay holds so far ("day"), which the limits
    # are taken from.
    in_use = in_use_sql("c")
    rows = sql.rows(
        f"""WITH {served.sets}
            SELECT 'all', t.course_id, t.id, t.cards_in_use, 0, 0 FROM {sql.table(Topic)} t
            WHERE t.cards_in_use > 0 {topics} AND t.course_id IN (SELECT id FROM {served.courses})
            UNION ALL
            SELECT 'hidden', c.course_id, c.topic_id, COUNT(*), 0, 0
            FROM {served.hidden} h JOIN {sql.table(Card)} c ON c.id = h.card_id
            WHERE {in_use} AND c.topic_id IS NOT NULL {scope}
              AND c.course_id IN (SELECT id FROM {served.courses})
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
            *served.params,
            *topics_params,
            *scope_params,
            *[end, end, learner.pk],
            *[end, end, learner.pk],
            learner.pk,
            day,
        ],
    )
    # The day's counts so far, as Today.of reads them (its true-retention columns, which
    # nothing here uses, stay 0), or all 0 before the day's first review.
    studied = StudyDay(learner=learner, day=day)
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
    return DayCounts(
        Today(day, start, end, studied),
        dict(found),
        new_left=max(0, profile.new_per_day - studied.new_cards),
        reviews_left=max(0, profile.reviews_per_day - studied.review_cards),
    )
