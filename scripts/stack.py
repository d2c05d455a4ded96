"""A production stack on one machine, with the parts a district runs (make serve).

    HAProxy (Debian's)  ->  gunicorn app servers (gthread)  ->  PostgreSQL
         :8000               :8101, :8102, ...                  (DATABASE_URL)
                                   |
                                 Redis (cache, sessions, rate-limit counts)
    and the background worker (manage.py db_worker) beside them.

    python scripts/stack.py [--apps 2] [--workers 2] [--threads 4] [--port 8000]

Runs in the foreground until Ctrl-C. PostgreSQL is the one DATABASE_URL names (default:
database `studyapp` on 127.0.0.1, made if missing); Redis is REDIS_URL's, or without it
one started here that keeps nothing on disk. bench/load.py and scripts/failures.py use
the Stack class to run the same stack against their own database and Redis.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30, status: int = 200) -> None:
    """Wait until GET url answers `status`, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == status:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer {status} within {seconds} s")
        time.sleep(0.1)


def install(*pairs: str) -> None:
    """Debian's packages for the commands named (command:package), if missing."""
    subprocess.run([ROOT / "scripts" / "install-debian", *pairs], check=True)


_LEARNERS = """
from django.contrib.auth.models import User
from studyapp.accounts.models import Profile
from tests.conftest import make_cards
make_cards({cards}, slug="drill", title="Drill")
for n in range({learners}):
    user = User.objects.create_user(f"learner{{n}}", password="{password}")
    Profile.objects.create(user=user, new_per_day=9999)
"""


def shown_card(page: str) -> tuple[str, str] | None:
    """The card and token of the grade form in a reviewer page or card, if it has one."""
    card = re.search(r'name="card" value="(\d+)"', page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    return (card.group(1), token.group(1)) if card and token else None


HAPROXY = """\
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # A request that could not reach an app server (it died, say) goes to another; one
    # that reached it is never sent twice (grades are exactly-once anyway).
    retries 3
    option redispatch
    retry-on conn-failure
frontend web
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend apps
backend apps
    balance leastconn
    option httpchk
    http-check send meth GET uri /healthz hdr Host 127.0.0.1
    http-check expect status 200
    # Down after two failed checks a second apart; back after two good ones.
    default-server inter 1s fall 2 rise 2
{servers}
"""


@dataclass
class Stack:
    """The processes of one stack; `start()` brings them up, `stop()` takes them down."""

    database_url: str
    port: int
    apps: int = 2
    workers: int = 2
    threads: int = 4
    redis_url: str | None = None  # None: start a Redis of our own
    balancer: bool = True
    worker: bool = True
    env: dict = field(default_factory=dict)
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="studyapp-")))
    app_ports: list[int] = field(default_factory=list)
    processes: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_env(self) -> dict:
        ours = ("DATABASE_", "REDIS_URL", "SECRET_KEY", "DEBUG", "STATIC_", "CONN_MAX_AGE")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        key_file = self.run_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
        return (
            env
            | {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url or "",
                "SECRET_KEY": key_file.read_text(),
                "DEBUG": "0",
                "STATIC_COLLECTED": "1",
                "STATIC_ROOT": str(self.run_dir / "static"),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                # Each thread of a process takes a connection from the process's pool.
                "DATABASE_POOL": str(self.threads),
                "TRUSTED_PROXY_COUNT": "1" if self.balancer else "0",
            }
            | self.env
        )

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.app_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self, course: bool = True) -> None:
        """Migrate, collect static files and (with course) load the course and demo users."""
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("createcachetable")
        self.manage("collectstatic", "--no-input", "-v", "0")
        if course:
            self.manage("import_notes", str(ROOT / "content"))
            print(self.manage("setup_demo"), end="")

    def add_learners(self, learners: int, cards: int) -> str:
        """A topic of `cards` cards and learners learner0... with no daily limit on new
        cards, for the drills and benchmarks; return their password."""
        password = secrets.token_urlsafe(12)
        self.manage(
            "shell", "-c", _LEARNERS.format(cards=cards, learners=learners, password=password)
        )
        return password

    def _spawn(self, name: str, command: list, **kwargs) -> subprocess.Popen:
        with open(self.run_dir / f"{name}.log", "ab") as log:  # the child keeps its copy
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill takes its workers
                **kwargs,
            )
        self.processes[name] = process
        return process

    def start_redis(self) -> None:
        install("redis-server:redis-server")
        port = self._redis_port or free_port()
        self._redis_port = port
        self._spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def start_app(self, index: int) -> None:
        port = self.app_ports[index]
        command = [str(BIN / "gunicorn"), "studyapp.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.workers), "--threads", str(self.threads)]
        command += ["--worker-class", "gthread", "--graceful-timeout", "10"]
        self._spawn(f"app{index + 1}", command, env=self.app_env())
        wait_for(f"http://127.0.0.1:{port}/healthz")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill a part as a crash would: the whole process group, no goodbye."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def start(self, course: bool = True) -> None:
        self._redis_port = None
        if self.redis_url is None:
            self.start_redis()
            self.redis_url = f"redis://127.0.0.1:{self._redis_port}/0"
        self.prepare(course)
        self.app_ports = [free_port() for _ in range(self.apps)]
        for index in range(self.apps):
            self.start_app(index)
        if self.worker:
            command = [sys.executable, "manage.py", "db_worker", "--no-reload"]
            self._spawn("worker", command, env=self.app_env())
        if self.balancer:
            install("haproxy:haproxy")
            servers = "\n".join(
                f"    server app{i + 1} 127.0.0.1:{port} check"
                for i, port in enumerate(self.app_ports)
            )
            config = self.run_dir / "haproxy.cfg"
            config.write_text(HAPROXY.format(port=self.port, servers=servers))
            self._spawn("haproxy", ["haproxy", "-db", "-f", str(config)])
        else:
            self.port = self.app_ports[0]
        wait_for(f"{self.url}/healthz")

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.kill(name, signal.SIGTERM)


def ensure_database(url: str) -> None:
    """Make the PostgreSQL database of `url` if it is not there yet."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    env = os.environ | {
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    found = subprocess.run(
        ["psql", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
        env=env,
        capture_output=True,
        text=True,
    )
    if found.returncode:
        raise SystemExit(f"cannot reach PostgreSQL at {parts.hostname}: {found.stderr.strip()}")
    if not found.stdout.strip():
        subprocess.run(["createdb", name], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=2, help="app servers (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="processes per app server")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/studyapp"
    if not database_url.startswith("postgres"):
        raise SystemExit("the stack runs on PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(database_url)
    run_dir = ROOT / "var" / "stack"
    run_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(
        database_url=database_url,
        port=args.port,
        apps=args.apps,
        workers=args.workers,
        threads=args.threads,
        redis_url=os.environ.get("REDIS_URL") or None,
        run_dir=run_dir,
    )
    if not shutil.which("redis-server") and stack.redis_url is None:
        print("REDIS_URL is unset: installing Debian's redis-server to run one here")
    try:
        stack.start()
        print(f"studyapp is at {stack.url}/ (HAProxy, {args.apps} app servers; Ctrl-C stops)")
        for name, process in stack.processes.items():
            print(f"  {name:<8} pid {process.pid:<7} log {run_dir / (name + '.log')}")
        print(f"  apps on ports {', '.join(map(str, stack.app_ports))}; Redis {stack.redis_url}")
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
