"""A class's reports for its teachers: the class grid and forecast, a learner's own
progress (read-only), and a quiz's report over the class, each also as CSV."""

from __future__ import annotations

import csv
import io
from html import escape, unescape  # the standard library's: Django's is lazy-wrapped, slower

import nh3
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from studyapp import sql
from studyapp.accounts.access import instructor_required
from studyapp.accounts.models import profile_for
from studyapp.classes.access import classroom_for_instructor, quiz_for_classroom
from studyapp.classes.models import Classroom, Membership
from studyapp.classes.reports import class_report
from studyapp.courses.models import Topic
from studyapp.quizzes.models import Quiz
from studyapp.quizzes.report import quiz_report
from studyapp.study.charts import forecast_chart
from studyapp.study.views import progress_context

HEAT_CELL, NAMES_WIDTH, FORECAST_BAR, FORECAST_HEIGHT = 28, 140, 22, 100
NAME_CHARS = 18  # of a learner's name beside the heat map


def _csv(name: str, header: list[str], rows: list[list]) -> HttpResponse:
    """A CSV file a spreadsheet opens with every name intact: UTF-8 with a byte-order
    mark, which is how Excel knows it is UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


# The report's big tables and its heat map are written here, not in the template: a class
# of 40 and a dozen topics make hundreds of cells, and Django's template engine takes
# several times longer over them than the rest of the page (bench/report.py).
def _grid_rows(classroom_pk: int, grid: list) -> str:
    rows = []
    # One reverse() for the class, not one per learner: it costs more than a row.
    learners = reverse("class_learner", args=[classroom_pk, 0]).removesuffix("0/")
    for row, cells in grid:
        days = "never" if row.days_since_study is None else row.days_since_study
        alert = ' class="text-danger fw-semibold"'
        topic_cells = "".join(
            f'<td class="small">{c.seen}/{c.total}'
            f"{'' if c.mastery is None else ' · ' + _percent(c.mastery)}</td>"
            for c in cells
        )
        rows.append(
            f'<tr><th scope="row"><a href="{learners}{row.learner_id}/">'
            f"{escape(row.username)}</a></th>"
            f"<td{alert if row.overdue else ''}>{row.overdue}</td><td>{row.due_today}</td>"
            f"<td>{days}</td><td>{_percent(row.mastery)}</td>"
            f"<td{alert if row.late else ''}>{row.late}</td>{topic_cells}</tr>"
        )
    return mark_safe("".join(rows))  # every value above is escaped, or a number


def _heat_map(topics: list, grid: list) -> str:
    parts = []
    titles = [escape(topic.title) for topic in topics]
    for i, (row, cells) in enumerate(grid):
        y = i * HEAT_CELL
        name = row.username
        shown = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
        name = escape(name)
        parts.append(f'<text x="0" y="{y + 18}" class="axis">{escape(shown)}</text>')
        for j, (title, c) in enumerate(zip(titles, cells, strict=True)):
            mastery = "" if c.mastery is None else f", mastery {_percent(c.mastery)}"
            parts.append(
                f'<rect x="{NAMES_WIDTH + j * HEAT_CELL}" y="{y}" width="{HEAT_CELL - 3}" '
                f'height="{HEAT_CELL - 3}" rx="3" class="heat-{_heat(c.mastery)}">'
                f"<title>{name}, {title}: {c.seen} of {c.total} seen{mastery}"
                "</title></rect>"
            )
    return mark_safe("".join(parts))  # every value above is escaped, or a number


def _heat(mastery: float | None) -> int:
    """The heat map's level for a mastery: 0 none seen, 1 (low) to 4 (high)."""
    if mastery is None:
        return 0
    return 1 + min(3, int(mastery * 4))


def _work_rows(report) -> str:
    """The assignments table's rows: each learner's state of each assignment."""
    rows = []
    for row in report.rows:
        cells = "".join(
            f'<td class="small{" text-danger fw-semibold" if w.state == "late" else ""}">'
            f"{w.state}{' (late)' if w.done_late else ''}</td>"
            for w in row.work
        )
        rows.append(f'<tr><th scope="row">{escape(row.username)}</th>{cells}</tr>')
    return mark_safe("".join(rows))  # the names are escaped; the states are our words


def _quizzes(classroom) -> list[tuple[int, str]]:
    """The class's courses' quizzes in use, as (id, title), for links to their reports."""
    return sql.rows(
        f"""SELECT q.id, q.title FROM {sql.table(Quiz)} q
            JOIN {sql.table(Classroom.courses.through)} cc ON cc.course_id = q.course_id
            LEFT JOIN {sql.table(Topic)} t ON t.id = q.topic_id
            WHERE cc.classroom_id = %s AND q.retired_at IS NULL
            ORDER BY t."order", q.title""",
        [classroom.pk],
    )


