"""Reviewer speed: next-card and grade requests against a trivial view, at 1,000 and at
1,000,000 review-log rows, with 1,000 learners and the shipped course.

The two history sizes live in two databases that are filled first and then measured in
one loop that alternates between them request round by request round. A machine's noise
(another process, a slow second) then falls on both sides alike, so the p95 growth from
1,000 to 1,000,000 rows measures the history and not the moment each side happened to
run in.

SQLite by default: two fresh files in a temporary folder. With DATABASE_URL naming a
PostgreSQL database (give it a scratch one: its tables are emptied first), the large
history goes in its usual schema and the small one in a schema "bench_small" of the same
database, which is dropped at the end.

Requests go through Django's whole stack (middleware, sessions, templates) with the test
client. "next" is the request the reviewer makes for each card (htmx: the card
partial); the whole study page is printed too. "trivial" is a view that only answers
"ok" to a logged-in learner: the same stack, session and login included, with no work of
its own. Queries count SQL statements, not BEGIN/COMMIT.
Prints its figures and asserts none; the last line is one JSON object.
Run: .venv/bin/python bench/review.py [--requests 400]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LEARNERS = 1_000
SMALL_ROWS = 1_000
LARGE_ROWS = 1_000_000
SMALL_SCHEMA = "bench_small"
MEASURED = ("trivial", "healthz", "page", "next", "grade")


def trivial(request):
    """The baseline: login-required (by the middleware), does nothing else."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


@dataclass
class Side:
    """One database with its history, its learners and their logged-in clients."""

    label: str
    rows: int
    database: Any  # a DatabaseWrapper, installed as "default" while this side runs
    users: list = field(default_factory=list)
    clients: list = field(default_factory=list)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    queries: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def setup_django(data_dir: str, keep_contexts: bool = False) -> None:
    """Configure Django for a benchmark. keep_contexts: keep each response's template
    context (Django's test instrumentation); it costs every template rendered a copy of
    its context, which production never pays, so the benchmarks go without and read what
    they need from the page itself."""
    os.environ.setdefault("STUDYAPP_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    # With DATABASE_URL the app wants the key its servers share; one process needs none.
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.test.utils import setup_test_environment
    from django.urls import clear_url_caches, path

    from studyapp import urls

    if keep_contexts:
        setup_test_environment()  # so that responses carry the template context (the token)
    urls.urlpatterns.append(path("bench-trivial/", trivial))
    clear_url_caches()


def open_databases(data_dir: str) -> tuple[Any, Any]:
    """Return (small, large) database wrappers, both under the alias "default"."""
    from django.db import connections
    from django.db.utils import load_backend

    large = connections["default"]
    settings = copy.deepcopy(large.settings_dict)
    if large.vendor == "sqlite":
        settings["NAME"] = Path(data_dir) / "small.sqlite3"
    elif large.vendor == "postgresql":
        with large.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SMALL_SCHEMA}")
        settings["OPTIONS"]["options"] = f"-c search_path={SMALL_SCHEMA}"
    else:
        sys.exit(f"bench/review.py knows SQLite and PostgreSQL, not {large.vendor}")
    small = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    return small, large


def use(side: Side) -> None:
    """Make the side's database the one every query of this thread goes to."""
    from django.db import connections

    connections["default"] = side.database


