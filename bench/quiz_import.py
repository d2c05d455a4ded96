"""Quiz import speed: parse, and parse + save, a generated 5,000-question GIFT file.

Prints questions per second for parsing alone and for parse + save (into a new quiz in
one transaction), and the ratio of parse + save to a bare `bulk_create` of the same
5,000 question rows (same columns and values). Target: that ratio at most 3.
Uses a fresh SQLite database, or the database named by DATABASE_URL (give it a scratch
database: it is flushed first). Prints its figures and asserts none; the last line is
one JSON object.
Run: .venv/bin/python bench/quiz_import.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONS = 5_000
RUNS = 3


def gift_text(n: int) -> str:
    """A file with every question type in turn, feedback and escapes included."""
    kinds = [
        "::Q{i} MC::Which service, number {i}, stores objects? "
        "{{=Amazon S3#Right. ~Amazon EC2#Compute. ~AWS Lambda ~Amazon VPC}}",
        "::Q{i} multi::Pick the two Regional services ({i}). "
        "{{~%50%EC2 ~%50%VPC ~%-100%IAM#Global.}}",
        "::Q{i} TF::Region {i} holds several AZs. {{T#No: it does.#Right.}}",
        "::Q{i} short::Name the CDN \\{{{i}\\}}. {{=CloudFront =%50%Amazon CloudFront#Close.}}",
        "::Q{i} number::How many AZs at least, case {i}? {{#3:0 =%50%2:0}}",
        "::Q{i} match::Match them, set {i}. {{=S3 -> objects =EBS -> blocks =EFS -> files}}",
        "$CATEGORY: bench/{i}\n\n::Q{i} essay::Explain case {i}. {{####Mention AZs.}}",
    ]
    return "\n\n".join(kinds[i % len(kinds)].format(i=i) for i in range(n)) + "\n"


def setup(data_dir: str) -> None:
    os.environ.setdefault("STUDYAPP_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    # With DATABASE_URL the app wants the key its servers share; one process needs none.
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def main() -> None:
    text = gift_text(QUESTIONS)
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        from django.db import connection, transaction

        from studyapp.formats import gift
        from studyapp.quizzes.imports import question_keys, save_quiz
        from studyapp.quizzes.models import Question, Quiz

        parse_times, save_times, bare_times = [], [], []
        for run in range(RUNS):
            start = time.perf_counter()
            questions = gift.parse(text)
            parse_times.append(time.perf_counter() - start)

            start = time.perf_counter()
            report = save_quiz(gift.parse(text), title=f"Bench {run}")
            save_times.append(time.perf_counter() - start)
            assert report.created == QUESTIONS, report

            # The same rows, values ready, inserted with nothing else.
            rows = list(report.quiz.questions.all())
            bare_quiz = Quiz.objects.create(title=f"Bare {run}", slug=f"bare-{run}")
            copies = [
                Question(
                    quiz=bare_quiz,
                    key=row.key,
                    position=row.position,
                    type=row.type,
                    title=row.title,
                    text_html=row.text_html,
                    general_feedback_html=row.general_feedback_html,
                    data=row.data,
                    parsed=row.parsed,
                    line=row.line,
                )
                for row in rows
            ]
            start = time.perf_counter()
            with transaction.atomic():
                Question.objects.bulk_create(copies, batch_size=1000)
            bare_times.append(time.perf_counter() - start)
        assert len(questions) == QUESTIONS and len(question_keys(questions)) == QUESTIONS

    parse_s, save_s, bare_s = (statistics.median(t) for t in (parse_times, save_times, bare_times))
    print(f"database: {connection.vendor}; {QUESTIONS:,} questions, median of {RUNS} runs")
    print(f"  parse            {parse_s * 1000:7.0f} ms  ({QUESTIONS / parse_s:,.0f} questions/s)")
    print(f"  parse + save     {save_s * 1000:7.0f} ms  ({QUESTIONS / save_s:,.0f} questions/s)")
    print(f"  bare bulk_create {bare_s * 1000:7.0f} ms")
    print("target: parse + save at most 3x the bare insert")
    print(
        json.dumps(
            {
                "parse_q_s": round(QUESTIONS / parse_s),
                "save_q_s": round(QUESTIONS / save_s),
                "save_ratio": round(save_s / bare_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
