"""Report speed: a class's report and a quiz's report against a trivial view, with a class
of 40 learners on the shipped course, at 1,000 review-log rows and at 400,000 rows in
the class plus 1,000,000 elsewhere in the database.

As bench/review.py does (and with its machinery): the two databases are filled first,
then measured in one loop that alternates between them, so a machine's noise falls on
both sides alike. The instructor of the class asks for each page through Django's whole
stack with the test client; "trivial" answers "ok" to the same logged-in instructor.
Targets: each report's median at most 5 times the trivial view's, and each report's p95
growing at most 1.3 times from the small database to the full one. Queries count SQL
statements. Prints its figures and asserts none; the last line is one JSON object:
{"class_ratio", "quiz_ratio", "class_queries", "quiz_queries", "p95_growth"}.
Run: .venv/bin/python bench/report.py [--requests 200]   (PostgreSQL: DATABASE_URL naming a
scratch database of its own, `createdb bench`: its tables are emptied; drop it after)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import review

CLASS_SIZE = 40
OTHERS = 1_000
MEASURED = ("trivial", "class", "quiz")


def prepare(side: review.Side, class_rows: int, other_rows: int, rng: random.Random) -> None:
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from studyapp.accounts.models import Profile
    from studyapp.classes.models import Classroom, Membership
    from studyapp.courses.models import Card, Teaching, shipped_course
    from studyapp.courses.notes_import import import_note_files
    from studyapp.quizzes.imports import import_quiz_file

    review.use(side)
    ContentType.objects.clear_cache()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    start = time.perf_counter()
    import_note_files([review.ROOT / "content"])
    course = shipped_course()
    quiz = import_quiz_file(review.ROOT / "content" / "regions.gift", course=course).quiz
    cards = list(Card.objects.active().values_list("pk", flat=True))
    teacher = User.objects.create_user("teacher")
    Profile.objects.create(user=teacher, role=Profile.Role.INSTRUCTOR)
    Teaching.objects.create(course=course, instructor=teacher)
    learners = User.objects.bulk_create(User(username=f"pupil{i}") for i in range(CLASS_SIZE))
    Profile.objects.bulk_create(Profile(user=u) for u in learners)
    classroom = Classroom.objects.create(name="Bench class")
    classroom.courses.add(course)
    Membership.objects.bulk_create(Membership(classroom=classroom, learner=u) for u in learners)
    review.fill_history(learners, cards, class_rows, rng)
    if other_rows:
        others = User.objects.bulk_create(User(username=f"other{i}") for i in range(OTHERS))
        Profile.objects.bulk_create(Profile(user=u) for u in others)
        review.fill_history(others, cards, other_rows, rng)
    fill_attempts(learners, quiz, rng)
    with connection.cursor() as cursor:  # statistics, as autovacuum keeps them in use
        cursor.execute("ANALYZE")
    print(
        f"{side.label}: {CLASS_SIZE} in the class, {class_rows + other_rows:,} review-log rows, "
        f"filled in {time.perf_counter() - start:.0f} s"
    )
    client = Client()
    client.force_login(teacher)
    side.clients = [client]
    side.users = [classroom.pk, quiz.pk]


def fill_attempts(learners, quiz, rng: random.Random) -> None:
    """Two finished attempts each, every question answered, right or wrong at random."""
    from django.utils import timezone

    from studyapp.quizzes.models import Attempt, Response

    now = timezone.now()
    questions = list(quiz.questions.order_by("position"))
    layout = [
        {"question": q.pk, "order": list(range(len(q.data.get("choices", []))))} for q in questions
    ]
    attempts = Attempt.objects.bulk_create(
        Attempt(
            learner=learner,
            quiz=quiz,
            number=n,
            mode=quiz.mode,
            started_at=now - timedelta(days=n, minutes=20),
            finished_at=now - timedelta(days=n),
            layout=layout,
            max_score=len(questions),
        )
        for learner in learners
        for n in (1, 2)
    )
    responses = []
    for attempt in attempts:
        for q in questions:
            right = rng.random() < 0.7
            if q.type == "multichoice":
                answer = [rng.randrange(len(q.data["choices"]))]
            elif q.type == "truefalse":
                answer = bool(q.data["answer"]) if right else not q.data["answer"]
            else:
                answer = "an answer"
            responses.append(
                Response(
                    attempt=attempt,
                    question=q,
                    answer=answer,
                    fraction=1.0 if right else 0.0,
                    answered_at=attempt.finished_at,
                )
            )
    Response.objects.bulk_create(responses, batch_size=5_000)
    for attempt in attempts:
        attempt.score = sum(r.fraction for r in responses if r.attempt_id == attempt.pk)
    Attempt.objects.bulk_update(attempts, ["score"], batch_size=1_000)


def one_round(side: review.Side) -> None:
    client = side.clients[0]
    classroom, quiz = side.users

    def timed(name: str, url: str) -> None:
        response = review.timed_request(side, name, lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)

    timed("trivial", "/bench-trivial/")
    timed("class", f"/teach/classes/{classroom}/report/")
    timed("quiz", f"/teach/classes/{classroom}/quizzes/{quiz}/report/")


def profile(name: str, requests: int, data_dir: str, rng: random.Random) -> None:
    import cProfile
    import pstats

    small_db, _ = review.open_databases(data_dir)
    small = review.Side("small", 1_000, small_db)
    prepare(small, 1_000, 0, rng)
    review.use(small)
    one_round(small)  # warm: templates compiled, caches filled
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        one_round(small)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(45)
    for measured in MEASURED:
        print(measured, f"median {review.summary(small, MEASURED)[measured]['median']:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="rounds on each side")
    parser.add_argument(
        "--profile",
        choices=("class", "quiz"),
        help="only profile that report on the small database (its cost hardly grows with "
        "the history) and print where the time goes",
    )
    args = parser.parse_args()
    rng = random.Random(40)
    with tempfile.TemporaryDirectory() as data_dir:
        review.setup_django(data_dir, keep_contexts=False)
        if args.profile:
            return profile(args.profile, args.requests, data_dir, rng)
        small_db, large_db = review.open_databases(data_dir)
        print(f"database: {large_db.vendor}")
        small = review.Side("small", 1_000, small_db)
        large = review.Side("large", 1_400_000, large_db)
        prepare(small, 1_000, 0, rng)
        prepare(large, 400_000, 1_000_000, rng)
        for i in range(args.requests):
            for side in (small, large) if i % 2 == 0 else (large, small):
                review.use(side)
                one_round(side)
        result = {side.label: review.summary(side, MEASURED) for side in (small, large)}
        for label, found in result.items():
            print(f"{label}:")
            for name, f in found.items():
                print(
                    f"  {name:8} median {f['median']:7.2f} ms, p95 {f['p95']:7.2f} ms, "
                    f"{f['queries']} queries max"
                )
        if small_db.vendor == "postgresql":
            review.use(large)
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA {review.SMALL_SCHEMA} CASCADE")
    big, little = result["large"], result["small"]
    growth = {name: big[name]["p95"] / little[name]["p95"] for name in MEASURED}
    print(f"the trivial view's own p95 growth, which is noise: {growth['trivial']:.2f}")
    print("targets: ratios at most 5, p95 growth at most 1.3")
    print(
        json.dumps(
            {
                "class_ratio": round(big["class"]["median"] / big["trivial"]["median"], 2),
                "quiz_ratio": round(big["quiz"]["median"] / big["trivial"]["median"], 2),
                "class_queries": big["class"]["queries"],
                "quiz_queries": big["quiz"]["queries"],
                "p95_growth": round(max(growth["class"], growth["quiz"]), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
