"""Items 1 and 6: the answer cycle under gunicorn vs. a bare Flask app, and worker memory.

Both servers run under gunicorn with the same settings (the README's production line:
4 workers, 2 threads each) on loopback, and ``wrk`` drives both from its own process with the
same script (bench/answer.lua): one connection per logged-in user, each looping "GET the
question, POST the answer". The app runs from ``wsgi:app`` with a seeded SQLite database
(the rate limits off, as they would stop one address from answering hundreds of times a
minute); the peers are bench/floor_app.py (the same stack doing the least an answer cycle
can) and bench/bare_app.py returning a short text. quizapp and the floor app are up together
and take turns at each connection count, so the machine's drift hits both alike. Users log in
through the real /login form first; each has a daily session of 1,000 questions (500 due,
500 new) built by the app itself. After the load, the resident memory of each app worker is read
(item 6).

With ``--pg-url`` (``make bench`` passes the Makefile's PG_URL), quizapp and the floor app run
again on PostgreSQL: the seeded SQLite data is copied, before any answer, into a schema of
its own (PG_SCHEMA), which is dropped afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.common import SECRET_KEY, Options, Row, create_schema, make_app, ratio
from bench.datagen import (
    add_bank,
    add_cards,
    add_reviews_from_cards,
    add_users,
    bulk_load,
    card_rows,
)

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "answer.lua"
WORKERS, THREADS = 4, 2
# wrk connections (= wrk threads: the Lua state is per thread), each one logged-in user.
CONNECTIONS = (8, 32)
# Every wrk run (warm-up or measured) has users of its own: a run ends with answers still in
# flight, and the next run's first page for the same user could be read before they commit
# (its answer then gets a 409, which is right, but is not the app's error).
USERS = 2 * sum(CONNECTIONS)
P99_LIMIT_MS = 100
PASSWORD = "bench password 1234"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TABLES = ("banks", "topics", "questions", "users", "card_states", "reviews")
MEMORY_LIMIT_MIB = 120
# Benchmark 1 on PostgreSQL runs in a schema of its own, dropped afterwards.
PG_SCHEMA = "quizapp_bench"


def build_database(path: Path) -> dict[int, int]:
    """Seed the app's database; return {user id: id of their daily session}."""
    from werkzeug.security import generate_password_hash

    from quizapp.clock import SystemClock
    from quizapp.extensions import db
    from quizapp.models import User
    from quizapp.services import study

    create_schema(path)
    rng = random.Random(17)
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with bulk_load(path, TABLES) as conn:
        questions = add_bank(conn, "python", 800, n_topics=12, seed=1, store_html=True)
        questions += add_bank(conn, "web", 700, n_topics=10, seed=2, store_html=True)
        # 500 cards each, all due by now: a session of 500 reviews + 500 new questions, more
        # than one user answers in a measured run (a finished session redirects: a failure).
        users = add_users(
            conn, USERS + 40, password_hash=hashed, new_per_day=500, reviews_per_day=500
        )
        for user in users:
            add_cards(conn, card_rows(user, sorted(rng.sample(questions, 500)), 0, rng))
        add_reviews_from_cards(conn, 5, users[0], users[-1])
    # The sessions are built by the app on the real clock, as the server will see them.
    app = make_app(path, CLOCK=SystemClock())
    sessions = {}
    with app.app_context():
        for user_id in users[:USERS]:
            session = study.start_daily_session(db.session.get(User, user_id))
            assert session is not None
            sessions[user_id] = session.id
        db.session.remove()
        db.engine.dispose()
    return sessions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A gunicorn process on a loopback port; stopped by its own pid."""

    def __init__(self, target: str, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.log_path = log
        self.log = log.open("w")
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--threads",
            str(THREADS), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", target,
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        """Wait until the server answers `path` (raise if it died or took too long)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    def worker_rss(self) -> list[int]:
        """Resident bytes of each worker process."""
        try:
            import psutil
        except ImportError:
            return []
        return [child.memory_info().rss for child in psutil.Process(self.process.pid).children()]

    def stop(self) -> None:
        """SIGTERM the master (it stops its workers), then wait; SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _cookie(headers: list[tuple[str, str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def log_in(port: int, email: str) -> str:
    """Log in through the real form; return the session cookie ("session=...")."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = _cookie(response.getheaders())
    match = CSRF_RE.search(body)
    if cookie is None or match is None:
        raise RuntimeError("no session cookie or CSRF token on /login")
    form = f"email={email}&password={PASSWORD.replace(' ', '+')}&csrf_token={match.group(1)}"
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    logged_in = _cookie(response.getheaders())
    if response.status != 302 or logged_in is None:
        raise RuntimeError(f"log-in of {email} failed: {response.status}")
    # Logging in starts a new session; the first page stores its CSRF secret in it, and wrk
    # keeps sending the cookie it is given, so it must already hold that secret.
    conn.request("GET", "/settings", headers={"Cookie": logged_in})
    response = conn.getresponse()
    response.read()
    conn.close()
    return _cookie(response.getheaders()) or logged_in


