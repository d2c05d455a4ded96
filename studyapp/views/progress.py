"""A learner's own progress page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from studyapp.progress import CELL, heatmap_cells, monthly_totals, progress_for
from studyapp.study import profile_for

FORECAST_BAR, FORECAST_HEIGHT = 16, 100


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    data = progress_for(request.user, profile, timezone.now())
    cells = heatmap_cells(data.days, data.today)
    busiest = max((n for _, n in data.forecast), default=0)
    bars = []
    for i, (day, n) in enumerate(data.forecast):
        height = round(FORECAST_HEIGHT * n / busiest) if busiest else 0
        bars.append(
            {
                "x": i * FORECAST_BAR,
                "y": FORECAST_HEIGHT - height,
                "height": height,
                "day": day,
                "count": n,
            }
        )
    passed, total = data.retention
    context = {
        "progress": data,
        "cells": cells,
        "heat_width": (cells[-1].x + CELL) if cells else 0,
        "months": monthly_totals(data.days),
        "bars": bars,
        "bar_width": FORECAST_BAR - 3,
        "forecast_width": FORECAST_BAR * len(bars),
        "forecast_height": FORECAST_HEIGHT,
        "forecast_total": sum(n for _, n in data.forecast),
        "retention_passed": passed,
        "retention_total": total,
    }
    return render(request, "progress/progress.html", context)
