"""The class report: what a teacher of a spaced-repetition class needs to see tomorrow.

Read-only, and a fixed number of queries whatever the class's size: the per-learner,
per-topic figures are aggregated in the database (bench/report.py measures it), never
fetched card by card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import Count, Min

from studyapp import sql
from studyapp.accounts.models import Profile
from studyapp.classes.models import Assignment, Classroom, Membership
from studyapp.courses.models import Card, Course, Topic
from studyapp.quizzes.models import Attempt, Quiz
from studyapp.study import scheduling
from studyapp.study.models import CardState, StudyDay

FORECAST_DAYS = 14


@dataclass
class Cell:
    """One learner's figures for one topic."""

    seen: int = 0
    total: int = 0
    mastered: int = 0  # see scheduling.mastered
    due_today: int = 0
    overdue: int = 0  # due on a day before today

    @property
    def mastery(self) -> float | None:
        """The share of the topic's cards mastered; None before any is seen."""
        return self.mastered / self.total if self.seen and self.total else None

    @property
    def percent_seen(self) -> int:
        return round(100 * self.seen / self.total) if self.total else 0


@dataclass
class WorkState:
    """Where a learner stands with one assignment."""

    assignment: Assignment
    state: str  # "not started", "in progress", "done", "late"
    done_late: bool = False


@dataclass
class LearnerRow:
    """One learner's line of the report. Its totals are worked out once, when first
    asked for: the report is complete by then, and sorting and writing ask many times."""

    learner_id: int
    username: str
    cells: dict[int, Cell] = field(default_factory=dict)  # by topic id
    last_study: date | None = None
    days_since_study: int | None = None
    work: list[WorkState] = field(default_factory=list)

    @cached_property
    def due_today(self) -> int:
        return sum(c.due_today for c in self.cells.values())

    @cached_property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.cells.values())

    @cached_property
    def mastery(self) -> float | None:
        """The share of all the class's topics' cards mastered; None before any is seen."""
        if not any(c.seen for c in self.cells.values()):
            return None
        total = sum(c.total for c in self.cells.values())
        return sum(c.mastered for c in self.cells.values()) / total if total else None

    @cached_property
    def late(self) -> int:
        return sum(1 for w in self.work if w.state == "late")

    def need(self) -> tuple:
        """Sort key: the learners who most need help first: more overdue, more late work,
        longer since they studied, lower mastery."""
        days = self.days_since_study if self.days_since_study is not None else 10_000
        return (-self.overdue, -self.late, -days, self.mastery or 0.0)


@dataclass
class ClassReport:
    classroom: Classroom
    topics: list[Topic]
    rows: list[LearnerRow]
    assignments: list[Assignment]
    forecast: list[tuple[date, int]]
    today: date


# The report's queries are written in SQL (see studyapp/sql.py): a teacher's report runs
# a handful of them, and the ORM spent longer building them than the database running
# them (bench/report.py).


def class_report(classroom: Classroom, now: datetime, viewer: Profile) -> ClassReport:
    """Gather the class report in a fixed number of queries (five, and one more when a
    quiz is assigned)."""
    rows, bounds = _learners(classroom, now)
    topics = _topics(classroom)
    for row in rows.values():
        row.cells = {t.pk: Cell(total=t.card_count) for t in topics}
    viewer_day, viewer_start, _ = _today_bounds(viewer.zone, viewer.day_start_hour, now)
    forecast = [0] * FORECAST_DAYS
    if rows and topics:
        learner_ids, topic_ids = list(rows), [t.pk for t in topics]
        _fill_cells(rows, bounds, topic_ids, now)
        forecast = _forecast(learner_ids, topic_ids, viewer_start)
    assignments = _assignments(classroom)
    _fill_work(rows, assignments, now)
    return ClassReport(
        classroom=classroom,
        topics=topics,
        rows=sorted(rows.values(), key=LearnerRow.need),
        assignments=assignments,
        forecast=[(viewer_day + timedelta(days=n), due) for n, due in enumerate(forecast)],
        today=viewer_day,
    )


def _today_bounds(zone, hour: int, now: datetime) -> tuple[date, datetime, datetime]:
    day = scheduling.study_day(now, zone, hour)
    start, end = scheduling.day_bounds(day, zone, hour)
    return day, start, end


