"""Study cycles over HTTP: how many a real server does a second, against a trivial page.

    python bench/load.py [--sqlite] [--learners 64] [--seconds 30] [--workers 2] [--threads 4]

Starts gunicorn (gthread) on PostgreSQL (a scratch database, dropped after) or, with
--sqlite, on a SQLite file, with a Redis of its own for the cache and sessions, as
production runs (scripts/stack.py, no balancer: the app server itself is measured). Logs
in N learners through the log-in page, then at concurrency 8 and 32 runs, for --seconds
each, turns of study cycles and of the
trivial logged-in page (/ping: the same middleware, session and user, no queries of its
own), in the same run so both see the same machine. Every grade acknowledged must then
be in the database exactly once.

A study cycle is what the reviewer does for a card: it POSTs the grade (htmx), and the
answer is the next card, which it puts in place of the graded one: one request per card.
(Before, the answer was a 204 and the reviewer fetched the next card with a GET: two.)

The load generator runs on the same 2 cores: `client_cpu_share` is its share of all the
CPU time the machine spent during the measurement, so the reader can judge how much of
the machine the server had. The last line is JSON; its figures are those at concurrency 32.

PostgreSQL's statistics. A district's server runs autovacuum (PostgreSQL's default), which
analyzes a table again once a tenth of it has changed; this machine's runs with it off.
Without it the statistics stay those of the empty tables the run starts with, and the
reviewer's prepared statements keep plans that read every learner's card states on each
request (PostgreSQL's CPU per cycle doubled within two minutes). So, when the server's
autovacuum is off, the benchmark applies autovacuum's rule itself, every few seconds: a
running database's statistics are never further from its data than that rule allows.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from stack import Stack, free_port, shown_card  # noqa: E402 - the stack lives with the scripts

TURN_SECONDS = 5.0  # cycles and the trivial page take turns this long


class Client:
    """One learner's keep-alive connection to the server."""

    def __init__(self, port: int, username: str) -> None:
        self.port, self.username = port, username
        self.csrf = secrets.token_hex(16)
        self.cookie = f"csrftoken={self.csrf}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.acked: list[tuple[str, int, int, int]] = []
        self.errors = 0
        self.shown: tuple[str, str] | None = None  # the card and token on screen

    def request(self, method: str, path: str, data: dict | None = None, htmx: bool = True):
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf}
        headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.HTTPException, OSError):
                # A keep-alive connection the server closed: open another, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            if cookie.startswith("sessionid="):
                self.cookie = f"{cookie.split(';')[0]}; csrftoken={self.csrf}"
        return response.status, text

    def log_in(self, password: str) -> None:
        data = {"username": self.username, "password": password}
        status, _ = self.request("POST", "/accounts/login/", data, htmx=False)
        assert status == 302, f"{self.username}: log-in answered {status}"

    def cycle(self) -> None:
        """Grade the card shown, as the reviewer does: the answer is the next card to show
        (fetched with a GET only when there is none yet)."""
        if self.shown is None:
            status, page = self.request("GET", "/study/")
            self.shown = shown_card(page) if status == 200 else None
            if self.shown is None:
                self.errors += 1
                return
        card, token = self.shown
        grade = {"card": card, "token": token, "rating": 3}
        status, page = self.request("POST", "/study/grade/", grade)
        self.shown = shown_card(page) if status == 200 else None
        if status != 200:
            self.errors += 1
            return
        self.acked.append((self.username, int(card), int(token.split(":")[1]), 3))

    def trivial(self) -> None:
        status, _ = self.request("GET", "/ping")
        if status != 200:
            self.errors += 1


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_by_program() -> dict[str, float]:
    """CPU seconds spent so far by the processes of each program we care about."""
    tick = os.sysconf("SC_CLK_TCK")
    spent = {"gunicorn": 0.0, "postgres": 0.0, "redis": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        program = (
            "gunicorn"
            if b"gunicorn" in cmdline
            else "postgres"
            if name.startswith("postgres")
            else "redis"
            if name.startswith("redis")
            else None
        )
        if program:
            spent[program] += (int(fields[11]) + int(fields[12])) / tick
    return spent


def run_turn(clients: list[Client], kind: str, seconds: float) -> tuple[int, list[float]]:
    """Each client does `kind` in a loop for `seconds`; return the count and latencies."""
    stop = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in clients]

    def loop(i: int, client: Client) -> None:
        act = client.cycle if kind == "cycle" else client.trivial
        while time.monotonic() < stop:
            started = time.perf_counter()
            act()
            latencies[i].append(time.perf_counter() - started)

    threads = [threading.Thread(target=loop, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [x for part in latencies for x in part]
    return len(flat), flat


def measure(clients: list[Client], seconds: float) -> dict:
    """Cycles and the trivial page in alternating turns, `seconds` of each in all."""
    totals = {"cycle": [0, [], 0.0], "trivial": [0, [], 0.0]}
    turns = max(1, round(seconds / TURN_SECONDS))
    client_cpu = busy = 0.0
    programs = {"cycle": collections.Counter(), "trivial": collections.Counter()}
    for _ in range(turns):
        for kind in ("cycle", "trivial"):
            cpu0, busy0, by0 = time.process_time(), machine_busy(), cpu_by_program()
            started = time.monotonic()
            count, latencies = run_turn(clients, kind, seconds / turns)
            totals[kind][0] += count
            totals[kind][1] += latencies
            totals[kind][2] += time.monotonic() - started
            client_cpu += time.process_time() - cpu0
            busy += machine_busy() - busy0
            by1 = cpu_by_program()
            programs[kind].update({k: by1[k] - by0[k] for k in by1})
    cycles, cycle_lat, cycle_s = totals["cycle"]
    trivial, trivial_lat, trivial_s = totals["trivial"]
    cycles_s, trivial_rps = cycles / cycle_s, trivial / trivial_s
    return {
        "concurrency": len(clients),
        "cycles_s": round(cycles_s, 1),
        "trivial_rps": round(trivial_rps, 1),
        "cycle_ratio": round(cycles_s / trivial_rps, 3),
        "p50_ms": round(statistics.median(cycle_lat) * 1000, 1),
        "p95_ms": round(statistics.quantiles(cycle_lat, n=20)[-1] * 1000, 1),
        "trivial_p95_ms": round(statistics.quantiles(trivial_lat, n=20)[-1] * 1000, 1),
        "client_cpu_share": round(client_cpu / busy, 3) if busy else None,
        # CPU milliseconds per study cycle and per trivial request, by program.
        "cpu_ms_per_cycle": {k: round(v / cycles * 1000, 2) for k, v in programs["cycle"].items()},
        "cpu_ms_per_trivial": {
            k: round(v / trivial * 1000, 2) for k, v in programs["trivial"].items()
        },
    }


# The tables that autovacuum would analyze now: changed since their last analysis by more
# than its threshold plus its scale factor times their rows (PostgreSQL's own settings).
_DUE_FOR_ANALYZE = """SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname)
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
      + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)"""


class StandInAutoanalyze(threading.Thread):
    """Autovacuum's analyze rule, applied every `every` seconds while the run lasts, for a
    server whose autovacuum is off (see the module's docstring)."""

    def __init__(self, query, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.query, self.every = query, every
        self.stopped = threading.Event()
        self.analyzed = 0

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            tables = self.query(_DUE_FOR_ANALYZE)
            if tables:
                self.query(f"ANALYZE {', '.join(tables)}")
                self.analyzed += len(tables)


CHECK = """WITH a(u, c, s, rating) AS (VALUES {values})
SELECT count(r.id) FROM a JOIN auth_user u ON u.username = a.u
LEFT JOIN studyapp_reviewlog r ON r.learner_id = u.id AND r.card_id = a.c
     AND r.seq = a.s AND r.rating = a.rating
GROUP BY a.u, a.c, a.s"""


def check(clients: list[Client], query) -> dict:
    """Every acknowledged grade is one review row: lost and doubled."""
    acked = [a for client in clients for a in client.acked]
    counts = []
    for start in range(0, len(acked), 5000):
        values = ",".join(f"('{u}',{c},{s},{r})" for u, c, s, r in acked[start : start + 5000])
        counts += [int(n) for n in query(CHECK.format(values=values))]
    return {
        "acknowledged": len(acked),
        "rows": int(query("SELECT count(*) FROM studyapp_reviewlog")[0]),
        "lost": sum(1 for n in counts if n == 0),
        "doubled": sum(1 for n in counts if n > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--learners", type=int, default=64)
    parser.add_argument("--cards", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=30.0, help="of each, per concurrency")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for the app server"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="studyapp-load-"))
    name = f"bench_load_{secrets.token_hex(4)}"
    admin = os.environ | {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
    if args.sqlite:
        database_url = f"sqlite:///{scratch / 'db.sqlite3'}"

        def query(sql: str) -> list[str]:
            with sqlite3.connect(scratch / "db.sqlite3") as db:
                return [str(row[0]) for row in db.execute(sql)]
    else:
        subprocess.run(["createdb", name], env=admin, check=True)
        database_url = f"postgres://postgres@127.0.0.1:5432/{name}"

        def query(sql: str) -> list[str]:
            out = subprocess.run(
                ["psql", "-Atq", "-d", name],
                input=sql,
                env=admin,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            return out.split()

    stack = Stack(
        database_url=database_url,
        port=free_port(),
        apps=1,
        workers=args.workers,
        threads=args.threads,
        balancer=False,
        worker=False,
        run_dir=scratch,
        env=dict(pair.split("=", 1) for pair in args.env),
    )
    try:
        stack.start(course=False)
        password = stack.add_learners(args.learners, args.cards)
        analyze = None
        if not args.sqlite:
            query("VACUUM ANALYZE")  # as autovacuum keeps a running database
            if query("SHOW autovacuum") == ["off"]:
                analyze = StandInAutoanalyze(query)
                analyze.start()
        clients = [Client(stack.port, f"learner{n}") for n in range(args.learners)]
        login_threads = [
            threading.Thread(target=c.log_in, args=(password,)) for c in clients
        ]  # eight at a time would be kinder; all at once is what 9 o'clock looks like
        for thread in login_threads:
            thread.start()
        for thread in login_threads:
            thread.join()
        # A short warm-up: every worker has its connections, plans and templates.
        run_turn(clients[:8], "cycle", 2)
        run_turn(clients[:8], "trivial", 1)
        levels = [measure(clients[:8], args.seconds), measure(clients[:32], args.seconds)]
        if analyze is not None:
            analyze.stopped.set()
            analyze.join()
            print(json.dumps({"stand_in_autoanalyze": analyze.analyzed}))
        grades = check(clients, query)
        errors = sum(c.errors for c in clients)
        for level in levels:
            print(json.dumps(level))
        print(
            json.dumps(
                grades | {"errors": errors, "database": "sqlite" if args.sqlite else "postgresql"}
            )
        )
        top = levels[-1]
        print(
            json.dumps(
                {
                    "cycles_s": top["cycles_s"],
                    "trivial_rps": top["trivial_rps"],
                    "cycle_ratio": top["cycle_ratio"],
                    "p95_ms": top["p95_ms"],
                    "lost": grades["lost"],
                    "doubled": grades["doubled"],
                    "client_cpu_share": top["client_cpu_share"],
                }
            )
        )
    finally:
        stack.stop()
        if not args.sqlite:
            subprocess.run(["dropdb", "--if-exists", "--force", name], env=admin, check=True)


if __name__ == "__main__":
    main()
