"""The load test's server side: a fresh database, seeded accounts, gunicorn on loopback."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load_client import PASSWORD

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The load test's own PostgreSQL schema, dropped and created for each run: the `public`
# schema of the test database (where the test suite runs) is never touched.
PG_SCHEMA = "quizapp_load"
# Simulated users never run out of questions in a run: every question is new today.
NEW_PER_DAY = 1000


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(kind: str, workdir: Path, pg_url: str, schema: str = PG_SCHEMA) -> str:
    """Create an empty database (on PostgreSQL a schema of its own) and return its URL."""
    if kind == "sqlite":
        path = workdir / "load.sqlite"
        for leftover in workdir.glob("load.sqlite*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg

    plain = pg_url.split("?")[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    base = pg_url.split("?")[0]
    return f"{base}?options=-csearch_path%3D{schema}"


def drop_database(kind: str, pg_url: str, schema: str = PG_SCHEMA) -> None:
    """Remove the run's PostgreSQL schema (SQLite files go with the work folder)."""
    if kind != "postgres":
        return
    import psycopg

    plain = pg_url.split("?")[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment of the app's processes for the run.

    Production settings, except RATELIMIT_ENABLED=false: the simulated users all come from
    127.0.0.1 and would otherwise hit the per-address log-in limit within seconds.
    """
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        QUIZAPP_ENV="production",
        TRUSTED_HOSTS="127.0.0.1",
        RATELIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


def flask(env: dict[str, str], *args: str) -> None:
    """Run a `flask --app quizapp` command; raise with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "quizapp", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def bench_app(database_url: str, secret_key: str, workdir: Path) -> Any:
    """An app object in this process, for seeding and for checking the database afterwards."""
    from quizapp import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret_key,
            "INSTANCE_PATH": str(workdir / "instance"),
            "RATELIMIT_ENABLED": False,
        }
    )


def seed_accounts(app: Any, count: int) -> list[str]:
    """Create `count` accounts sharing one password (hashed once, with the production KDF)."""
    from quizapp.clock import utcnow
    from quizapp.extensions import db
    from quizapp.models import User
    from quizapp.services.accounts import hash_password

    emails = [f"load-{i:04}@example.com" for i in range(count)]
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        db.session.add_all(
            User(
                email=email,
                password_hash=password_hash,
                display_name=email.split("@")[0],
                new_per_day=NEW_PER_DAY,
                created_at=utcnow(),
            )
            for email in emails
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return emails


@dataclass
class Server:
    """A running gunicorn."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def stop(self) -> None:
        """Graceful stop (SIGTERM lets workers finish their requests), then SIGKILL."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_problems(self) -> dict[str, int]:
        """Counts of the server log's worrying lines: worker timeouts, tracebacks, 503s."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        found = {
            "worker timeouts": text.count("WORKER TIMEOUT"),
            "tracebacks": text.count("Traceback (most recent call last)"),
            "503 database unavailable": text.count("database unavailable on"),
            "critical": text.count("[CRITICAL]"),
        }
        return {what: n for what, n in found.items() if n}

    def log_tail(self, lines: int = 30) -> str:
        """The end of gunicorn's error log."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_gunicorn(env: dict[str, str], workers: int, threads: int, workdir: Path) -> Server:
    """Start `gunicorn -k gthread` on a free loopback port and wait until it answers."""
    port = free_port()
    log = workdir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        "-",
        "--graceful-timeout",
        "20",
        "wsgi:app",
    ]
    # gunicorn's own log and the app's (stderr) both go to one file, read after the run.
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log_tail()}")


def new_secret() -> str:
    """A production-grade secret key for the run."""
    return secrets.token_urlsafe(48)
