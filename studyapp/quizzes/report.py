"""The quiz report: every finished attempt, and each question's statistics as Moodle
defines them (mod/quiz/report/statistics):

- facility index: the mean score on the question as a share of its maximum;
- discrimination index: the correlation between the score on the question and the score
  on the rest of the attempt, over the attempts that had the question;
- how many attempts had it, and for choice questions how often each choice was picked.

A question is flagged when it discriminates poorly (below 0.2) or is nearly always right
(facility above 0.95) or nearly always wrong (below 0.1). Read-only, four queries.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model

from studyapp import sql
from studyapp.quizzes.models import Attempt, Question, Quiz, Response

LOW_DISCRIMINATION, TOO_EASY, TOO_HARD = 0.2, 0.95, 0.1


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of two equally long series; None when either does not vary."""
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass
class QuestionStats:
    question: Question
    attempts: int = 0
    facility: float | None = None
    discrimination: float | None = None
    picks: list[tuple[str, int]] = field(default_factory=list)  # (choice, times picked)
    unmarked: int = 0  # essays waiting for the instructor

    @property
    def flags(self) -> list[str]:
        found = []
        if self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            found.append("discriminates poorly")
        if self.facility is not None and self.facility > TOO_EASY:
            found.append("nearly everyone gets it right")
        if self.facility is not None and self.facility < TOO_HARD:
            found.append("nearly everyone gets it wrong")
        return found


@dataclass
class AttemptRow:
    """A finished attempt as the report lists it."""

    username: str
    number: int
    started_at: datetime
    finished_at: datetime
    score: float | None
    max_score: float
    awaiting_marking: bool

    @property
    def minutes(self) -> float:
        return (self.finished_at - self.started_at).total_seconds() / 60


@dataclass
class QuizReport:
    quiz: Quiz
    attempts: list[AttemptRow]
    questions: list[QuestionStats]


def item_statistics(
    questions: Sequence[Question], scores: Iterable[dict[int, float]]
) -> list[QuestionStats]:
    """Moodle's per-question statistics from each attempt's scores by question id (a
    question the attempt had but left unanswered scores 0; one it did not have is absent)."""
    scored = [(s, sum(s.values())) for s in scores]  # each attempt's total, once
    stats = []
    for question in questions:
        pk = question.pk
        had = [(s[pk], total) for s, total in scored if pk in s]
        entry = QuestionStats(question, attempts=len(had))
        if had:
            mine = [score for score, _ in had]
            rest = [total - score for score, total in had]
            entry.facility = mean(mine)  # a question's maximum is 1: fractions 0..1
            entry.discrimination = correlation(mine, rest)
        stats.append(entry)
    return stats


CHOICES = ("multichoice", "truefalse")


def _picks(attempts_sql: str, params: list, question_ids: list[int]) -> defaultdict[int, Counter]:
    """How often each choice of the choice questions was picked: the database counts each
    distinct answer (as its JSON text), and only those few are decoded here."""
    picked: defaultdict[int, Counter] = defaultdict(Counter)
    if not question_ids:
        return picked
    found = sql.rows(
        f"""SELECT r.question_id, CAST(r.answer AS TEXT), COUNT(*)
            FROM {sql.table(Response)} r JOIN ({attempts_sql}) a ON a.id = r.attempt_id
            WHERE r.question_id IN ({", ".join(["%s"] * len(question_ids))})
            GROUP BY r.question_id, CAST(r.answer AS TEXT)""",
        [*params, *question_ids],
    )
    for question_id, text, n in found:
        answer = json.loads(text)
        if isinstance(answer, list):  # multiple choice: the indexes chosen
            for index in answer:
                picked[question_id][index] += n
        elif isinstance(answer, bool):  # true or false
            picked[question_id][answer] += n
    return picked


def quiz_report(quiz: Quiz, learners: tuple[str, list] | None = None) -> QuizReport:
    """The report over the quiz's finished attempts, of some learners (a class's: SQL
    selecting their ids, and its parameters) or of everyone. Four queries whatever the
    number of attempts, written in SQL: the ORM spent longer building and reading them
    than the database running them (bench/report.py)."""
    where, params = "a.quiz_id = %s AND a.finished_at IS NOT NULL", [quiz.pk]
    if learners is not None:
        within, within_params = learners
        where, params = f"{where} AND a.learner_id IN ({within})", [*params, *within_params]
    found = sql.rows(
        f"""SELECT a.id, u.username, a.number, a.started_at, a.finished_at, a.score,
                   a.max_score, a.layout
            FROM {sql.table(Attempt)} a JOIN {sql.table(get_user_model())} u ON u.id = a.learner_id
            WHERE {where}
            ORDER BY u.username, a.number""",
        params,
    )
    questions = [
        Question(pk=pk, type=kind, text_html=html, data=_json(data))
        for pk, kind, html, data in sql.rows(
            f"""SELECT q.id, q.type, q.text_html, q.data FROM {sql.table(Question)} q
                WHERE q.quiz_id = %s AND q.type <> 'description' ORDER BY q.position""",
            [quiz.pk],
        )
    ]
    attempts_sql = f"SELECT a.id FROM {sql.table(Attempt)} a WHERE {where}"
    by_attempt: defaultdict[int, dict[int, float]] = defaultdict(dict)
    unmarked: Counter[int] = Counter()
    pending: set[int] = set()
    for attempt_id, question_id, fraction in sql.rows(
        f"""SELECT r.attempt_id, r.question_id, r.fraction
            FROM {sql.table(Response)} r JOIN ({attempts_sql}) a ON a.id = r.attempt_id""",
        params,
    ):
        if fraction is None:
            unmarked[question_id] += 1
            pending.add(attempt_id)
        by_attempt[attempt_id][question_id] = fraction or 0.0
    picked = _picks(attempts_sql, params, [q.pk for q in questions if q.type in CHOICES])
    question_ids = [q.pk for q in questions]
    scores = []
    for attempt_id, *_, layout in found:
        had = {entry["question"] for entry in _json(layout)}
        mine = by_attempt[attempt_id]
        scores.append({pk: mine.get(pk, 0.0) for pk in question_ids if pk in had})
    stats = item_statistics(questions, scores)
    for entry in stats:
        q = entry.question
        entry.unmarked = unmarked[q.pk]
        if q.type == "multichoice":
            choices = q.data["choices"]
            entry.picks = [(c["html"], picked[q.pk][i]) for i, c in enumerate(choices)]
        elif q.type == "truefalse":
            entry.picks = [("True", picked[q.pk][True]), ("False", picked[q.pk][False])]
    rows = [
        AttemptRow(
            username,
            number,
            sql.as_datetime(started),
            sql.as_datetime(finished),
            score,
            max_score,
            attempt_id in pending,
        )
        for attempt_id, username, number, started, finished, score, max_score, _ in found
    ]
    return QuizReport(quiz, rows, stats)


def _json(value: object) -> object:
    """A JSON column's value from a hand-written query: the drivers give its text."""
    return json.loads(value) if isinstance(value, str) else value
