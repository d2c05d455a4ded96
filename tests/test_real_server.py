"""A real server: gunicorn with several workers on PostgreSQL, learners' requests racing
over HTTP. Undo against grade and answer against finish, many times; then every card's
state is the replay of its log, every score the sum of its answers' marks, and every
learner can still study. PostgreSQL only (CI's second run): SQLite has one writer."""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from functools import partial
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("RACE_ROUNDS", "15"))  # per learner, for each race
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several app servers need PostgreSQL"
)


# In this test's own database only: each review and answer written waits 30 ms inside its
# transaction, so that racing requests overlap inside each other's transactions on most
# rounds rather than once in a while. (Without it, 240 rounds on the code before the
# learner lock did not once catch the undo that restored the wrong state.)
SLOW_WRITES = """
CREATE FUNCTION slow_write() RETURNS trigger AS $$
BEGIN PERFORM pg_sleep(0.03); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER slow_review BEFORE INSERT ON studyapp_reviewlog
    FOR EACH ROW EXECUTE FUNCTION slow_write();
CREATE TRIGGER slow_answer BEFORE INSERT OR UPDATE ON studyapp_response
    FOR EACH ROW EXECUTE FUNCTION slow_write();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """A fresh database, migrated and filled, served by gunicorn with 4 workers."""
    name = f"studyapp_race_{uuid.uuid4().hex[:8]}"
    admin = os.environ | {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
    subprocess.run(["createdb", name], env=admin, check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SECRET"))}
    env |= {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    port = free_port()
    process = None
    try:
        manage("migrate", "--no-input")
        subprocess.run(["psql", "-q", "-d", name, "-c", SLOW_WRITES], env=admin, check=True)
        out = manage("shell", "-c", "import tests.real_server as r; r.populate()")
        setup = json.loads(out.strip().splitlines()[-1])
        gunicorn = Path(sys.executable).with_name("gunicorn")
        log = tmp_path / "log"
        command = [str(gunicorn), "studyapp.wsgi", "--bind", f"127.0.0.1:{port}"]
        process = subprocess.Popen(
            [*command, "--workers", "4", "--error-logfile", str(log)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield url, setup, lambda: manage("shell", "-c", "import tests.real_server as r; r.check()")
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        subprocess.run(["dropdb", "--if-exists", "--force", name], env=admin, check=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx comes back as an HTTPError, with its Location


_open = urllib.request.build_opener(_NoRedirects).open


class Learner:
    """One learner's browser: a session cookie and a CSRF cookie, no redirects followed."""

    def __init__(self, url: str, session: str) -> None:
        self.url = url
        self.csrf = secrets.token_hex(16)  # 32 characters: Django takes it as the secret
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body)
        request.add_header("Cookie", self.cookie)
        request.add_header("X-CSRFToken", self.csrf)
        request.add_header("HX-Request", "true")  # as the reviewer sends them: no redirect
        try:
            with _open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "") + error.read().decode()

    def shown_card(self, card: int | None = None) -> tuple[str, str]:
        status, page = self.request(f"/study/?card={card}" if card else "/study/")
        assert status == 200, page
        card = re.search(r'name="card" value="(\d+)"', page)
        token = re.search(r'name="token" value="([^"]+)"', page)
        assert card and token, "no card to study"
        return card.group(1), token.group(1)


def together(*calls) -> list:
    """Run the calls at once, in threads, and return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def race_grades_and_undos(learner: Learner, rng: random.Random) -> list[int]:
    """Grade a card while undoing. The card is one of two, opened by id as after an undo,
    so that the newest review is often of the very card being graded: the case where an
    undo that waited for the grade restored the wrong state."""
    statuses = []
    first, _ = learner.shown_card()
    for _ in range(ROUNDS):
        card, token = learner.shown_card(int(first) + rng.randint(0, 1))
        grade = {"card": card, "token": token, "rating": rng.randint(1, 4)}
        results = together(
            partial(learner.request, "/study/grade/", grade),
            partial(learner.request, "/study/undo/", {}),
            partial(learner.request, "/study/grade/", grade),  # a double click
        )
        statuses += [status for status, _ in results]
    return statuses


def race_answers_and_finishes(learner: Learner, quiz: str) -> list[int]:
    statuses = []
    for _ in range(ROUNDS):
        status, location = learner.request(f"{quiz}start/", {})
        assert status == 302, location
        attempt = re.match(r"/attempts/\d+", location).group()
        _, page = learner.request(f"{attempt}/")
        # Each question's form names its URL twice (action and hx-post), Q1 first.
        urls = list(dict.fromkeys(re.findall(rf"{attempt}/questions/\d+/", page)))
        first, last = urls[0], urls[-1]
        learner.request(first, {"answer": "false"})
        results = together(
            partial(learner.request, first, {"answer": "true"}),
            partial(learner.request, last, {"answer": "false"}),
            partial(learner.request, f"{attempt}/finish/", {}),
        )
        statuses += [status for status, _ in results]
    return statuses


def test_races_over_http_keep_every_invariant(server):
    url, setup, check = server
    learners = [Learner(url, key) for key in setup["sessions"].values()]
    statuses: list[int] = []
    results = together(
        *(
            lambda learner=learner, n=n: race_grades_and_undos(learner, random.Random(n))
            for n, learner in enumerate(learners)
        )
    )
    statuses += [s for r in results for s in r]
    results = together(
        *(
            lambda learner=learner: race_answers_and_finishes(learner, setup["quiz"])
            for learner in learners
        )
    )
    statuses += [s for r in results for s in r]
    assert set(statuses) <= {200, 204, 302}, sorted(set(statuses))
    for learner in learners:  # nobody's reviewer is stuck
        card, token = learner.shown_card()
        status, _ = learner.request("/study/grade/", {"card": card, "token": token, "rating": 3})
        assert status == 200
        assert learner.shown_card() != (card, token)
    checked = json.loads(check().strip().splitlines()[-1])
    assert checked["reviews"] > 0 and checked["finished_attempts"] == len(learners) * ROUNDS
