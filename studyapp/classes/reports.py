"""The class report: what a teacher of a spaced-repetition class needs to see tomorrow.

Read-only, and a fixed number of queries whatever the class's size: the per-learner,
per-topic figures are aggregated in the database (bench/report.py measures it), never
fetched card by card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Min

from studyapp import sql
from studyapp.accounts.models import Profile
from studyapp.classes.models import Assignment, Classroom, Membership
from studyapp.courses.models import Card, Topic
from studyapp.quizzes.models import Attempt
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
    learner: object  # User
    cells: dict[int, Cell] = field(default_factory=dict)  # by topic id
    last_study: date | None = None
    days_since_study: int | None = None
    work: list[WorkState] = field(default_factory=list)

    @property
    def due_today(self) -> int:
        return sum(c.due_today for c in self.cells.values())

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.cells.values())

    @property
    def mastery(self) -> float | None:
        """The share of all the class's topics' cards mastered; None before any is seen."""
        if not any(c.seen for c in self.cells.values()):
            return None
        total = sum(c.total for c in self.cells.values())
        return sum(c.mastered for c in self.cells.values()) / total if total else None

    @property
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


def _today_bounds(profile: Profile | None, now: datetime) -> tuple[date, datetime, datetime]:
    zone = profile.zone if profile else scheduling.ZoneInfo("UTC")
    hour = profile.day_start_hour if profile else 4
    day = scheduling.study_day(now, zone, hour)
    start, end = scheduling.day_bounds(day, zone, hour)
    return day, start, end


def class_report(classroom: Classroom, now: datetime, viewer: Profile) -> ClassReport:
    """Gather the class report in a fixed number of queries."""
    members = (
        Membership.objects.filter(classroom=classroom)
        .select_related("learner__profile")
        .only(
            "learner__username",
            "learner__profile__time_zone",
            "learner__profile__day_start_hour",
        )
        .order_by("learner__username")
    )
    learners = [m.learner for m in members]
    topics = list(
        Topic.objects.with_card_counts()
        .filter(course__classes=classroom)
        .select_related("course")
        .order_by("course__title", "order", "title")
    )
    rows = {learner.pk: LearnerRow(learner) for learner in learners}
    for row in rows.values():
        row.cells = {t.pk: Cell(total=t.card_count) for t in topics}
    bounds = {
        learner.pk: _today_bounds(getattr(learner, "profile", None), now) for learner in learners
    }
    viewer_day, viewer_start, _ = _today_bounds(viewer, now)
    forecast = [0] * FORECAST_DAYS
    if learners and topics:
        forecast = _fill_cells(rows, bounds, [t.pk for t in topics], now, viewer_start)
    last = StudyDay.objects.filter(learner__in=rows, reviews__gt=0).values("learner")
    for learner_id, day in last.annotate(last=Max("day")).values_list("learner", "last"):
        rows[learner_id].last_study = day
        rows[learner_id].days_since_study = (bounds[learner_id][0] - day).days
    assignments = list(classroom.assignments.select_related("topic", "quiz"))
    _fill_work(rows, assignments, now)
    return ClassReport(
        classroom=classroom,
        topics=topics,
        rows=sorted(rows.values(), key=LearnerRow.need),
        assignments=assignments,
        forecast=[(viewer_day + timedelta(days=n), due) for n, due in enumerate(forecast)],
        today=viewer_day,
    )


def _in(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _fill_cells(
    rows: dict[int, LearnerRow],
    bounds: dict[int, tuple[date, datetime, datetime]],
    topic_ids: list[int],
    now: datetime,
    forecast_start: datetime,
) -> list[int]:
    """One query, one pass over the class's card states: per learner and topic, the cards
    seen, due today, overdue and mastered, each learner's "today" in their
    own time zone; and the class's forecast, returned: reviews due on each of the next
    FORECAST_DAYS days from forecast_start (the viewer's today), overdue ones counting for
    today, missed-quiz cards included (they are reviews owed too, though not a topic's)."""
    learner_ids = list(rows)
    starts, start_params = _per_learner({pk: bounds[pk][1] for pk in learner_ids})
    ends, end_params = _per_learner({pk: bounds[pk][2] for pk in learner_ids})
    # Mastered: recall predicted MASTERED_AHEAD from now (scheduling.mastered).
    ahead = scheduling.MASTERED_AHEAD.days
    recall, recall_params = scheduling.retrievability_sql(
        "s.stability", f"(s.elapsed + {ahead})", [], sql.power()
    )
    # Due before the end of forecast day k, cumulative: day k's count is a difference.
    day_ends = [forecast_start + timedelta(days=k + 1) for k in range(FORECAST_DAYS)]
    by_day = ", ".join("SUM(CASE WHEN s.due < %s THEN 1 ELSE 0 END)" for _ in day_ends)
    own = "s.kind <> %s"
    # The elapsed days are worked out once per card, in the inner query; SQLite must not
    # start at the topics' index, which probes every learner's state of every card.
    found = sql.rows(
        f"""SELECT s.learner_id, s.topic_id,
                   SUM(CASE WHEN {own} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {own} AND s.due < {starts} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {own} AND s.due < {ends} THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {own} AND s.stability > 0 AND s.elapsed IS NOT NULL
                             AND {recall} >= %s THEN 1 ELSE 0 END),
                   {by_day}
            FROM (SELECT s.learner_id, c.topic_id, c.kind, s.due, s.stability,
                         {sql.whole_days("%s", "s.last_review")} AS elapsed
                  FROM {sql.table(CardState)} s JOIN {sql.table(Card)} c ON c.id = s.card_id
                  WHERE s.learner_id IN ({_in(learner_ids)})
                    AND {sql.unindexed("c.topic_id")} IN ({_in(topic_ids)})
                    AND c.retired_at IS NULL) s
            GROUP BY s.learner_id, s.topic_id""",
        [
            Card.Kind.FROM_QUIZ,
            Card.Kind.FROM_QUIZ,
            *start_params,
            Card.Kind.FROM_QUIZ,
            *end_params,
            Card.Kind.FROM_QUIZ,
            *recall_params,
            scheduling.MASTERED_RECALL,
            *day_ends,
            now,
            *learner_ids,
            *topic_ids,
        ],
    )
    cumulative = [0] * FORECAST_DAYS
    for learner_id, topic_id, seen, overdue, due_by_end, mastered, *due_by in found:
        cell = rows[learner_id].cells[topic_id]
        cell.seen, cell.overdue = int(seen or 0), int(overdue or 0)
        cell.due_today = int(due_by_end or 0) - cell.overdue
        cell.mastered = int(mastered or 0)
        for k, n in enumerate(due_by):
            cumulative[k] += int(n or 0)
    return [n - (cumulative[k - 1] if k else 0) for k, n in enumerate(cumulative)]


def _per_learner(values: dict[int, datetime]) -> tuple[str, list]:
    """SQL for a time that may differ by learner (their day starts in their own zone):
    a plain parameter when it is the same for all, as in most classes, else a CASE."""
    if len(set(values.values())) == 1:
        return "%s", [next(iter(values.values()))]
    cases = " ".join("WHEN %s THEN %s" for _ in values)
    return f"(CASE s.learner_id {cases} END)", [p for item in values.items() for p in item]


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
            row.work.append(work_state(a, cell, attempts.get((row.learner.pk, a.quiz_id)), now))


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
