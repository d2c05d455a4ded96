"""Charts drawn as SVG markup in Python: the forecast of cards coming due, on a learner's
progress page and a class's report, and the progress page's year of reviews.

A chart has a bar or a square per day, and a table of the same figures behind it. Written
by Django's template engine, node by node, the tags of a month of days cost more than the
rest of the page (bench/report.py); here they are a few string joins. Every value written
is a number or a date, so there is nothing to escape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.utils.safestring import SafeString, mark_safe

# English names, as the rest of the pages are written: the date filter's translation
# machinery is what made the template slow.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_day(day: date) -> str:
    """Return "Mon 1 Dec", as the template filter date:"D j M" writes it."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


@dataclass(frozen=True)
class ForecastChart:
    width: int
    height: int  # of the bars; the axis labels take 20 more below them
    bars: SafeString  # the markup inside the <svg>
    rows: SafeString  # the table's rows: each day and its count
    total: int


def forecast_chart(
    forecast: list[tuple[date, int]], bar: int, height: int, labelled: Callable[[date], bool]
) -> ForecastChart:
    """A bar per day, as tall as its count against the busiest day's, each with its
    count as a tooltip; the days for which labelled() is true (and the first) are written
    under the axis."""
    busiest = max((n for _, n in forecast), default=0)
    bars, rows = [], []
    for i, (day, n) in enumerate(forecast):
        tall = round(height * n / busiest) if busiest else 0
        x = i * bar
        bars.append(
            f'<rect x="{x}" y="{height - tall}" width="{bar - 3}" height="{tall}" class="bar">'
            f"<title>{short_day(day)}: {n} due</title></rect>"
        )
        if i == 0 or labelled(day):
            bars.append(
                f'<text x="{x}" y="{height + 15}" class="axis">'
                f"{day.day} {MONTH_NAMES[day.month - 1]}</text>"
            )
        rows.append(f"<tr><td>{short_day(day)} {day.year}</td><td>{n}</td></tr>")
    return ForecastChart(
        width=bar * len(forecast),
        height=height,
        bars=mark_safe("".join(bars)),  # numbers and dates only
        rows=mark_safe("".join(rows)),
        total=sum(n for _, n in forecast),
    )


class Square(Protocol):
    """A day of the year of reviews (study/progress.HeatCell)."""

    x: int
    y: int
    day: date
    reviews: int
    level: int


def heatmap_squares(cells: Iterable[Square]) -> SafeString:
    """A square per day, shaded by its level, each with its day and count as a tooltip:
    the markup inside the progress page's heatmap <svg> (a year is 371 squares)."""
    return mark_safe(  # numbers and dates only
        "".join(
            f'<rect x="{c.x}" y="{c.y}" width="10" height="10" rx="2" class="heat-{c.level}">'
            f"<title>{_long_day(c.day)}: {c.reviews} "
            f"review{'' if c.reviews == 1 else 's'}</title></rect>"
            for c in cells
        )
    )


@functools.lru_cache(maxsize=1024)
def _long_day(day: date) -> str:
    """ "Mon 1 Dec 2026"; kept, as the same year of days is drawn for every learner."""
    return f"{short_day(day)} {day.year}"
