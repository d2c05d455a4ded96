"""Failures of a running stack, with learners studying through the load balancer.

    python scripts/failures.py [--learners 8] [--seconds 6]

Starts a PostgreSQL of its own (so that it may restart it), a Redis of its own, two app
servers behind HAProxy (scripts/stack.py) and learners who study over HTTP as the reviewer
does: fetch a card, grade it, and send a grade again while it is not acknowledged (a 5xx
or a broken connection; study.js does the same). Then, one after another:

  (a) kill one app server (SIGKILL): HAProxy routes around it;
  (b) restart PostgreSQL: requests meanwhile get 503 with Retry-After, the app
      reconnects by itself;
  (c) stop Redis: the app keeps serving from the database, log-in fails closed.

After each, every grade a learner saw acknowledged must be in the database exactly once.
Bounded in time and count; only 127.0.0.1. The last line is JSON.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, free_port, shown_card

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class Postgres:
    """A PostgreSQL server of our own in a temporary folder, trust auth on 127.0.0.1."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="studyapp-pg-"))
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        bin_dir = PG_BIN if PG_BIN.exists() else Path(shutil.which("pg_ctl")).parent
        self.pg_ctl = str(bin_dir / "pg_ctl")
        self._run(str(bin_dir / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres")

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_postgres, *command], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        data = str(self.dir / "data")
        log = str(self.dir / "log")
        self._run(self.pg_ctl, "start", "-D", data, "-w", "-l", log, "-o", options)

    def stop(self) -> None:
        self._run(self.pg_ctl, "stop", "-D", str(self.dir / "data"), "-w", "-m", "fast")

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, query: str, database: str = "studyapp") -> str:
        env = os.environ | {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": "postgres"}
        result = subprocess.run(
            ["psql", "-Atq", "-d", database, "-c", query],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_open = urllib.request.build_opener(_NoRedirects).open


class Learner:
    """One learner's browser, speaking to the balancer as the reviewer's htmx does."""

    def __init__(self, url: str, username: str) -> None:
        self.url, self.username = url, username
        self.csrf = secrets.token_hex(16)
        self.session = ""
        self.acked: list[tuple[str, int, int, int]] = []  # (user, card, seq, rating)
        self.statuses: collections.Counter = collections.Counter()
        self.retry_hints = 0
        self.shown: tuple[str, str] | None = None  # the card and token on screen

    def request(self, path: str, data: dict | None = None, htmx: bool = True) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body)
        request.add_header("Cookie", f"sessionid={self.session}; csrftoken={self.csrf}")
        request.add_header("X-CSRFToken", self.csrf)
        request.add_header("Referer", self.url + "/")
        if htmx:
            request.add_header("HX-Request", "true")
        try:
            with _open(request, timeout=15) as response:
                status, text, headers = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode(), error.headers
        except (OSError, http.client.HTTPException):
            # Refused, reset, or cut off mid-answer (a server killed while it wrote one,
            # which a CI run met once): no answer, as the browser sees it; send it again.
            return 0, ""
        if status == 503 and headers.get("Retry-After"):
            self.retry_hints += 1
        cookies = " ".join(headers.get_all("Set-Cookie") or [])
        cookie = re.search(r"sessionid=([^;]+)", cookies)
        if cookie:
            self.session = cookie.group(1)
        return status, text

    def log_in(self, password: str) -> int:
        status, _ = self.request(
            "/accounts/login/", {"username": self.username, "password": password}, htmx=False
        )
        return status

    def study_once(self, until: float) -> None:
        """Grade the card shown, resending the grade until it is acknowledged; the answer
        is the next card to show (a GET fetches one only when there is none)."""
        if self.shown is None:
            status, page = self.request("/study/")
            self.statuses[status] += 1
            self.shown = shown_card(page) if status == 200 else None
            if self.shown is None:
                time.sleep(0.1)
                return
        card, token = self.shown
        seq = int(token.split(":")[1])
        grade = {"card": card, "token": token, "rating": 3}
        while time.monotonic() < until + 30:  # a grade under way is seen through
            status, page = self.request("/study/grade/", grade)
            self.statuses[status] += 1
            if status == 200:
                self.acked.append((self.username, int(card), seq, 3))
                self.shown = shown_card(page)
                return
            if 400 <= status < 500:
                raise AssertionError(f"{self.username}: grade refused with {status}")
            time.sleep(0.2)  # 5xx or no answer: as study.js, send it again shortly
        raise AssertionError(f"{self.username}: a grade was never acknowledged")


@contextmanager
def studying(learners: list[Learner]):
    """Learners study in threads until the block ends."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def run(learner: Learner) -> None:
        try:
            while not stop.is_set():
                learner.study_once(time.monotonic())
        except BaseException as error:  # reported when the block ends
            errors.append(error)

    threads = [threading.Thread(target=run, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    if errors:
        raise errors[0]


def acks(learners: list[Learner]) -> int:
    return sum(len(learner.acked) for learner in learners)


def check_grades(pg: Postgres, learners: list[Learner]) -> dict:
    """Every acknowledged grade is one review row, with its rating: lost and doubled."""
    acked = [a for learner in learners for a in learner.acked]
    values = ",".join(f"('{u}',{c},{s},{r})" for u, c, s, r in acked) or "('',0,0,0)"
    rows = pg.sql(
        f"""SELECT a.u, a.c, a.s, count(r.id) FROM (VALUES {values}) a(u, c, s, rating)
            JOIN auth_user u ON u.username = a.u
            LEFT JOIN studyapp_reviewlog r ON r.learner_id = u.id AND r.card_id = a.c
                 AND r.seq = a.s AND r.rating = a.rating
            GROUP BY a.u, a.c, a.s"""
    ).split()
    counts = [int(row.split("|")[3]) for row in rows]
    total = int(pg.sql("SELECT count(*) FROM studyapp_reviewlog"))
    return {
        "acknowledged": len(acked),
        "rows": total,
        "lost": sum(1 for n in counts if n == 0),
        "doubled": sum(1 for n in counts if n > 1),
    }


def phase(name: str, learners: list[Learner], seconds: float, fault, recover) -> dict:
    before = acks(learners)
    statuses_before = sum((learner.statuses for learner in learners), collections.Counter())
    hints_before = sum(learner.retry_hints for learner in learners)
    with studying(learners):
        time.sleep(seconds / 3)
        at_fault = acks(learners)
        fault_info = fault() or {}
        time.sleep(seconds / 3)
        during = acks(learners) - at_fault
        recover_info = recover() or {}
        time.sleep(seconds / 3)
    statuses = sum((learner.statuses for learner in learners), collections.Counter())
    statuses.subtract(statuses_before)
    return (
        {
            "phase": name,
            "grades": acks(learners) - before,
            "grades_during_fault": during,
            "statuses": {str(k): v for k, v in sorted(statuses.items()) if v},
            "retry_hints": sum(learner.retry_hints for learner in learners) - hints_before,
        }
        | fault_info
        | recover_info
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0, help="per failure")
    args = parser.parse_args()
    pg = Postgres()
    pg.start()
    stack = None
    try:
        pg.sql("CREATE DATABASE studyapp", database="postgres")
        stack = Stack(database_url=pg.url("studyapp"), port=free_port(), apps=2, worker=False)
        stack.start(course=False)
        password = stack.add_learners(args.learners, cards=3000)
        learners = [Learner(stack.url, f"learner{n}") for n in range(args.learners)]
        for learner in learners:
            assert learner.log_in(password) == 302, "log-in failed"
        results = []

        def kill_app():
            stack.kill("app1")

        def start_app():
            stack.start_app(0)

        results.append(phase("kill an app server", learners, args.seconds, kill_app, start_app))
        results[-1] |= check_grades(pg, learners)

        def restart_database():
            started = time.monotonic()
            pg.stop()
            time.sleep(1.0)  # an outage the learners notice
            pg.start()
            return {"outage_s": round(time.monotonic() - started, 2)}

        results.append(
            phase("restart PostgreSQL", learners, args.seconds, restart_database, lambda: None)
        )
        results[-1] |= check_grades(pg, learners)

        newcomer = Learner(stack.url, "learner0")

        def stop_redis():
            stack.kill("redis")
            return {"log_in_without_redis": newcomer.log_in(password)}

        def start_redis():
            stack.start_redis()
            time.sleep(2.5)  # the cache tries Redis again after 2 s
            return {"log_in_with_redis_back": newcomer.log_in(password)}

        results.append(phase("stop Redis", learners, args.seconds, stop_redis, start_redis))
        results[-1] |= check_grades(pg, learners)
        for result in results:
            print(json.dumps(result))
        print(
            json.dumps(
                {
                    # Each check counts every grade so far: the last is the total.
                    "lost": results[-1]["lost"],
                    "doubled": results[-1]["doubled"],
                    "grades": acks(learners),
                    "retry_hints": sum(r["retry_hints"] for r in results),
                    "log_in_without_redis": results[2]["log_in_without_redis"],
                }
            )
        )
    finally:
        if stack:
            stack.stop()
        pg.destroy()


if __name__ == "__main__":
    main()
