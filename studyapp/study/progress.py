"""Where a learner stands: per-topic mastery, the review heatmap, the due forecast,
the streak and true retention. Read-only; every query is bounded by the course's size
or by a year of days, never by the length of the review history."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser

from studyapp import sql
from studyapp.accounts.models import Profile
from studyapp.courses.models import Card, Course, Topic
from studyapp.study import scheduling
from studyapp.study.models import CardState, StudyDay
from studyapp.study.reviewer import visible_courses

HEATMAP_WEEKS = 53
FORECAST_DAYS = 30
RETENTION_DAYS = 30
CELL = 12  # heatmap square size plus its gap, in SVG units


@dataclass
class TopicProgress:
    topic: Topic
    total: int
    seen: int = 0
    due: int = 0
    mastered: int = 0  # see scheduling.mastered

    @property
    def mastery(self) -> float | None:
        """The share of the topic's cards mastered; None before any is seen."""
        if not self.seen or not self.total:
            return None
        return self.mastered / self.total


@dataclass
class MissedQuestions:
    """A course's cards from quiz questions the learner missed (they belong to no
    topic's total): how many, and how many are due today."""

    course: Course
    cards: int = 0
    due: int = 0


class DayTotals(NamedTuple):
    """What the progress page reads of a StudyDay."""

    reviews: int
    retention_passed: int = 0
    retention_total: int = 0


@dataclass
class Progress:
    topics: list[TopicProgress]
    missed: list[MissedQuestions]
    days: dict[date, DayTotals]
    forecast: list[tuple[date, int]]
    today: date

    @property
    def streak(self) -> int:
        studied = {day for day, d in self.days.items() if d.reviews > 0}
        return streak(studied, self.today)

    @property
    def retention(self) -> tuple[int, int]:
        """Return (passed, total) over the last 30 days: each review card's first review of a
        day, with Again as a fail."""
        first = self.today - timedelta(days=RETENTION_DAYS - 1)
        recent = [d for day, d in self.days.items() if day >= first]
        return sum(d.retention_passed for d in recent), sum(d.retention_total for d in recent)

    @property
    def reviews_last_year(self) -> int:
        return sum(d.reviews for d in self.days.values())


def streak(studied: set[date], today: date) -> int:
    """Return the days in a row with reviews, up to today (or yesterday, before any today)."""
    day = today if today in studied else today - timedelta(days=1)
    count = 0
    while day in studied:
        count += 1
        day -= timedelta(days=1)
    return count


def streak_for(learner: AbstractBaseUser, today: date) -> int:
    """The learner's streak, from a year of study days at most (one query)."""
    since = today - timedelta(days=HEATMAP_WEEKS * 7)
    days = StudyDay.objects.filter(learner=learner, day__gt=since, reviews__gt=0)
    return streak(set(days.values_list("day", flat=True)), today)