def wrk(port: int, users_file: Path, mode: str, seconds: int, connections: int) -> dict[str, float]:
    """Run wrk with the answer script; its summary as a dict."""
    command = [
        "wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(users_file), mode,
    ]  # fmt: skip
    done = subprocess.run(  # noqa: S603 - our own fixed command
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    return json.loads(lines[-1])


def _env(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "QUIZAPP_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        SECRET_KEY=SECRET_KEY,
        RATELIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _measure(
    server: Server, warm_up: Path, measured: Path, mode: str, seconds: int, connections: int
) -> dict[str, float]:
    wrk(server.port, warm_up, mode, 2, connections)  # warm-up: imports, caches, connections
    result = wrk(server.port, measured, mode, seconds, connections)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(
        int(result[k]) for k in ("connect", "read", "write", "status", "timeout", "failures")
    )
    return result


def _describe(result: dict[str, float]) -> str:
    kinds = ("connect", "read", "write", "status", "timeout", "failures")
    why = ", ".join(f"{k} {int(result[k])}" for k in kinds if result[k])
    if result.get("bad"):
        why += f"; statuses {result['bad'].strip()}"
    return (
        f"p50 {result['p50_us'] / 1000:.1f} ms, p99 {result['p99_us'] / 1000:.1f} ms, "
        f"{int(result['errors'])} errors{f' ({why})' if why else ''}, "
        f"{int(result['requests']):,} requests"
    )


def _page_bytes(port: int, cookie: str, session_id: int) -> int:
    """The size of quizapp's question page, which the floor app's page matches."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/quiz/sessions/{session_id}", headers={"Cookie": cookie})
    size = len(conn.getresponse().read())
    conn.close()
    return size


def _serve(
    target: str, env: dict[str, str], log: Path, users: list[tuple[int, str]], mode: str
) -> tuple[Server, list[str]]:
    """Start a server and log the users in: the server and wrk's user lines."""
    server = Server(target, env, log)
    try:
        server.wait_ready("/login" if mode == "app" else "/question")
        lines = [
            f"{sid}\t{log_in(server.port, email) if mode == 'app' else 'x=1'}\n"
            for sid, email in users
        ]
    except BaseException:
        server.stop()
        raise
    return server, lines


def _measure_all(
    servers: list[tuple[Server, list[str]]], mode: str, seconds: int
) -> list[dict[int, dict[str, float]]]:
    """Run wrk at every connection count on each server in turn; each server's results.

    The servers take turns at each count, so a drift in the machine's speed (seen here up to
    2x within minutes) hits them alike instead of whichever ran later.
    """
    results: list[dict[int, dict[str, float]]] = [{} for _ in servers]
    start = 0
    for c in CONNECTIONS:
        for (server, lines), result in zip(servers, results, strict=True):
            warm_up, measured = (
                server.log_path.with_suffix(f".{c}.{kind}.tsv") for kind in ("warm", "run")
            )
            warm_up.write_text("".join(lines[start : start + c]))
            measured.write_text("".join(lines[start + c : start + 2 * c]))
            result[c] = _measure(server, warm_up, measured, mode, seconds, c)
        start += 2 * c
    return results


def copy_to_postgres(sqlite_path: Path, url: str) -> None:
    """Copy every table of the seeded SQLite database into the (empty) database at `url`."""
    from sqlalchemy import create_engine, func, insert, select, text

    from quizapp.extensions import db

    source, target = create_engine(f"sqlite:///{sqlite_path}"), create_engine(url)
    try:
        with source.connect() as reading, target.begin() as writing:
            db.metadata.create_all(writing)
            for table in db.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in reading.execute(select(table))]
                for start in range(0, len(rows), 5000):
                    writing.execute(insert(table), rows[start : start + 5000])
                if rows and "id" in table.c:
                    top = writing.scalar(select(func.max(table.c.id)))
                    writing.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :top)"),
                        {"top": top},
                    )
    finally:
        source.dispose()
        target.dispose()


