"""The progress page's table of topics, written in Python.

Django's template engine took half the time of rendering the whole page over these few
rows (their links and bars: bench/review.py, progress_ratio), as it did over the class
report's tables (classes/report_views.py). Every value is escaped or a number.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from studyapp.study.progress import Progress


def _mastery(mastery: float | None) -> str:
    if mastery is None:
        return "–"
    pct = round(mastery * 100)  # as the template's widthratio rounded it
    # SVG, not a styled div: the Content-Security-Policy allows no inline style.
    return (
        f'<div class="d-flex align-items-center gap-2"><span>{pct}%</span>'
        '<svg class="mastery-bar flex-grow-1" viewBox="0 0 100 1" preserveAspectRatio="none"'
        ' aria-hidden="true" focusable="false"><rect class="mastery-track" width="100"'
        f' height="1"/><rect class="mastery-fill" width="{pct}" height="1"/></svg></div>'
    )


def _due_cells(due: int, title: str, study_url: str, read_only: bool) -> str:
    """The due count, a link to study there, and (on wide screens) a Study button; read
    only (a teacher's view) the count alone."""
    if read_only:
        return f'<td>{due}</td><td class="d-none d-md-table-cell"></td>'
    return (
        f'<td><a href="{study_url}">{due}<span class="visually-hidden"> due: study {title}'
        f'</span></a></td><td class="d-none d-md-table-cell"><a class="btn btn-sm'
        f' btn-outline-primary" href="{study_url}">Study<span class="visually-hidden">'
        f" {title}</span></a></td>"
    )


def topic_rows(progress: Progress, read_only: bool) -> SafeString:
    """The rows of the topics table: each topic, then each course's missed questions."""
    rows = []
    for row in progress.topics:
        title = escape(row.topic.title)
        rows.append(
            f'<tr><th scope="row"><a href="{escape(row.topic.get_absolute_url())}">{title}</a>'
            f"</th><td>{row.seen} of {row.total}</td><td>{_mastery(row.mastery)}</td>"
            f"{_due_cells(row.due, title, escape(row.topic.study_url), read_only)}</tr>"
        )
    for row in progress.missed:
        title = escape(row.course.title)
        rows.append(
            '<tr><th scope="row">Missed quiz questions <span class="small'
            f' text-body-secondary">· {title}</span></th><td>{row.cards}</td><td>–</td>'
            f"{_due_cells(row.due, title, escape(row.course.study_url), read_only)}</tr>"
        )
    return mark_safe("".join(rows))