def progress_for(learner: AbstractBaseUser, profile: Profile, now: datetime) -> Progress:
    """Gather everything the progress page shows, in three queries (four when there are
    missed quiz questions, whose courses are read once). Topics come in course and topic
    order; a topic with no card in use is left out."""
    zone, hour = profile.zone, profile.day_start_hour
    today = scheduling.study_day(now, zone, hour)
    _, today_end = scheduling.day_bounds(today, zone, hour)

    # In SQL, as the reviewer's queries are (studyapp/sql.py): the page is a learner's
    # daily stop, and the ORM took longer to build these than the database to run them.
    visible, visible_params = visible_courses(learner)
    found = sql.fetch_all(
        f"""SELECT {sql.columns(Topic, "t")}, {sql.columns(Course, "co")}, n.cards
            FROM (SELECT c.topic_id, COUNT(*) AS cards FROM {sql.table(Card)} c
                  WHERE c.retired_at IS NULL AND c.kind <> %s AND c.topic_id IS NOT NULL
                    AND c.course_id IN ({visible})
                  GROUP BY c.topic_id) n
            JOIN {sql.table(Topic)} t ON t.id = n.topic_id
            JOIN {sql.table(Course)} co ON co.id = t.course_id
            ORDER BY co.title, t."order", t.title, t.id""",
        [Card.Kind.FROM_QUIZ, *visible_params],
        Topic,
        Course,
    )
    topics = {}
    for topic, course, cards in found:
        topic.course = course
        topics[topic.pk] = TopicProgress(topic, cards)
    # The learner's states summed by the database, not walked here one by one (which cost
    # about 25 us a state: 50 ms of the page for a learner with 2,000 cards started).
    # Rows "t": per course, topic and kind (quiz cards or not), the states, those
    # mastered and those due today. Rows "f": the forecast's states by day, overdue ones
    # counting for today, each day the learner's own (its end from day_bounds, so a day
    # across a change of clocks is 23 or 25 hours).
    horizon = [today + timedelta(days=n) for n in range(FORECAST_DAYS)]
    ends = [scheduling.day_bounds(day, zone, hour)[1] for day in horizon]
    day_of = " ".join(f"WHEN s.due < %s THEN {n}" for n in range(FORECAST_DAYS))
    quiz = f"CASE WHEN c.kind = {sql.constant(Card.Kind.FROM_QUIZ)} THEN 1 ELSE 0 END"
    mastered = scheduling.mastered_sql("s.stability", sql.whole_days("%s", "s.last_review"))
    states = f"""{sql.table(CardState)} s JOIN {sql.table(Card)} c ON c.id = s.card_id
                 WHERE s.learner_id = %s AND c.retired_at IS NULL"""
    found = sql.rows(
        f"""SELECT 't', c.course_id, c.topic_id, {quiz}, COUNT(*),
                   SUM(CASE WHEN {mastered} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN s.due < %s THEN 1 ELSE 0 END)
            FROM {states}
            GROUP BY c.course_id, c.topic_id, {quiz}
            UNION ALL
            SELECT 'f', k.n, NULL, NULL, COUNT(*), NULL, NULL
            FROM (SELECT CASE {day_of} END AS n FROM {states} AND s.due < %s) k
            GROUP BY k.n""",
        [now, today_end, learner.pk, *ends, learner.pk, ends[-1]],
    )
    by_day = [0] * FORECAST_DAYS
    missed: dict[int, MissedQuestions] = {}
    for part, course_id, topic_id, is_quiz, n, mastered_n, due in found:
        if part == "f":
            by_day[int(course_id)] += int(n)  # the day's number, in the course's column
        # Cards from missed quiz questions count in the forecast and in their course's
        # "missed questions", not in a topic's "seen of total" (its own cards).
        elif is_quiz:
            if course_id is not None:
                entry = missed.setdefault(course_id, MissedQuestions(course_id))
                entry.cards += int(n)
                entry.due += int(due or 0)
        elif topic_id in topics:
            entry = topics[topic_id]
            entry.seen += int(n)
            entry.mastered += int(mastered_n or 0)
            entry.due += int(due or 0)

    since = today - timedelta(days=HEATMAP_WEEKS * 7)
    # Plain rows, not models: a year is up to 371 of them, and the page reads three fields.
    year = sql.rows(
        f"""SELECT d.day, d.reviews, d.retention_passed, d.retention_total
            FROM {sql.table(StudyDay)} d WHERE d.learner_id = %s AND d.day > %s""",
        [learner.pk, since],
    )
    days = {sql.as_date(day): DayTotals(*totals) for day, *totals in year}
    forecast = list(zip(horizon, by_day, strict=True))
    if missed:
        courses = Course.objects.in_bulk(list(missed))
        for entry in missed.values():
            entry.course = courses[entry.course]
    ordered = sorted(missed.values(), key=lambda m: m.course.title)
    return Progress(list(topics.values()), ordered, days, forecast, today)


class HeatCell(NamedTuple):
    x: int
    y: int
    day: date
    reviews: int
    level: int  # 0 (none) to 4 (most)


def heatmap_cells(days: Mapping[date, DayTotals | StudyDay], today: date) -> list[HeatCell]:
    """Lay out the last 53 weeks as GitHub-style squares: a column a week, Monday on top."""
    busiest = max((d.reviews for d in days.values()), default=0)
    cells = []
    for x, y, day in _year_of_squares(today):
        reviews = days[day].reviews if day in days else 0
        level = 0 if reviews == 0 else min(4, 1 + (4 * reviews - 1) // max(busiest, 1))
        cells.append(HeatCell(x, y, day, reviews, level))
    return cells


@functools.lru_cache(maxsize=8)
def _year_of_squares(today: date) -> tuple[tuple[int, int, date], ...]:
    """Where each day of the year up to today goes: the same for every learner whose
    study day it is, so worked out once a day, not once a page."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=HEATMAP_WEEKS - 1)
    return tuple(
        (n // 7 * CELL, n % 7 * CELL, first + timedelta(days=n))
        for n in range((today - first).days + 1)
    )


def monthly_totals(days: Mapping[date, DayTotals | StudyDay]) -> list[tuple[str, int]]:
    """Return reviews per month, oldest first: the heatmap's text alternative."""
    totals: defaultdict[tuple[int, int], int] = defaultdict(int)
    for day, counts in days.items():
        totals[day.year, day.month] += counts.reviews
    return [
        (date(year, month, 1).strftime("%B %Y"), n)
        for (year, month), n in sorted(totals.items())
        if n
    ]