def _learners(
    classroom: Classroom, now: datetime
) -> tuple[dict[int, LearnerRow], dict[int, tuple[date, datetime, datetime]]]:
    """The class's learners by name, each with the day they last studied, and each one's
    today (in their own time zone, from their own day start)."""
    found = sql.rows(
        f"""SELECT u.id, u.username, p.time_zone, p.day_start_hour,
                   (SELECT MAX(d.day) FROM {sql.table(StudyDay)} d
                    WHERE d.learner_id = u.id AND d.reviews > 0)
            FROM {sql.table(Membership)} m
            JOIN {sql.table(get_user_model())} u ON u.id = m.learner_id
            LEFT JOIN {sql.table(Profile)} p ON p.user_id = u.id
            WHERE m.classroom_id = %s
            ORDER BY u.username""",
        [classroom.pk],
    )
    rows, bounds, zones = {}, {}, {}
    for learner_id, username, zone, hour, last in found:
        key = (zone or "UTC", 4 if hour is None else hour)
        if key not in zones:  # most of a class shares one zone: work its day out once
            zones[key] = _today_bounds(scheduling.ZoneInfo(key[0]), key[1], now)
        bounds[learner_id] = zones[key]
        row = rows[learner_id] = LearnerRow(learner_id, username)
        if last is not None:
            row.last_study = sql.as_date(last)
            row.days_since_study = (zones[key][0] - row.last_study).days
    return rows, bounds


def _topics(classroom: Classroom) -> list[Topic]:
    """The topics of the class's courses, in course and topic order, each with its number
    of cards in use (card_count, as Topic.objects.with_card_counts: Topic.cards_in_use)."""
    found = sql.rows(
        f"""SELECT t.id, t.title, t.slug, t.course_id, t.cards_in_use
            FROM {sql.table(Topic)} t
            JOIN {sql.table(Classroom.courses.through)} cc ON cc.course_id = t.course_id
            JOIN {sql.table(Course)} co ON co.id = t.course_id
            WHERE cc.classroom_id = %s
            ORDER BY co.title, t."order", t.title""",
        [classroom.pk],
    )
    topics = []
    for pk, title, slug, course_id, count in found:
        topic = Topic(pk=pk, title=title, slug=slug, course_id=course_id)
        topic.card_count = count
        topics.append(topic)
    return topics


