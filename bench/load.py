"""Load test: the real app under gunicorn, many simulated users, then a check that nothing was lost.

    python -m bench.load --db sqlite|postgres --seconds 60 --users 30 --workers 4

1. A fresh database (a new SQLite file, or a dropped-and-recreated PostgreSQL schema named
   quizapp_load), migrated with `flask db upgrade`, the bundled banks imported with `flask
   banks import`, and 2 accounts per simulated user.
2. `gunicorn -k gthread --workers N --threads 2 wsgi:app` on 127.0.0.1 and a free port, with
   production settings except RATELIMIT_ENABLED=false (every simulated user comes from
   127.0.0.1, and the log-in limit is per address).
3. Simulated users (threads with keep-alive http.client connections) log in, start today's
   quiz and answer questions through the real forms until the time is up. Some answers are
   re-posted after they were accepted (must get 409) and some are posted on two connections at
   once (exactly one may be applied).
4. Throughput, latency percentiles and errors; then, with the server stopped, every answer
   the server accepted must be in the review log exactly once, per (user, item) and per
   (user, question), and `verify_reviews()` must find every card state equal to its replayed
   log. Exit status 1 on any error, loss, duplicate or mismatch.

Loopback only, and bounded: at most 600 s, 200 users, 16 workers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load_client import AccountPool, Plan, Record, Sample, SimulatedUser
from bench.load_server import (
    DEFAULT_PG_URL,
    REPO,
    bench_app,
    drop_database,
    flask,
    fresh_database,
    new_secret,
    seed_accounts,
    server_env,
    start_gunicorn,
)

MAX_SECONDS, MAX_USERS, MAX_WORKERS = 600, 200, 16
THREADS_PER_WORKER = 2


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=_bounded(1, MAX_SECONDS), default=60)
    parser.add_argument("--users", type=_bounded(1, MAX_USERS), default=30)
    parser.add_argument("--workers", type=_bounded(1, MAX_WORKERS), default=4)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL server and database; the run uses its own schema there (quizapp_load)",
    )
    parser.add_argument("--think-ms", type=_bounded(0, 10_000), default=0, help="pause per answer")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the simulated users")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and schema")
    return parser.parse_args(argv)


@dataclass
class LogCheck:
    """The client's record of accepted answers compared with the review log."""

    accepted: int = 0
    unknown: int = 0
    reviews: int = 0
    lost: int = 0
    duplicated: int = 0
    items_missing: int = 0
    items_unclaimed: int = 0
    mismatches: int = 0
    mismatch_examples: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing lost, nothing twice, every card state equal to its replay."""
        return not (
            self.lost
            or self.duplicated
            or self.items_missing
            or self.items_unclaimed
            or self.mismatches
        )


def check_log(app: Any, record: Record) -> LogCheck:
    """Compare accepted answers with the review log; replay the log with verify_reviews()."""
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import Review, StudySession, StudySessionItem, User
    from quizapp.services.verify import verify_reviews

    check = LogCheck(accepted=len(record.accepted), unknown=len(record.unknown))
    with app.app_context():
        ids = dict(db.session.execute(select(User.email, User.id)).all())
        check.reviews = db.session.scalar(select(func.count()).select_from(Review)) or 0
        logged = Counter(
            {
                (uid, qid): n
                for uid, qid, n in db.session.execute(
                    select(Review.user_id, Review.question_id, func.count()).group_by(
                        Review.user_id, Review.question_id
                    )
                )
            }
        )
        items = {
            item_id: (user_id, question_id, review_id, answered_at)
            for item_id, user_id, question_id, review_id, answered_at in db.session.execute(
                select(
                    StudySessionItem.id,
                    StudySession.user_id,
                    StudySessionItem.question_id,
                    StudySessionItem.review_id,
                    StudySessionItem.answered_at,
                ).join(StudySession, StudySession.id == StudySessionItem.session_id)
            )
        }
        review_users = dict(db.session.execute(select(Review.id, Review.user_id)).all())

        # Per (user, question): the log holds each accepted answer once. An answer whose
        # outcome the client could not see may be in the log, at most once.
        expected = Counter((ids[email], qid) for email, _item, qid in record.accepted)
        maybe = Counter(
            (ids[email], items[item_id][1]) for email, item_id in record.unknown if item_id in items
        )
        for key in expected.keys() | logged.keys():
            gap = logged[key] - expected[key]
            if gap < 0:
                check.lost += -gap
            elif gap > maybe[key]:
                check.duplicated += gap - maybe[key]

        # Per (user, item): each accepted item is claimed and linked to one review of the user,
        # and no item was accepted twice.
        per_item = Counter((ids[email], item_id) for email, item_id, _qid in record.accepted)
        check.duplicated += sum(n - 1 for n in per_item.values() if n > 1)
        for (user_id, item_id), _n in per_item.items():
            owner, _qid, review_id, answered_at = items.get(item_id, (None, None, None, None))
            if owner != user_id or review_id is None or answered_at is None:
                check.items_missing += 1
            elif review_users.get(review_id) != user_id:
                check.items_missing += 1
        known = {item_id for _email, item_id in record.unknown} | {i for _u, i in per_item}
        check.items_unclaimed = sum(
            1
            for item_id, (_uid, _qid, review_id, _at) in items.items()
            if review_id is not None and item_id not in known
        )
        for mismatch in verify_reviews():
            check.mismatches += 1
            if len(check.mismatch_examples) < 5:
                check.mismatch_examples.append(str(mismatch))
        db.session.remove()
        db.engine.dispose()
    return check


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    # ceil(p * n), rounded first so that 0.95 * 100 is 95, not 95.00000000000001.
    rank = max(1, math.ceil(round(fraction * len(sorted_values), 9)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_rows(samples: list[Sample]) -> list[dict[str, Any]]:
    """Latency percentiles in milliseconds, for all requests and per kind."""
    groups: dict[str, list[float]] = {"all": []}
    for sample in samples:
        groups["all"].append(sample.seconds)
        groups.setdefault(sample.kind, []).append(sample.seconds)
    rows = []
    for kind, values in groups.items():
        values.sort()
        rows.append(
            {
                "kind": kind,
                "count": len(values),
                "p50_ms": round(percentile(values, 0.50) * 1000, 1),
                "p95_ms": round(percentile(values, 0.95) * 1000, 1),
                "p99_ms": round(percentile(values, 0.99) * 1000, 1),
                "max_ms": round((values[-1] if values else 0) * 1000, 1),
            }
        )
    return rows


def merge(records: list[Record]) -> Record:
    """All simulated users' records as one."""
    total = Record()
    for record in records:
        total.samples += record.samples
        total.errors.update(record.errors)
        total.accepted += record.accepted
        total.unknown += record.unknown
        for name in (
            "duplicate_posts",
            "duplicate_409",
            "duplicate_applied",
            "races",
            "race_one_winner",
            "race_both_applied",
            "logins",
            "exhausted_accounts",
            "get_retries",
        ):
            setattr(total, name, getattr(total, name) + getattr(record, name))
    return total


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def drive(port: int, args: argparse.Namespace, emails: list[str]) -> tuple[Record, float]:
    """Run the simulated users against the server until the time is up."""
    deadline = time.monotonic() + args.seconds
    plan = Plan("127.0.0.1", port, deadline, think_seconds=args.think_ms / 1000)
    pool = AccountPool(emails)
    users = [SimulatedUser(i, plan, pool, args.seed * 1000 + i) for i in range(args.users)]
    started = time.monotonic()
    for user in users:
        user.start()
    for user in users:
        user.join(timeout=args.seconds + 120)
    elapsed = time.monotonic() - started
    stuck = [u.name for u in users if u.is_alive()]
    record = merge([u.record for u in users])
    if stuck:
        record.errors[f"simulated users still running after the run: {len(stuck)}"] += 1
    return record, elapsed


