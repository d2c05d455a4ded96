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

Also measured, each alternating with the rest in the same loop:
- undo: a learner undoes their newest review, which (as after yesterday's session) lies
  deep in the log, behind every review the other learners made since;
- progress: the Progress page of a learner with the side's history;
- the new-card path of the reviewer in a course of 100 cards and in one of 10,000
  (a third database, "courses", whose learners are new to both courses).

Requests go through Django's whole stack (middleware, sessions, templates) with the test
client. "next" is the request that fetches a card (htmx: the card partial); the whole
study page is printed too. "grade" is a grade alone, posted as a plain form (a redirect
answers it). The reviewer sends its grades with htmx, and that answer carries the next
card: one request costing about grade + next - trivial, which bench/load.py measures.
"trivial" is a view that only answers "ok" to a logged-in learner: the same stack,
session and login included, with no work of its own. Queries count SQL statements, not BEGIN/COMMIT.
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
SCHEMAS = {"small": "bench_small", "courses": "bench_courses"}
MEASURED = ("trivial", "healthz", "page", "next", "grade", "undo", "progress")
COURSE_SIZES = {"next_100": 100, "next_10k": 10_000}
UNDONE_PER_LEARNER = 3  # the newest logs of each learner in the fill that an undo can take


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
    undoers: list = field(default_factory=list)  # learners whose newest review is old
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


def open_databases(data_dir: str) -> tuple[Any, Any, Any]:
    """Return (small, large, courses) database wrappers, all under the alias "default"."""
    from django.db import connections
    from django.db.utils import load_backend

    large = connections["default"]
    if large.vendor not in ("sqlite", "postgresql"):
        sys.exit(f"bench/review.py knows SQLite and PostgreSQL, not {large.vendor}")

    def another(name: str):
        settings = copy.deepcopy(large.settings_dict)
        if large.vendor == "sqlite":
            settings["NAME"] = Path(data_dir) / f"{name}.sqlite3"
        else:
            with large.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMAS[name]}")
            settings["OPTIONS"]["options"] = f"-c search_path={SCHEMAS[name]}"
        return load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")

    return another("small"), large, another("courses")


def use(side: Side) -> None:
    """Make the side's database the one every query of this thread goes to."""
    from django.db import connections

    connections["default"] = side.database


