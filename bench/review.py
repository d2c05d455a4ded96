"""Reviewer speed: next-card and grade requests against a trivial view, at 1,000 and at
1,000,000 review-log rows, with 1,000 learners and the shipped course.

Uses a fresh SQLite database in a temporary folder, or the PostgreSQL database named by
DATABASE_URL (give it a scratch database: its tables are emptied first). Requests go
through Django's whole stack (middleware, sessions, templates) with the test client.

"next" is the request the reviewer makes for each card (htmx: the card partial); the
whole study page is printed too. "trivial" is a view that only answers "ok" to a
logged-in learner: the same stack, session and login included, with no work of its own.
Queries count SQL statements, not BEGIN/COMMIT.
Prints its figures and asserts none; the last line is one JSON object.
Run: .venv/bin/python bench/review.py [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LEARNERS = 1_000
TOTAL_ROWS = 1_000_000


def trivial(request):
    """The baseline: login-required (by the middleware), does nothing else."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("STUDYAPP_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.urls import clear_url_caches, path

    from studyapp import urls

    setup_test_environment()  # so that responses carry the template context (the token)
    urls.urlpatterns.append(path("bench-trivial/", trivial))
    clear_url_caches()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def fill_people_and_course():
    from django.contrib.auth.models import User

    from studyapp.models import Card, Profile
    from studyapp.notes_import import import_note_files

    import_note_files([ROOT / "content"])
    users = User.objects.bulk_create(User(username=f"learner{i}") for i in range(LEARNERS))
    Profile.objects.bulk_create(Profile(user=u) for u in users)
    return users, list(Card.objects.active().values_list("pk", flat=True))


def fill_history(users, card_ids, rows: int, rng: random.Random) -> None:
    """Give every learner about rows/LEARNERS reviews, with card states that match."""
    from django.db import transaction
    from django.utils import timezone

    from studyapp.models import CardState, ReviewLog, StudyDay

    now = timezone.now()
    per_learner = rows // len(users)
    with transaction.atomic():
        CardState.objects.all().delete()
        ReviewLog.objects.all().delete()
        StudyDay.objects.all().delete()
        logs, states, days = [], [], []
        for user in users:
            reps = dict.fromkeys(card_ids[: rng.randint(20, len(card_ids))], 0)
            studied = list(reps)
            for n in range(per_learner):
                card = studied[n % len(studied)]
                when = now - timedelta(days=rng.uniform(1, 365))
                logs.append(
                    ReviewLog(
                        learner=user,
                        card_id=card,
                        seq=reps[card],
                        rating=rng.choice((1, 3, 3, 3, 4)),
                        reviewed_at=when,
                        day=when.date(),
                        duration_ms=4000,
                    )
                )
                reps[card] += 1
            for card, count in reps.items():
                due = now + timedelta(days=rng.uniform(-3, 30))
                states.append(
                    CardState(
                        learner=user,
                        card_id=card,
                        phase=2,
                        stability=rng.uniform(1, 60),
                        difficulty=rng.uniform(2, 8),
                        due=due,
                        last_review=due - timedelta(days=5),
                        reps=count,
                    )
                )
            days += [
                StudyDay(
                    learner=user, day=(now - timedelta(days=d)).date(), reviews=per_learner // 100
                )
                for d in range(100)
            ]
            if len(logs) >= 50_000:
                ReviewLog.objects.bulk_create(logs, batch_size=10_000)
                logs = []
        ReviewLog.objects.bulk_create(logs, batch_size=10_000)
        CardState.objects.bulk_create(states, batch_size=10_000)
        StudyDay.objects.bulk_create(days, batch_size=10_000)


def measure(users, requests: int, rng: random.Random) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = []
    for user in rng.sample(users, 30):
        client = Client()
        client.force_login(user)
        client.get("/study/")  # warm the session
        clients.append(client)
    times: dict[str, list[float]] = {
        "trivial": [],
        "next": [],
        "grade": [],
        "page": [],
        "healthz": [],
    }
    queries: dict[str, list[int]] = {"trivial": [], "next": [], "grade": [], "page": []}
    htmx = {"HTTP_HX_REQUEST": "true"}

    def timed(name, call):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = call()
            times[name].append((time.perf_counter() - start) * 1000)
        if name in queries:
            statements = [
                q for q in captured if q["sql"] not in ("BEGIN IMMEDIATE", "COMMIT", "BEGIN")
            ]
            queries[name].append(len(statements))
        return response

    for i in range(requests):
        client = clients[i % len(clients)]
        timed("trivial", lambda client=client: client.get("/bench-trivial/"))
        timed("healthz", lambda client=client: client.get("/healthz"))
        timed("page", lambda client=client: client.get("/study/"))
        page = timed("next", lambda client=client: client.get("/study/", **htmx))
        card = page.context["card"] if page.context else None
        if card is None:
            continue
        data = {"card": card.pk, "token": page.context["token"], "rating": rng.choice((1, 3, 3, 4))}
        timed("grade", lambda client=client, data=data: client.post("/study/grade/", data, **htmx))

    def p95(values):
        return statistics.quantiles(values, n=20)[18]

    return {
        name: {
            "median": statistics.median(v),
            "p95": p95(v),
            "queries": max(queries.get(name, [0])),
        }
        for name, v in times.items()
    }


def report(label: str, figures: dict) -> None:
    print(f"{label}:")
    for name, f in figures.items():
        q = f", {f['queries']} queries max" if name != "healthz" else ""
        print(f"  {name:8} median {f['median']:6.2f} ms, p95 {f['p95']:6.2f} ms{q}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(1000)
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.db import connection

        users, card_ids = fill_people_and_course()
        print(f"database: {connection.vendor}; {len(users)} learners, {len(card_ids)} cards")

        fill_history(users, card_ids, 1_000, rng)
        small = measure(users, args.requests, rng)
        report("with 1,000 review-log rows", small)

        start = time.perf_counter()
        fill_history(users, card_ids, TOTAL_ROWS, rng)
        print(f"filled {TOTAL_ROWS:,} review-log rows in {time.perf_counter() - start:.0f} s")
        large = measure(users, args.requests, rng)
        report(f"with {TOTAL_ROWS:,} review-log rows", large)

    trivial = large["trivial"]["median"]
    result = {
        "next_ratio": round(large["next"]["median"] / trivial, 2),
        "grade_ratio": round(large["grade"]["median"] / trivial, 2),
        "next_queries": large["next"]["queries"],
        "grade_queries": large["grade"]["queries"],
        "p95_growth": round(max(large[k]["p95"] / small[k]["p95"] for k in ("next", "grade")), 2),
    }
    print("targets: ratios at most 2.5, at most 8 queries, p95 growth at most 1.3")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
