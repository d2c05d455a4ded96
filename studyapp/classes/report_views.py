"""A class's reports for its teachers: the class grid and forecast, a learner's own
progress (read-only), and a quiz's report over the class, each also as CSV."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from studyapp.accounts.access import instructor_required
from studyapp.accounts.models import profile_for
from studyapp.classes.access import classroom_for_instructor
from studyapp.classes.models import Membership
from studyapp.classes.reports import class_report
from studyapp.quizzes.models import Quiz
from studyapp.quizzes.report import quiz_report
from studyapp.study.views import progress_context

HEAT_CELL, NAMES_WIDTH, FORECAST_BAR, FORECAST_HEIGHT = 28, 140, 22, 100


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


def _heat(mastery: float | None) -> int:
    """The heat map's level for a mastery: 0 none seen, 1 (low) to 4 (high)."""
    if mastery is None:
        return 0
    return 1 + min(3, int(mastery * 4))


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
                row.learner.get_username(),
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
    busiest = max((n for _, n in report.forecast), default=0)
    bars = []
    for i, (day, n) in enumerate(report.forecast):
        height = round(FORECAST_HEIGHT * n / busiest) if busiest else 0
        bars.append(
            {"x": i * FORECAST_BAR, "y": FORECAST_HEIGHT - height, "h": height, "day": day, "n": n}
        )
    grid = [(row, [row.cells[t.pk] for t in report.topics]) for row in report.rows]
    heat = [
        (
            row,
            i * HEAT_CELL,
            [
                (NAMES_WIDTH + j * HEAT_CELL, topic, cell, _heat(cell.mastery))
                for j, (topic, cell) in enumerate(zip(report.topics, cells, strict=True))
            ],
        )
        for i, (row, cells) in enumerate(grid)
    ]
    context = {
        "classroom": classroom,
        "report": report,
        "bars": bars,
        "bar_width": FORECAST_BAR - 4,
        "forecast_width": FORECAST_BAR * len(bars),
        "forecast_height": FORECAST_HEIGHT,
        "grid": grid,
        "heat": heat,
        "square": HEAT_CELL - 3,
        "heat_width": NAMES_WIDTH + HEAT_CELL * len(report.topics),
        "heat_height": HEAT_CELL * len(report.rows),
        "quizzes": Quiz.objects.filter(course__in=classroom.courses.all(), retired_at__isnull=True),
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
    context = progress_context(member.learner, timezone.now())
    context |= {"viewed": member.learner, "classroom": classroom}
    return render(request, "study/progress.html", context)


@instructor_required
@require_GET
def class_quiz_report(request: HttpRequest, pk: int, quiz: int) -> HttpResponse:
    """A quiz's report over the class's learners."""
    classroom = classroom_for_instructor(request, pk)
    found = get_object_or_404(Quiz, pk=quiz, course__in=classroom.courses.all())
    learners = Membership.objects.filter(classroom=classroom).values("learner")
    report = quiz_report(found, learners)
    kind = request.GET.get("format")
    if kind == "attempts":
        rows = [
            [
                r.attempt.learner.get_username(),
                r.attempt.number,
                r.attempt.started_at.isoformat(),
                r.attempt.finished_at.isoformat(),
                round(r.minutes, 1),
                "awaiting marking" if r.awaiting_marking else r.attempt.score,
                r.attempt.max_score,
            ]
            for r in report.attempts
        ]
        header = ["learner", "attempt", "started", "finished", "minutes", "score", "out of"]
        return _csv(f"{found.slug}-attempts.csv", header, rows)
    if kind == "items":
        rows = [
            [
                n,
                strip_tags(s.question.text_html)[:200],
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
    return render(request, "classes/quiz_report.html", context)