def report(args: argparse.Namespace, result: dict[str, Any]) -> str:
    """The human-readable summary."""
    m, r, log = result["machine"], result["requests"], result["log_check"]
    lines = [
        f"quizapp load test: {args.db}, {args.seconds} s, {args.users} users, "
        f"gunicorn {args.workers} workers x {THREADS_PER_WORKER} threads (gthread)",
        f"machine: {m['cpus']} x {m['cpu_model']}, Python {m['python']}, "
        f"load average before {m['load_average_before']}, after {m['load_average_after']}",
        *(
            [
                f"WARNING: the machine was busy (load average above {m['cpus']} CPUs): "
                "the figures understate what the app can do"
            ]
            if max(m["load_average_before"][0], m["load_average_after"][0]) > (m["cpus"] or 1)
            else []
        ),
        f"requests: {r['total']} in {r['elapsed_s']} s = {r['per_second']}/s; "
        f"answers accepted: {log['accepted']} = {r['answers_per_second']}/s; "
        f"log-ins: {r['logins']}; GETs resent after a keep-alive close: {r['get_retries']}",
        "",
        f"{'latency (ms)':<14}{'count':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}",
    ]
    for row in result["latency"]:
        lines.append(
            f"{row['kind']:<14}{row['count']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}{row['max_ms']:>9}"
        )
    d = result["duplicates"]
    lines += [
        "",
        f"errors: {result['errors_total']}"
        + "".join(f"\n  {n} x {what}" for what, n in result["errors"].items()),
        f"server log: {result['server_log'] or 'nothing worrying'}",
        f"duplicate re-posts: {d['posts']} sent, {d['got_409']} got 409, "
        f"{d['applied']} applied twice",
        f"racing double posts: {d['races']} pairs, {d['race_one_winner']} with exactly one "
        f"winner, {d['race_both_applied']} applied twice",
        f"review log: {log['accepted']} accepted answers, {log['reviews']} reviews; "
        f"lost {log['lost']}, duplicated {log['duplicated']}, accepted items not linked "
        f"{log['items_missing']}, linked items never accepted {log['items_unclaimed']}, "
        f"unknown outcome {log['unknown']}",
        f"verify_reviews: {log['mismatches']} mismatch(es)"
        + "".join(f"\n  {example}" for example in log["mismatch_examples"]),
        f"RESULT: {'PASS' if result['passed'] else 'FAIL'}",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare, drive, stop, check; return every figure."""
    workdir = Path(tempfile.mkdtemp(prefix=f"quizapp-load-{args.db}-"))
    server = None
    try:
        secret = new_secret()
        url = fresh_database(args.db, workdir, args.pg_url)
        env = server_env(url, secret)
        flask(env, "db", "upgrade")
        flask(env, "banks", "import", str(REPO / "question_bank"), "--quiet")
        app = bench_app(url, secret, workdir)
        emails = seed_accounts(app, 2 * args.users)
        info = machine()
        print(f"seeded {len(emails)} accounts; starting gunicorn ({args.db})", file=sys.stderr)
        server = start_gunicorn(env, args.workers, THREADS_PER_WORKER, workdir)
        record, elapsed = drive(server.port, args, emails)
        server.stop()
        log = check_log(app, record)
        server_log = server.log_problems()
        for what in ("worker timeouts", "tracebacks", "critical"):
            if what in server_log:
                record.errors[f"server log: {what}"] += server_log[what]
        if record.errors:
            print(server.log_tail(40), file=sys.stderr)
        info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        answers = len(record.accepted)
        d = {
            "posts": record.duplicate_posts,
            "got_409": record.duplicate_409,
            "applied": record.duplicate_applied,
            "races": record.races,
            "race_one_winner": record.race_one_winner,
            "race_both_applied": record.race_both_applied,
        }
        errors_total = sum(record.errors.values())
        passed = (
            errors_total == 0
            and log.clean
            and d["applied"] == 0
            and d["got_409"] == d["posts"]
            and d["race_one_winner"] == d["races"]
            and answers > 0
        )
        return {
            "db": args.db,
            "seconds": args.seconds,
            "users": args.users,
            "workers": args.workers,
            "threads": THREADS_PER_WORKER,
            "machine": info,
            "requests": {
                "total": len(record.samples),
                "elapsed_s": round(elapsed, 1),
                "per_second": round(len(record.samples) / elapsed, 1),
                "answers_per_second": round(answers / elapsed, 1),
                "logins": record.logins,
                "exhausted_accounts": record.exhausted_accounts,
                "get_retries": record.get_retries,
            },
            "latency": latency_rows(record.samples),
            "errors_total": errors_total,
            "errors": dict(record.errors.most_common()),
            "server_log": server_log,
            "duplicates": d,
            "log_check": asdict(log),
            "passed": passed,
        }
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"kept {workdir} (and schema quizapp_load)", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            drop_database(args.db, args.pg_url)


def main(argv: list[str] | None = None) -> int:
    """Run the load test; 0 only if there were no errors and nothing was lost or doubled."""
    args = parse_args(argv)
    result = run(args)
    print(report(args, result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
