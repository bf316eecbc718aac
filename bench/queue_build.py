"""Item 2: today's queue vs. raw indexed SQL, vs. Anki, and vs. a 100x smaller database.

The database holds 1,000,000 card states and 5,000,000 reviews (5 per card): the user under
test has 20,000 cards (4,000 due) among 25,000 active questions; 1,960 other users have 500
cards each. The small database keeps the user under test exactly and the rest 100x smaller.
Limits: 20 new and 200 reviews a day, none done yet today.
"""

from __future__ import annotations

import itertools
import json
import random
import select
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import TODAY, Options, Row, create_schema, make_app, ms, ratio
from bench.datagen import (
    add_bank,
    add_cards,
    add_reviews_from_cards,
    add_users,
    bulk_load,
    card_rows,
)

USER_CARDS = 20_000
USER_DUE = 4_000
QUESTIONS = 25_000
CARDS_PER_OTHER = 500
OTHER_USERS = 1_960  # 1,960 x 500 + 20,000 = 1,000,000 card states
REVIEWS_PER_CARD = 5
TABLES = ("banks", "topics", "questions", "users", "card_states", "reviews")

RAW_DONE = """
SELECT (SELECT count(*) FROM card_states WHERE user_id = :user AND introduced_day = :today),
       (SELECT count(*) FROM reviews
        WHERE user_id = :user AND study_day = :today AND mode = 'review')
"""
# The queue's own order (most overdue relative to the interval first) done by SQLite from the
# covering index, so only the rows of the queue come back.
RAW_DUE = """
SELECT c.question_id, c.due_day, c.interval_days, c.easiness, c.topic_id
FROM card_states c
WHERE c.user_id = :user AND c.due_day <= :today AND c.suspended = 0 AND c.question_active = 1
  AND c.topic_id NOT IN (SELECT topic_id FROM user_excluded_topics WHERE user_id = :user)
ORDER BY (julianday(:today) - julianday(c.due_day)) / max(c.interval_days, 1) DESC,
         c.easiness, c.question_id
LIMIT :limit
"""
RAW_TOPICS = """
SELECT t.id, t.slug, t.bank_id, t.position FROM topics t
WHERE t.id NOT IN (SELECT topic_id FROM user_excluded_topics WHERE user_id = :user)
  AND EXISTS (SELECT 1 FROM questions q WHERE q.topic_id = t.id AND q.active = 1
              AND NOT EXISTS (SELECT 1 FROM card_states c
                              WHERE c.user_id = :user AND c.question_id = q.id))
"""
# One walk per topic in bank order that stops at the quota.
RAW_FIRST_UNSEEN = """
SELECT q.id, q.topic_id, q.difficulty, q.position FROM questions q
WHERE q.topic_id = :topic AND q.active = 1
  AND NOT EXISTS (SELECT 1 FROM card_states c WHERE c.user_id = :user AND c.question_id = q.id)
ORDER BY q.difficulty_rank, q.position, q.id
LIMIT :quota
"""