def prepare(side: Side, rng: random.Random) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    use(side)
    ContentType.objects.clear_cache()  # the databases share the alias and so the cache
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    side.users, card_ids = fill_people_and_course()
    start = time.perf_counter()
    fill_history(side.users, card_ids, side.rows, rng)
    if side.label == "courses":
        fill_courses(side.users)
    print(
        f"{side.label}: {len(side.users)} learners, {len(card_ids)} cards, "
        f"{side.rows:,} review-log rows filled in {time.perf_counter() - start:.0f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:  # statistics, as autovacuum keeps them after a load
        cursor.execute("ANALYZE")
    clients = logged_in_clients(side.users, rng, 30 + 400)
    side.clients, side.undoers = clients[:30], clients[30:]


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
    newest = []  # each learner's newest logs, which undo may take back
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
            newest += logs[-min(UNDONE_PER_LEARNER, per_learner) :]
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
            # The learner's days as grading counts them, so that an undo takes back
            # what its review added.
            counted: defaultdict = defaultdict(lambda: [0, 0, 0, 0])
            for log in logs[-per_learner:]:
                day = counted[log.day]
                day[0] += 1
                day[1 if log.seq == 0 else 2] += 1
                day[3] += log.rating > 1
            days += [
                StudyDay(
                    learner=user, day=day, reviews=n, new_cards=new, review_cards=seen, correct=ok
                )
                for day, (n, new, seen, ok) in counted.items()
            ]
            if len(logs) >= 50_000:
                with_states_before(newest, logs)
                ReviewLog.objects.bulk_create(logs, batch_size=10_000)
                logs, newest = [], []
        with_states_before(newest, logs)
        ReviewLog.objects.bulk_create(logs, batch_size=10_000)
        CardState.objects.bulk_create(states, batch_size=10_000)
        StudyDay.objects.bulk_create(days, batch_size=10_000)


def with_states_before(newest: list, logs: list) -> None:
    """Give each learner's newest logs the state their card had before, as grading
    keeps it: what undo restores. (Each is its card's newest review: a learner's last
    few reviews are of different cards.)"""
    for log in newest:
        if log.seq == 0:
            continue  # a card's first review: undo deletes its state
        log.state_before = {
            "phase": 2,
            "step": 0,
            "stability": 10.0,
            "difficulty": 5.0,
            "due": log.reviewed_at.isoformat(),
            "last_review": (log.reviewed_at - timedelta(days=10)).isoformat(),
            "reps": log.seq,
        }


def fill_courses(users) -> None:
    """Two class-only courses, of 100 and of 10,000 cards in ten topics each, and a class
    of both for every learner (new to both)."""
    from studyapp.classes.models import Classroom, Membership
    from studyapp.courses.models import Card, Course, Topic

    classroom = Classroom.objects.create(name="Bench class")
    for slug, size in COURSE_SIZES.items():
        course = Course.objects.create(slug=slug, title=slug, visibility=Course.Visibility.CLASS)
        classroom.courses.add(course)
        topics = Topic.objects.bulk_create(
            Topic(course=course, slug=f"t{n}", title=f"Topic {n}", order=n) for n in range(10)
        )
        Card.objects.bulk_create(
            (
                Card(
                    course=course,
                    topic=topics[n * 10 // size],
                    kind="basic",
                    # About the size of the shipped course's cards.
                    front_html=f"What does service {n} of {slug} do for a workload?",
                    back_html=f"<p>It runs part {n} of the workload in <strong>{slug}</strong>,"
                    " across the Availability Zones of a Region.</p>",
                    key=f"{slug}-{n}",
                    line=n,
                )
                for n in range(size)
            ),
            batch_size=5_000,
        )
    Membership.objects.bulk_create(Membership(classroom=classroom, learner=u) for u in users)
    from studyapp.accounts.models import Profile

    Profile.objects.update(new_per_day=9999)  # the new-card path, however long the run


def logged_in_clients(users, rng: random.Random, count: int) -> list:
    from django.test import Client

    clients = []
    for user in rng.sample(users, count):
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


HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = "application/x-www-form-urlencoded"  # as htmx sends a form, not multipart


def grade_shown(side: Side, name: str, client, page, rng: random.Random) -> None:
    """Grade the card a page shows, with the card and token from its grade form, as a
    browser has them."""
    shown = SHOWN_CARD.search(page.content.decode())
    if shown is not None:
        data = {"card": shown["card"], "token": shown["token"], "rating": rng.choice((1, 3, 3, 4))}
        body = urlencode(data)
        # A plain form: the grade's own work (with htmx the answer is also the next card).
        timed_request(side, name, lambda: client.post("/study/grade/", body, FORM))


def one_round(side: Side, i: int, rng: random.Random) -> None:
    """Time each measured request once for one learner, as the reviewer makes them."""
    client = side.clients[i % len(side.clients)]
    if side.label == "courses":
        sizes = list(COURSE_SIZES) if i % 4 < 2 else list(reversed(COURSE_SIZES))
        for name in sizes:
            url = f"/courses/{name}/study/"
            page = timed_request(side, name, lambda url=url: client.get(url, **HTMX))
            grade_shown(side, f"grade_{name}", client, page, rng)
        return

    def timed(name, call):
        return timed_request(side, name, call)

    timed("trivial", lambda: client.get("/bench-trivial/"))
    timed("healthz", lambda: client.get("/healthz"))
    timed("page", lambda: client.get("/study/"))
    page = timed("next", lambda: client.get("/study/", **HTMX))
    grade_shown(side, "grade", client, page, rng)
    timed("progress", lambda: client.get("/progress/"))
    # A learner back from yesterday undoes their newest review: one of theirs that every
    # review since lies above in the log.
    undoer = side.undoers[i % len(side.undoers)]
    timed("undo", lambda: undoer.post("/study/undo/", "", FORM))  # plain, as grade


def measure(sides: list[Side], rounds: int, rng: random.Random) -> None:
    """Alternate the sides round by round, and which goes first, so neither is favoured."""
    for i in range(rounds):
        for side in sides if i % 2 == 0 else reversed(sides):
            use(side)
            one_round(side, i, rng)


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
    print(f"{side.label}, with {side.rows:,} review-log rows:")
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
        small_db, large_db, courses_db = open_databases(data_dir)
        print(f"database: {large_db.vendor}")
        small = Side("small", SMALL_ROWS, small_db)
        large = Side("large", LARGE_ROWS, large_db)
        courses = Side("courses", SMALL_ROWS, courses_db)
        sides = [small, large, courses]
        for side in sides:
            prepare(side, rng)
        measure(sides, args.requests, rng)
        figures = {side.label: summary(side) for side in (small, large)}
        figures["courses"] = summary(courses, tuple(COURSE_SIZES))
        for side in sides:
            report(side, figures[side.label])
        use(large)
        for database in (small_db, courses_db):
            database.close()
        if large_db.vendor == "postgresql":
            with large_db.cursor() as cursor:
                for schema in SCHEMAS.values():
                    cursor.execute(f"DROP SCHEMA {schema} CASCADE")
        large_db.close()

    s, big, c = figures["small"], figures["large"], figures["courses"]
    trivial = big["trivial"]["median"]
    noise = big["trivial"]["p95"] / s["trivial"]["p95"]
    print(f"the trivial view's own p95 growth, which is noise: {noise:.2f}")
    result = {
        "next_ratio": round(big["next"]["median"] / trivial, 2),
        "grade_ratio": round(big["grade"]["median"] / trivial, 2),
        "next_queries": big["next"]["queries"],
        "grade_queries": big["grade"]["queries"],
        "p95_growth": round(max(big[k]["p95"] / s[k]["p95"] for k in ("next", "grade")), 2),
        "undo_growth": round(big["undo"]["p95"] / s["undo"]["p95"], 2),
        "course_growth": round(c["next_10k"]["median"] / c["next_100"]["median"], 2),
        "progress_ratio": round(big["progress"]["median"] / big["next"]["median"], 2),
    }
    print(
        "targets: ratios at most 2.5, at most 8 queries, p95 growth at most 1.3, undo growth"
        " at most 1.3, course growth at most 1.3, progress ratio at most 2"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
