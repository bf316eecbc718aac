"""Item 5: the reminders job at growing user counts: time per 10,000 users and peak memory.

Every user has reminders on at 10:00 UTC and the job runs at 12:00, so each one is decided;
one in 20 has cards due and gets a message (delivered to a null transport), the others get
a "nothing due" row. Each size runs in a fresh process (``python -m bench.reminders_job DB``)
through the job's public entry point, ``quizapp.jobs.registry.run_job("reminders")``; the
process reports the run's seconds and how far its resident memory rose above where it was
before the run (its peak RSS, VmHWM), so memory that grows with users shows.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Options, Row, create_schema, make_app, ratio
from bench.datagen import add_bank, add_cards, add_users, bulk_load, card_rows

DUE_EVERY = 20


def build_database(path: Path, users: int) -> None:
    """`users` opted-in users; every DUE_EVERY-th has three cards due."""
    create_schema(path)
    rng = random.Random(13)
    with bulk_load(path, ("banks", "topics", "questions", "users", "card_states")) as conn:
        questions = add_bank(conn, "reminders", 50, n_topics=5)
        ids = add_users(conn, users, reminders_enabled=True, reminder_hour=10)
        for user in ids[::DUE_EVERY]:
            add_cards(conn, card_rows(user, questions[:3], 3, rng))


class NullTransport:
    """Counts messages instead of sending them."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, message: object) -> None:
        """Count one message."""
        self.sent += 1


def _status_bytes(field: str) -> int:
    # VmHWM is this process's own peak (getrusage's ru_maxrss keeps the parent's from fork).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(path: Path) -> dict[str, object]:
    """Run the job once on `path` in this process; its time, outcome and memory growth."""
    from quizapp.extensions import db
    from quizapp.jobs.registry import run_job

    app = make_app(path)
    transport = NullTransport()
    app.extensions["quizapp.mail_transport"] = transport
    with app.app_context():
        db.session.execute(db.text("SELECT count(*) FROM users")).scalar()  # connect first
        db.session.rollback()
        before = _status_bytes("VmRSS")
        start = time.perf_counter()
        outcome = run_job("reminders")
        seconds = time.perf_counter() - start
        peak = _status_bytes("VmHWM")
    return {
        "seconds": seconds,
        "status": outcome.status,
        "result": outcome.result,
        "sent": transport.sent,
        "growth": max(0, peak - before),
    }


def run(options: Options) -> list[Row]:
    """Build a database per size, run the job on each in its own process, compare."""
    sizes = (2_000, 10_000) if options.quick else (10_000, 100_000)
    rows: list[Row] = []
    results = []
    for users in sizes:
        path = options.workdir / f"reminders-{users}.sqlite"
        build_database(path, users)
        done = subprocess.run(
            [sys.executable, "-m", "bench.reminders_job", str(path)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            rows.append(Row("5 reminders", f"job, {users:,} users", "-", "", False, tail))
            return rows
        result = json.loads(lines[-1])
        decided = result["result"].get("queued", 0) + result["result"].get("skipped", 0)
        per_10k = result["seconds"] / users * 10_000
        results.append((users, per_10k, result["growth"]))
        rows.append(
            Row(
                "5 reminders",
                f"job, {users:,} users: time per 10,000 users",
                f"{per_10k:.2f} s",
                note=f"run {result['seconds']:.1f} s, {result['status']}, {decided:,} decided, "
                f"{result['sent']:,} mailed; RSS rose {result['growth'] / 2**20:.1f} MiB",
            )
        )
    (small, small_t, small_m), (big, big_t, big_m) = results[0], results[-1]
    growth = big_t / small_t
    rows.append(
        Row(
            "5 reminders",
            f"per-10k time at {big:,} / at {small:,} users",
            ratio(growth),
            "<= 1.30 (linear)",
            growth <= 1.3,
        )
    )
    limit = max(2 * small_m, small_m + 8 * 2**20)
    rows.append(
        Row(
            "5 reminders",
            f"memory rise at {big:,} users",
            f"{big_m / 2**20:.1f} MiB",
            f"<= {limit / 2**20:.0f} MiB (bounded: ~{small:,}-user run)",
            big_m <= limit,
        )
    )
    return rows


def main() -> None:
    """In a fresh process: run the job on the database named on the command line."""
    print(json.dumps(measure(Path(sys.argv[1])), default=str))


if __name__ == "__main__":
    main()