def build_database(path: Path, other_users: int) -> int:
    """Write the queue database; return the id of the user under test."""
    create_schema(path)
    rng = random.Random(7)
    with bulk_load(path, TABLES) as conn:
        question_ids: list[int] = []
        for b in range(5):
            question_ids += add_bank(conn, f"bank{b}", QUESTIONS // 5, n_topics=10, seed=b)
        (user,) = add_users(conn, 1, prefix="tested")
        others = add_users(conn, other_users)
        seen = sorted(rng.sample(question_ids, USER_CARDS))
        add_cards(conn, card_rows(user, seen, USER_DUE, rng))
        span = len(question_ids) - CARDS_PER_OTHER
        add_cards(
            conn,
            itertools.chain.from_iterable(
                card_rows(
                    other,
                    question_ids[(start := (other * 397) % span) : start + CARDS_PER_OTHER],
                    CARDS_PER_OTHER // 5,
                    rng,
                )
                for other in others
            ),
        )
        add_reviews_from_cards(conn, REVIEWS_PER_CARD, user, others[-1] if others else user)
    return user


def counts(path: Path) -> tuple[int, int]:
    """(card states, reviews) in a database."""
    with sqlite3.connect(path) as conn:
        cards = conn.execute("SELECT count(*) FROM card_states").fetchone()[0]
        reviews = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    return cards, reviews


class AppQueue:
    """The app's queue build (study.daily_queue) on one database, one timed run at a time."""

    def __init__(self, path: Path, user_id: int) -> None:
        self.app = make_app(path)
        self.user_id = user_id
        self.times: list[float] = []
        self.queue: list[int] = []

    def once(self) -> None:
        """Build the queue once (in its own app context and transaction) and time it."""
        from quizapp.extensions import db
        from quizapp.models import User
        from quizapp.services import study

        with self.app.app_context():
            user = db.session.get(User, self.user_id)
            _ = user.new_per_day  # loaded, as the log-in loader leaves it for a request
            start = time.perf_counter()
            queue = study.daily_queue(user, TODAY)
            self.times.append(time.perf_counter() - start)
            db.session.rollback()
        self.queue = [item.question_id for item in queue]

    def median(self) -> float:
        """Median of the timed runs after the first (which warms the statement cache)."""
        return statistics.median(self.times[1:])

    def close(self) -> None:
        """Release the database."""
        from quizapp.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def raw_queue(path: Path, user_id: int, repeat: int) -> tuple[float, list[int]]:
    """Median time of raw sqlite3 queries for the queue's rows, put in its order in Python."""
    from quizapp.scheduling.queue import NewCard, interleave_new, new_quota

    conn = sqlite3.connect(path)
    today = TODAY.isoformat()

    def once() -> list[int]:
        new_done, reviews_done = conn.execute(
            RAW_DONE, {"user": user_id, "today": today}
        ).fetchone()
        due = conn.execute(
            RAW_DUE, {"user": user_id, "today": today, "limit": max(0, 200 - reviews_done)}
        ).fetchall()
        topics = {row[0]: row for row in conn.execute(RAW_TOPICS, {"user": user_id})}
        quota = new_quota(len(topics), max(0, 20 - new_done))
        new = [
            row
            for topic in topics
            for row in conn.execute(
                RAW_FIRST_UNSEEN, {"topic": topic, "user": user_id, "quota": quota}
            )
        ]
        reviews = sorted(
            due,
            key=lambda r: (
                -(TODAY - date.fromisoformat(r[1])).days / max(r[2], 1),
                r[3],
                r[0],
            ),
        )
        cards = [
            NewCard(qid, topics[tid][1], topics[tid][2], topics[tid][3], difficulty, position)
            for qid, tid, difficulty, position in new
        ]
        fresh = interleave_new(cards, user_id, TODAY)[: max(0, 20 - new_done)]
        return [row[0] for row in reviews] + [card.question_id for card in fresh]

    times = []
    ids: list[int] = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        ids = once()
        if i:
            times.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(times), ids


class AnkiQueue:
    """Anki's get_queued_cards() served by bench.anki_queue in its own process, timed per call.

    Calls alternate with the app's, so both see the same machine; ``error`` says why Anki
    cannot be measured here (then every call does nothing).
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.error = ""
        self.info: dict[str, object] = {}
        self.times: dict[str, list[float]] = {"default": [], "overdue": []}
        self.counts = (0, 0)
        self.stderr_tail: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        try:
            import anki  # noqa: F401
        except ImportError as exc:
            self.error = f"the anki package is not installed ({exc}); pip install -e '.[bench]'"
            return
        command = [
            sys.executable, "-m", "bench.anki_queue",
            str(USER_CARDS), str(USER_DUE), str(QUESTIONS - USER_CARDS),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.info = self._reply("its collection build")

    def _reply(self, what: str) -> dict[str, object]:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        line = self.process.stdout.readline() if ready else ""
        reply = json.loads(line) if line.startswith("{") else {}
        if not reply or "error" in reply:
            self.close()
            tail = (self.stderr_tail or ["no output"])[-1]
            why = reply.get("error") or (
                f"{what} took over {self.timeout:.0f} s" if not ready else tail
            )
            self.error = f"Anki failed here: {why}"
            return {}
        return reply

    def once(self, order: str = "default") -> None:
        """Time one queue build in this review order ("default": by due day; "overdue")."""
        if self.error or self.process is None or self.process.stdin is None:
            return
        self.process.stdin.write(order + "\n")
        self.process.stdin.flush()
        reply = self._reply("a queue build")
        if reply:
            self.times[order].append(float(reply["seconds"]))  # type: ignore[arg-type]
            self.counts = (int(reply["new"]), int(reply["review"]))  # type: ignore[call-overload]

    def median(self, order: str = "default") -> float:
        """Median of the timed builds after the first (which warms the process)."""
        return statistics.median(self.times[order][1:])

    def close(self) -> None:
        """Stop the process."""
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            _, err = process.communicate("\n", timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        self.stderr_tail = (err or "").strip().splitlines()


def run(options: Options) -> list[Row]:
    """Build both databases, time the three queue builds, return the table rows."""
    repeat = 7 if options.quick else 15
    others = OTHER_USERS // 10 if options.quick else OTHER_USERS
    rows: list[Row] = []

    big = options.workdir / "queue-big.sqlite"
    started = time.perf_counter()
    user = build_database(big, others)
    big_cards, big_reviews = counts(big)
    built = time.perf_counter() - started
    small = options.workdir / "queue-small.sqlite"
    build_database(small, others // 100)
    small_cards, small_reviews = counts(small)

    # The app's builds on both databases and Anki's alternate, so drift in the machine's load
    # hits all three alike.
    big_app, small_app = AppQueue(big, user), AppQueue(small, user)
    anki = AnkiQueue(timeout=240)
    for _ in range(repeat + 1):
        big_app.once()
        small_app.once()
        anki.once()
    for _ in range(4):
        anki.once("overdue")
    anki.close()
    app_s, app_ids = big_app.median(), big_app.queue
    small_s, small_ids = small_app.median(), small_app.queue
    big_app.close()
    small_app.close()
    raw_s, raw_ids = raw_queue(big, user, repeat)
    same = app_ids == raw_ids and len(app_ids) == 220
    scale = f"{big_cards:,} cards, {big_reviews:,} reviews (built in {built:.0f} s)"
    rows.append(
        Row("2 queue", "(a) app: study.daily_queue, 20 new + 200 reviews", ms(app_s), note=scale)
    )
    rows.append(
        Row(
            "2 queue",
            "(b) raw sqlite3: the same statements, ordered in Python",
            ms(raw_s),
            note="same rows in the same order" if same else "ROWS DIFFER from the app's queue",
        )
    )
    rows.append(
        Row("2 queue", "(a)/(b)", ratio(app_s / raw_s), "<= 3", app_s / raw_s <= 3 and same)
    )

    if anki.error:
        rows.append(
            Row(
                "2 queue",
                "(c) Anki get_queued_cards()",
                "-",
                "app faster",
                None,
                f"Anki: not measurable here because {anki.error}",
            )
        )
    else:
        anki_s = anki.median()
        rows.append(
            Row(
                "2 queue",
                "(c) Anki get_queued_cards(), fresh collection, in turns with (a)",
                ms(anki_s),
                note=f"anki {anki.info['version']}; queued {anki.counts[0]} new + "
                f"{anki.counts[1]} reviews; {ms(anki.median('overdue'))} with reviews in "
                "relative overdueness order, the app's",
            )
        )
        rows.append(
            Row("2 queue", "(a)/(c) app vs. Anki", ratio(app_s / anki_s), "< 1", app_s < anki_s)
        )

    growth = app_s / small_s
    rows.append(
        Row(
            "2 queue",
            "(a) in a 100x smaller database",
            ms(small_s),
            note=f"{small_cards:,} cards, {small_reviews:,} reviews; same user, same queue: "
            + ("yes" if small_ids == app_ids else "NO"),
        )
    )
    rows.append(Row("2 queue", "big / small", ratio(growth), "0.70-1.30", 0.7 <= growth <= 1.3))
    return rows
