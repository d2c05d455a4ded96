"""The forecast chart written in Python reads as the template's date filter wrote it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import dateformat

from studyapp.study.charts import forecast_chart, short_day


def test_day_names_are_the_date_filter_s():
    for n in range(400):  # every weekday and month, a leap day included
        day = date(2027, 12, 1) + timedelta(days=n)
        assert short_day(day) == dateformat.format(day, "D j M")


def test_bars_are_as_tall_as_their_count_against_the_busiest_day():
    days = [date(2026, 11, 29) + timedelta(days=n) for n in range(4)]
    chart = forecast_chart(
        list(zip(days, [5, 10, 0, 2], strict=True)), 20, 100, lambda d: d.day == 1
    )
    heights = [int(h) for h in re.findall(r'height="(\d+)" class="bar"', chart.bars)]
    assert heights == [50, 100, 0, 20]
    assert chart.total == 17 and chart.width == 80
    # The first day and the first of the month are named under the axis.
    assert re.findall(r'class="axis">([^<]+)<', chart.bars) == ["29 Nov", "1 Dec"]
    assert "<tr><td>Tue 1 Dec 2026</td><td>0</td></tr>" in chart.rows


def test_a_forecast_of_nothing_draws_flat_bars():
    chart = forecast_chart([(date(2026, 12, 1), 0)], 20, 100, lambda d: False)
    assert 'height="0" class="bar"' in chart.bars and chart.total == 0


def test_each_heatmap_square_has_its_level_and_says_its_day_and_count():
    from studyapp.study.charts import heatmap_squares
    from studyapp.study.models import StudyDay
    from studyapp.study.progress import heatmap_cells

    today = date(2026, 12, 1)
    days = {today: StudyDay(reviews=8), today - timedelta(days=1): StudyDay(reviews=1)}
    squares = heatmap_squares(heatmap_cells(days, today))
    titles = re.findall(r'class="heat-(\d)"><title>([^<]+)</title>', squares)
    assert len(titles) == len(heatmap_cells(days, today))
    assert titles[-2:] == [("1", "Mon 30 Nov 2026: 1 review"), ("4", "Tue 1 Dec 2026: 8 reviews")]
    assert titles[0][0] == "0" and titles[0][1].endswith(": 0 reviews")