@instructor_required
@require_GET
def class_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = classroom_for_instructor(request, pk)
    report = class_report(classroom, timezone.now(), profile_for(request.user))
    if request.GET.get("format") == "csv":
        header = ["learner", "due today", "overdue", "days since study", "mastery %"]
        for topic in report.topics:
            header += [f"{topic.title}: seen", f"{topic.title}: mastery %"]
        header += [str(a) for a in report.assignments]
        rows = []
        for row in report.rows:
            line = [
                row.username,
                row.due_today,
                row.overdue,
                "" if row.days_since_study is None else row.days_since_study,
                "" if row.mastery is None else round(100 * row.mastery),
            ]
            for topic in report.topics:
                cell = row.cells[topic.pk]
                mastery = "" if cell.mastery is None else round(100 * cell.mastery)
                line += [f"{cell.seen}/{cell.total}", mastery]
            line += [w.state + (" (late)" if w.done_late else "") for w in row.work]
            rows.append(line)
        return _csv(f"class-{classroom.pk}.csv", header, rows)
    grid = [(row, [row.cells[t.pk] for t in report.topics]) for row in report.rows]
    context = {
        "classroom": classroom,
        "report": report,
        # Mondays are named under the axis.
        "forecast": forecast_chart(
            report.forecast, FORECAST_BAR, FORECAST_HEIGHT, lambda day: day.weekday() == 0
        ),
        "grid_rows": _grid_rows(classroom.pk, grid),
        "heat_map": _heat_map(report.topics, grid),
        "heat_width": NAMES_WIDTH + HEAT_CELL * len(report.topics),
        "heat_height": HEAT_CELL * len(report.rows),
        "work_rows": _work_rows(report),
        "quizzes": _quizzes(classroom),
    }
    return render(request, "classes/class_report.html", context)


@instructor_required
@require_GET
def class_learner(request: HttpRequest, pk: int, learner: int) -> HttpResponse:
    """A learner's own progress page, read-only, for their class's teachers."""
    classroom = classroom_for_instructor(request, pk)
    member = get_object_or_404(
        Membership.objects.select_related("learner"), classroom=classroom, learner_id=learner
    )
    context = progress_context(member.learner, timezone.now(), read_only=True)
    context |= {"viewed": member.learner, "classroom": classroom}
    return render(request, "study/progress.html", context)


@instructor_required
@require_GET
def class_quiz_report(request: HttpRequest, pk: int, quiz: int) -> HttpResponse:
    """A quiz's report over the class's learners."""
    classroom = classroom_for_instructor(request, pk)
    found = quiz_for_classroom(classroom, quiz)
    learners = f"SELECT m.learner_id FROM {sql.table(Membership)} m WHERE m.classroom_id = %s"
    report = quiz_report(found, (learners, [classroom.pk]))
    kind = request.GET.get("format")
    if kind == "attempts":
        rows = [
            [
                r.username,
                r.number,
                r.started_at.isoformat(),
                r.finished_at.isoformat(),
                round(r.minutes, 1),
                "awaiting marking" if r.awaiting_marking else r.score,
                r.max_score,
            ]
            for r in report.attempts
        ]
        header = ["learner", "attempt", "started", "finished", "minutes", "score", "out of"]
        return _csv(f"{found.slug}-attempts.csv", header, rows)
    if kind == "items":
        rows = [
            [
                n,
                _plain(s.question.text_html)[:200],
                s.question.type,
                s.attempts,
                "" if s.facility is None else round(s.facility, 3),
                "" if s.discrimination is None else round(s.discrimination, 3),
                "; ".join(s.flags),
            ]
            for n, s in enumerate(report.questions, start=1)
        ]
        header = ["question", "text", "type", "attempts", "facility", "discrimination", "flags"]
        return _csv(f"{found.slug}-items.csv", header, rows)
    context = {"classroom": classroom, "quiz": found, "report": report}
    context["question_rows"] = _question_rows(report.questions)
    context["attempt_rows"] = _attempt_rows(report.attempts)
    return render(request, "classes/quiz_report.html", context)


def _attempt_rows(rows: list) -> str:
    """The attempts table's rows (written here for the reason _grid_rows says)."""
    zone = timezone.get_current_timezone()
    out = []
    for r in rows:
        score = "awaiting marking" if r.awaiting_marking else f"{r.score:g} / {r.max_score:g}"
        finished = r.finished_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        out.append(
            f'<tr><th scope="row">{escape(r.username)}</th><td>{r.number}</td>'
            f"<td>{finished}</td><td>{r.minutes:.1f}</td><td>{score}</td></tr>"
        )
    return mark_safe("".join(out))  # every value above is escaped, or a number


def _question_rows(stats: list) -> str:
    """The questions table's rows, their text as plain text (written here for the reason
    _grid_rows says)."""
    out = []
    for n, s in enumerate(stats, start=1):
        facility = "–" if s.facility is None else f"{round(100 * s.facility)}%"
        discrimination = "–" if s.discrimination is None else f"{s.discrimination:.2f}"
        picks = "; ".join(f"{escape(_plain(label))}: {count}" for label, count in s.picks)
        if not s.picks and s.unmarked:
            picks = f"{s.unmarked} awaiting marking"
        out.append(
            f'<tr><td>{n}</td><td class="small">{escape(_plain(s.question.text_html, 90))}</td>'
            f"<td>{s.attempts}</td><td>{facility}</td><td>{discrimination}</td>"
            f'<td class="small">{picks}</td>'
            f'<td class="small text-danger">{escape("; ".join(s.flags))}</td></tr>'
        )
    return mark_safe("".join(out))  # the texts are escaped; the rest are numbers


def _plain(html: str, limit: int | None = None) -> str:
    """A question's or choice's text without its markup, cut at limit characters."""
    text = unescape(nh3.clean(html, tags=set()))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