def _rows(
    label: str, bare: dict[int, dict[str, float]], floor: dict[int, dict[str, float]],
    ours: dict[int, dict[str, float]], page: int, database: str,
) -> list[Row]:  # fmt: skip
    """The table rows of one database: each connection count against the floor and bare Flask."""
    rows = []
    for c in CONNECTIONS:
        a, f, b = bare[c], floor[c], ours[c]
        item = f"1 answer cycle, {c} conn.{label}"
        to_floor, to_bare, p99 = b["rps"] / f["rps"], b["rps"] / a["rps"], b["p99_us"] / 1000
        rows += [
            Row(item, "(a) bare Flask, GET + POST", f"{a['rps']:.0f} req/s", note=_describe(a)),
            Row(item, "(f) floor: same stack, 1 SELECT + page / UPDATE + INSERT",
                f"{f['rps']:.0f} req/s", note=_describe(f) + f"; page {page:,} bytes"),
            Row(item, "(b) quizapp: GET question + POST answer", f"{b['rps']:.0f} req/s",
                note=_describe(b) + f", {int(b['answers']):,} answers"),
            Row(item, "(b)/(f) requests/s", ratio(to_floor), ">= 0.50", to_floor >= 0.50),
            Row(item, "(b)/(a) requests/s", ratio(to_bare), ">= 0.15", to_bare >= 0.15),
            Row(item, "(b) p99 latency", f"{p99:.1f} ms", f"<= {P99_LIMIT_MS} ms",
                p99 <= P99_LIMIT_MS),
            Row(item, "(b) errors", str(int(b["errors"])), "0", b["errors"] == 0,
                f"gunicorn {WORKERS} workers x {THREADS} threads, {database}"),
        ]  # fmt: skip
    return rows


def _serve_both(
    app_env: dict[str, str], floor_env: dict[str, str], logs: Path, label: str,
    app_users: list[tuple[int, str]], floor_users: list[tuple[int, str]], seconds: int,
) -> tuple[dict[int, dict[str, float]], dict[int, dict[str, float]], list[int], int]:  # fmt: skip
    """quizapp and the floor app on one database, in turns: their results, quizapp's RSS and
    page size (the floor's page is made as large)."""
    servers: list[tuple[Server, list[str]]] = []
    try:
        servers.append(
            _serve("wsgi:app", app_env, logs / f"gunicorn-app{label}.log", app_users, "app")
        )
        app_server = servers[0][0]
        page = _page_bytes(
            app_server.port, log_in(app_server.port, app_users[0][1]), app_users[0][0]
        )
        servers.append(
            _serve(
                "bench.floor_app:app", {**floor_env, "FLOOR_PAGE_BYTES": str(page)},
                logs / f"gunicorn-floor{label}.log", floor_users, "app",
            )
        )  # fmt: skip
        ours, floor = _measure_all(servers, "app", seconds)
        rss = app_server.worker_rss()
    finally:
        for server, _ in servers:
            server.stop()
    return ours, floor, rss, page