def prepare(side: Side, rng: random.Random) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    use(side)
    ContentType.objects.clear_cache()  # both databases share the alias and so the cache
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    side.users, card_ids = fill_people_and_course()
    start = time.perf_counter()
    fill_history(side.users, card_ids, side.rows, rng)
    print(
        f"{side.label}: {len(side.users)} learners, {len(card_ids)} cards, "
        f"{side.rows:,} review-log rows filled in {time.perf_counter() - start:.0f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:  # statistics, as autovacuum keeps them after a load
        cursor.execute("ANALYZE")
    side.clients = logged_in_clients(side.users, rng)


def fill_people_and_course():
    from django.contrib.auth.models import User

    from studyapp.accounts.models import Profile
    from studyapp.courses.models import Card
    from studyapp.courses.notes_import import import_note_files

    import_note_files([ROOT / "content"])
    users = User.objects.bulk_create(User(username=f"learner{i}") for i in range(LEARNERS))
    Profile.objects.bulk_create(Profile(user=u) for u in users)
    return users, list(Card.objects.active().values_list("pk", flat=True))


def fill_history(users, card_ids, rows: int, rng: random.Random) -> None:
    """Give every learner about rows/LEARNERS reviews, with card states that match."""
    from django.db import transaction
    from django.utils import timezone

    from studyapp.courses.models import Card
    from studyapp.study.models import CardState, ReviewLog, StudyDay

    now = timezone.now()
    topics = dict(Card.objects.filter(pk__in=card_ids).values_list("pk", "topic_id"))
    per_learner = rows // len(users)
    with transaction.atomic():
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
                        topic_id=topics[card],
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


def logged_in_clients(users, rng: random.Random) -> list:
    from django.test import Client

    clients = []
    for user in rng.sample(users, 30):
        client = Client()
        client.force_login(user)
        client.get("/study/")  # warm the session
        clients.append(client)
    return clients


SHOWN_CARD = re.compile(
    r'name="card" value="(?P<card>\d+)">\s*'
    r'<input type="hidden" name="token" value="(?P<token>[^"]+)"'
)


def timed_request(side: Side, name: str, call) -> Any:
    """Make the request, adding its time (ms) and its number of SQL statements to the
    side's figures. Statements are counted by an execute wrapper: Django's debug cursor
    (CaptureQueriesContext) formats and keeps each one, a cost that production never pays
    and that would weigh most on the pages that send the most."""
    from django.db import connection

    sent = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        response = call()
        side.times[name].append((time.perf_counter() - start) * 1000)
    side.queries[name].append(
        sum(sql not in ("BEGIN IMMEDIATE", "COMMIT", "BEGIN") for sql in sent)
    )
    return response


def one_round(side: Side, client, rng: random.Random) -> None:
    """Time each measured request once for one learner, as the reviewer makes them."""
    htmx = {"HTTP_HX_REQUEST": "true"}

    def timed(name, call):
        return timed_request(side, name, call)

    timed("trivial", lambda: client.get("/bench-trivial/"))
    timed("healthz", lambda: client.get("/healthz"))
    timed("page", lambda: client.get("/study/"))
    page = timed("next", lambda: client.get("/study/", **htmx))
    shown = SHOWN_CARD.search(page.content.decode())
    if shown is not None:  # the card and its token, from the grade form, as a browser has them
        data = {"card": shown["card"], "token": shown["token"], "rating": rng.choice((1, 3, 3, 4))}
        # As htmx sends a form: urlencoded, not the test client's default multipart.
        body = urlencode(data)
        form = "application/x-www-form-urlencoded"
        timed("grade", lambda: client.post("/study/grade/", body, form, **htmx))


def measure(sides: list[Side], rounds: int, rng: random.Random) -> None:
    """Alternate the sides round by round, and which goes first, so neither is favoured."""
    for i in range(rounds):
        for side in sides if i % 2 == 0 else reversed(sides):
            use(side)
            one_round(side, side.clients[i % len(side.clients)], rng)


def summary(side: Side, measured: tuple[str, ...] = MEASURED) -> dict[str, dict]:
    """Each measured request's median, p95 (ms) and most queries on the side."""
    return {
        name: {
            "median": statistics.median(side.times[name]),
            "p95": statistics.quantiles(side.times[name], n=20)[18],
            "queries": max(side.queries[name]),
        }
        for name in measured
    }


def report(side: Side, figures: dict) -> None:
    print(f"with {side.rows:,} review-log rows ({len(side.times['grade'])} grades):")
    for name, f in figures.items():
        print(
            f"  {name:8} median {f['median']:6.2f} ms, p95 {f['p95']:6.2f} ms, "
            f"{f['queries']} queries max"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="rounds on each side")
    args = parser.parse_args()
    rng = random.Random(1000)
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        small_db, large_db = open_databases(data_dir)
        print(f"database: {large_db.vendor}")
        small = Side("small", SMALL_ROWS, small_db)
        large = Side("large", LARGE_ROWS, large_db)
        for side in (small, large):
            prepare(side, rng)
        measure([small, large], args.requests, rng)
        figures = {side.label: summary(side) for side in (small, large)}
        for side in (small, large):
            report(side, figures[side.label])
        if small_db.vendor == "postgresql":
            use(large)
            small_db.close()
            with large_db.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA {SMALL_SCHEMA} CASCADE")
        small_db.close()
        large_db.close()

    s, big = figures["small"], figures["large"]
    trivial = big["trivial"]["median"]
    noise = big["trivial"]["p95"] / s["trivial"]["p95"]
    print(f"the trivial view's own p95 growth, which is noise: {noise:.2f}")
    result = {
        "next_ratio": round(big["next"]["median"] / trivial, 2),
        "grade_ratio": round(big["grade"]["median"] / trivial, 2),
        "next_queries": big["next"]["queries"],
        "grade_queries": big["grade"]["queries"],
        "p95_growth": round(max(big[k]["p95"] / s[k]["p95"] for k in ("next", "grade")), 2),
    }
    print("targets: ratios at most 2.5, at most 8 queries, p95 growth at most 1.3")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