def _in(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _not_counted(topic_ids: list[int], quiz_cards_count: bool) -> tuple[str, list]:
    """SQL excluding (by s.card_id) the topics' retired cards, and their missed-quiz
    cards unless those count: a short list, looked up once, where joining every state
    to its card would cost more than counting the states (bench/report.py)."""
    quiz_cards = "" if quiz_cards_count else " OR c.kind = %s"
    return (
        f"""s.card_id NOT IN (SELECT c.id FROM {sql.table(Card)} c
                              WHERE c.topic_id IN ({_in(topic_ids)})
                                AND (c.retired_at IS NOT NULL{quiz_cards}))""",
        [*topic_ids, *([] if quiz_cards_count else [Card.Kind.FROM_QUIZ])],
    )


def _fill_cells(
    rows: dict[int, LearnerRow],
    bounds: dict[int, tuple[date, datetime, datetime]],
    topic_ids: list[int],
    now: datetime,
) -> None:
    """One query over the learners' states of the topics' cards in use (read from the
    cardstate_report index alone): per learner and topic, the cards seen, due today,
    overdue and mastered, each learner's "today" in their own time zone."""
    learner_ids = list(rows)
    starts, start_params = _per_learner({pk: bounds[pk][1] for pk in learner_ids})
    ends, end_params = _per_learner({pk: bounds[pk][2] for pk in learner_ids})
    mastered = scheduling.mastered_sql("s.stability", sql.whole_days("%s", "s.last_review"))
    counted, counted_params = _not_counted(topic_ids, quiz_cards_count=False)
    found = sql.rows(
        f"""SELECT s.learner_id, s.topic_id, COUNT(*),
                   SUM(CASE WHEN s.due < {starts} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN s.due < {ends} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {mastered} THEN 1 ELSE 0 END)
            FROM {sql.table(CardState)} s
            WHERE s.learner_id IN ({_in(learner_ids)}) AND s.topic_id IN ({_in(topic_ids)})
              AND {counted}
            GROUP BY s.learner_id, s.topic_id""",
        [*start_params, *end_params, now, *learner_ids, *topic_ids, *counted_params],
    )
    for learner_id, topic_id, seen, overdue, due_by_end, mastered_count in found:
        cell = rows[learner_id].cells[topic_id]
        cell.seen, cell.overdue = int(seen), int(overdue or 0)
        cell.due_today = int(due_by_end or 0) - cell.overdue
        cell.mastered = int(mastered_count or 0)


def _forecast(learner_ids: list[int], topic_ids: list[int], start: datetime) -> list[int]:
    """The class's reviews due on each of the next FORECAST_DAYS days from start (the
    viewer's today), overdue ones counting for today, missed-quiz cards of the topics
    included (they are reviews owed too): one query, over the states due by then only
    (read from the cardstate_due index alone)."""
    end = start + timedelta(days=FORECAST_DAYS)
    day = sql.whole_days("s.due", "%s")
    counted, counted_params = _not_counted(topic_ids, quiz_cards_count=True)
    found = sql.rows(
        f"""SELECT CASE WHEN s.due < %s THEN 0 ELSE {day} END AS k, COUNT(*)
            FROM {sql.table(CardState)} s
            WHERE s.learner_id IN ({_in(learner_ids)}) AND s.due < %s
              AND s.topic_id IN ({_in(topic_ids)}) AND {counted}
            GROUP BY 1""",
        [start, start, *learner_ids, end, *topic_ids, *counted_params],
    )
    forecast = [0] * FORECAST_DAYS
    for k, n in found:
        forecast[min(int(k), FORECAST_DAYS - 1)] += int(n)
    return forecast


def _per_learner(values: dict[int, datetime]) -> tuple[str, list]:
    """SQL for a time that may differ by learner (their day starts in their own zone):
    a plain parameter when it is the same for all, as in most classes, else a CASE."""
    if len(set(values.values())) == 1:
        return "%s", [next(iter(values.values()))]
    cases = " ".join("WHEN %s THEN %s" for _ in values)
    return f"(CASE s.learner_id {cases} END)", [p for item in values.items() for p in item]


def _assignments(classroom: Classroom) -> list[Assignment]:
    """The class's assignments, due soonest first, each with its topic or quiz."""
    found = sql.fetch_all(
        f"""SELECT {sql.columns(Assignment, "a")}, {sql.columns(Topic, "t")},
                   {sql.columns(Quiz, "q")}
            FROM {sql.table(Assignment)} a
            LEFT JOIN {sql.table(Topic)} t ON t.id = a.topic_id
            LEFT JOIN {sql.table(Quiz)} q ON q.id = a.quiz_id
            WHERE a.classroom_id = %s
            ORDER BY a.due_at, a.id""",
        [classroom.pk],
        Assignment,
        Topic,
        Quiz,
    )
    assignments = []
    for assignment, topic, quiz in found:
        assignment.topic, assignment.quiz = topic, quiz
        assignments.append(assignment)
    return assignments


def _fill_work(rows: dict[int, LearnerRow], assignments: list[Assignment], now: datetime) -> None:
    """Each learner's state for each assignment: topic work from the cells already
    counted, quiz work from one query of the learners' attempts at the assigned quizzes."""
    quiz_ids = {a.quiz_id for a in assignments if a.quiz_id}
    attempts: dict[tuple[int, int], dict] = {}
    if quiz_ids and rows:
        found = (
            Attempt.objects.filter(learner__in=list(rows), quiz__in=quiz_ids)
            .values("learner", "quiz")
            .annotate(first_finished=Min("finished_at"), started=Min("started_at"))
        )
        attempts = {(a["learner"], a["quiz"]): a for a in found}
    for row in rows.values():
        for a in assignments:
            cell = row.cells.get(a.topic_id, Cell()) if a.topic_id else None
            row.work.append(work_state(a, cell, attempts.get((row.learner_id, a.quiz_id)), now))


def work_state(assignment: Assignment, cell: Cell | None, attempts: dict | None, now) -> WorkState:
    """A learner's state for an assignment: a topic is done when every card of it has been
    introduced (and so reviewed once); a quiz when an attempt at it is finished."""
    done_at = None
    if cell is not None:
        done, started = cell.total > 0 and cell.seen >= cell.total, cell.seen > 0
    else:
        done_at = (attempts or {}).get("first_finished")
        done, started = done_at is not None, bool(attempts)
    if done:
        return WorkState(
            assignment, "done", done_late=bool(done_at and done_at > assignment.due_at)
        )
    if now > assignment.due_at:
        return WorkState(assignment, "late")
    return WorkState(assignment, "in progress" if started else "not started")


def learner_work(learner, now: datetime) -> list[WorkState]:
    """What the learner's classes assign them, due soonest first, each with its state.
    Four queries, however many classes and assignments."""
    assignments = list(
        Assignment.objects.filter(classroom__members__learner=learner)
        .select_related("classroom", "topic__course", "quiz__course")
        .order_by("due_at", "pk")
    )
    topic_ids = {a.topic_id for a in assignments if a.topic_id}
    quiz_ids = {a.quiz_id for a in assignments if a.quiz_id}
    cells = {pk: Cell() for pk in topic_ids}
    if topic_ids:
        in_use = Card.objects.active().filter(topic__in=topic_ids).exclude(kind=Card.Kind.FROM_QUIZ)
        for topic_id, n in in_use.values("topic").annotate(n=Count("pk")).values_list("topic", "n"):
            cells[topic_id].total = n
        seen = CardState.objects.filter(learner=learner, card__in=in_use).values("card__topic")
        for topic_id, n in seen.annotate(n=Count("pk")).values_list("card__topic", "n"):
            cells[topic_id].seen = n
    attempts = {}
    if quiz_ids:
        found = (
            Attempt.objects.filter(learner=learner, quiz__in=quiz_ids)
            .values("quiz")
            .annotate(first_finished=Min("finished_at"), started=Min("started_at"))
        )
        attempts = {a["quiz"]: a for a in found}
    return [
        work_state(a, cells.get(a.topic_id) if a.topic_id else None, attempts.get(a.quiz_id), now)
        for a in assignments
    ]