def _postgres_database(options: Options, db_path: Path) -> tuple[str | None, str]:
    """A PostgreSQL schema with the same seeded data and the floor app's: (URL, or None, why)."""
    from bench.floor_app import seed
    from bench.load_server import fresh_database

    assert options.pg_url is not None
    try:
        url = fresh_database("postgres", options.workdir, options.pg_url, PG_SCHEMA)
        copy_to_postgres(db_path, url)
        seed(url, USERS)
    except Exception as exc:  # noqa: BLE001 - the table says why, the SQLite figures stand
        return None, f"PostgreSQL at {options.pg_url} not usable: {type(exc).__name__}: {exc}"
    return url, ""


def run(options: Options) -> list[Row]:
    """Serve the three apps in turn, drive each with wrk, compare; then read worker memory."""
    if shutil.which("wrk") is None:
        why = "wrk is not installed (apt-get install -y wrk; `make bench` does it)"
        return [Row("1 answer cycle", "(b)/(f)", "-", ">= 0.50", None, why)]
    from bench.floor_app import seed
    from bench.load_server import drop_database

    seconds = 4 if options.quick else 8
    db_path = options.workdir / "answer.sqlite"
    sessions = build_database(db_path)
    floor_db = options.workdir / "floor.sqlite"
    seed(f"sqlite:///{floor_db}", USERS)
    env = _env(db_path)
    app_users = [(sid, f"user{uid}@bench.example") for uid, sid in sessions.items()]
    floor_users = [(0, f"user{i}@bench.example") for i in range(1, USERS + 1)]

    # Copied before any answer, so both databases start from the same sessions.
    pg_url, pg_problem = _postgres_database(options, db_path) if options.pg_url else (None, "")
    try:
        ours, floor, rss, page = _serve_both(
            env, {**env, "FLOOR_DATABASE": str(floor_db)}, options.workdir, "", app_users,
            floor_users, seconds,
        )  # fmt: skip
        bare_server = _serve(
            "bench.bare_app:app", env, options.workdir / "gunicorn-bare.log", floor_users, "bare"
        )
        try:
            (bare,) = _measure_all([bare_server], "bare", seconds)
        finally:
            bare_server[0].stop()
        rows = _rows("", bare, floor, ours, page, "SQLite")
        if pg_url:
            pg_env = {**env, "DATABASE_URL": pg_url}
            pg_ours, pg_floor, _, pg_page = _serve_both(
                pg_env, {**pg_env, "FLOOR_DATABASE_URL": pg_url}, options.workdir, "-pg",
                app_users, floor_users, seconds,
            )  # fmt: skip
            rows += _rows(", PostgreSQL", bare, pg_floor, pg_ours, pg_page, "PostgreSQL")
        elif pg_problem:
            rows.append(Row("1 answer cycle, PostgreSQL", "(b)/(f)", "-", ">= 0.50", None,
                            pg_problem))  # fmt: skip
    finally:
        if pg_url and options.pg_url:
            drop_database("postgres", options.pg_url, PG_SCHEMA)
    if rss:
        top = max(rss) / 2**20
        rows.append(
            Row("6 memory", "RSS of one gunicorn worker after (1)", f"{top:.0f} MiB",
                f"<= {MEMORY_LIMIT_MIB} MiB", top <= MEMORY_LIMIT_MIB,
                "workers: " + ", ".join(f"{r / 2**20:.0f}" for r in sorted(rss)) + " MiB")
        )  # fmt: skip
    else:
        rows.append(Row("6 memory", "RSS of one gunicorn worker", "-", "<= 120 MiB", None,
                        "psutil is not installed (pip install -e '.[bench]')"))  # fmt: skip
    return rows
