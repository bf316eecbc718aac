"""Synthetic data written straight into a SQLite file with executemany, fast.

The schema comes from the models (``create_schema``); rows go in through plain ``sqlite3`` in
one big transaction with the journal and fsync off and the secondary indexes dropped, which are
rebuilt afterwards (a sorted build is much faster than millions of index inserts). Values are
stored exactly as SQLAlchemy stores them on SQLite (ISO dates, "YYYY-MM-DD HH:MM:SS.ffffff"
datetimes, 0/1 booleans, JSON text), so the app reads the rows as its own.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import cast

from bench.common import NOW, TODAY
from quizapp.rendering import question_html
from quizapp.scheduling.queue import DIFFICULTY_ORDER

DIFFICULTIES = ("easy", "medium", "hard")
PROMPT = (
    "Which statement about `{key}` is right? Consider this snippet:\n\n"
    "```python\ndef handler(sender, **kwargs):\n    return sender.objects.count()\n```\n"
)
EXPLANATION = (
    "Because **{key}** is evaluated lazily; the query runs when the result is first used. "
    "See the *Performance* section of the article for the details and the pitfalls."
)


def sql_day(day: date) -> str:
    """A date as SQLAlchemy stores it on SQLite."""
    return day.isoformat()


def sql_time(moment: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it on SQLite (naive, with microseconds)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


@contextmanager
def bulk_load(path: Path, tables: Sequence[str]) -> Iterator[sqlite3.Connection]:
    """A connection for one big load into `tables`; their indexes are rebuilt at the end."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
    conn.execute("PRAGMA temp_store=MEMORY")
    marks = ",".join("?" * len(tables))
    indexes = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})",
        list(tables),
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("BEGIN")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.close()


def _insert(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable) -> None:
    marks = ",".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return (conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1


# -- banks ------------------------------------------------------------------------------------


def question_values(key: str, qtype: str, rng: random.Random) -> dict[str, object]:
    """The content of one generated question of type `qtype`."""
    choices: list[dict[str, object]] = []
    answer: object = None
    accepted: list[str] = []
    if qtype in ("single_choice", "multiple_choice"):
        right = {0} if qtype == "single_choice" else {0, 2}
        choices = [{"text": f"Option `{i}` for {key}", "correct": i in right} for i in range(4)]
        rng.shuffle(choices)
    elif qtype == "true_false":
        answer = rng.random() < 0.5
    elif qtype == "short_answer":
        accepted = [f"answer-{key}", f"alt-{key}"]
    else:
        answer = f"The answer to {key}: **lazy evaluation**."
    return {
        "prompt": PROMPT.format(key=key),
        "choices": choices,
        "answer": answer,
        "accepted": accepted,
        "explanation": EXPLANATION.format(key=key),
        "difficulty": DIFFICULTIES[rng.randrange(3)],
    }


def _html(values: dict[str, object]) -> dict[str, object]:
    answer = values["answer"]
    choices = cast("list[dict[str, str]]", values["choices"])
    return question_html(
        str(values["prompt"]),
        str(values["explanation"]),
        answer if isinstance(answer, str) else None,
        [c["text"] for c in choices],
        [],
    )


QUESTION_COLUMNS = (
    "bank_id",
    "key",
    "topic_id",
    "type",
    "prompt",
    "choices",
    "answer",
    "accepted",
    "explanation",
    "difficulty",
    "difficulty_rank",
    "tags",
    "source_article",
    "source_section",
    "position",
    "content_hash",
    "revision",
    "active",
    "created_at",
    "updated_at",
    "retired_at",
    "rendered",
)


def add_bank(
    conn: sqlite3.Connection,
    slug: str,
    n_questions: int,
    n_topics: int = 10,
    types: Sequence[str] = ("single_choice", "true_false", "flashcard", "multiple_choice"),
    seed: int = 1,
    store_html: bool = False,
) -> list[int]:
    """A bank of `n_questions` generated questions in `n_topics` topics; returns their ids.

    With `store_html`, each question carries its rendered HTML as an import stores it (for the
    benchmarks that show questions; the others skip the rendering time).
    """
    rng = random.Random(seed)
    stamp = sql_time(NOW - timedelta(days=400))
    bank_id = _next_id(conn, "banks")
    conn.execute(
        "INSERT INTO banks (id, slug, title, version, description, source, content_hash, "
        "imported_at) VALUES (?, ?, ?, 1, '', 'bench', ?, ?)",
        (bank_id, slug, f"Bench bank {slug}", "0" * 64, stamp),
    )
    first_topic = _next_id(conn, "topics")
    _insert(
        conn,
        "topics",
        ("id", "bank_id", "slug", "name", "description", "position"),
        (
            (first_topic + i, bank_id, f"{slug}-t{i}", f"Topic {i} of {slug}", "", i)
            for i in range(n_topics)
        ),
    )
    first = _next_id(conn, "questions")

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(n_questions):
            key = f"{slug}-q{i}"
            v = question_values(key, types[i % len(types)], rng)
            yield (
                bank_id,
                key,
                first_topic + i % n_topics,
                types[i % len(types)],
                v["prompt"],
                json.dumps(v["choices"]),
                json.dumps(v["answer"]),
                json.dumps(v["accepted"]),
                v["explanation"],
                v["difficulty"],
                DIFFICULTY_ORDER[str(v["difficulty"])],
                "[]",
                "Bench article",
                "Bench section",
                i,
                f"{i:064x}",
                1,
                1,
                stamp,
                stamp,
                None,
                json.dumps(_html(v)) if store_html else None,
            )

    _insert(conn, "questions", QUESTION_COLUMNS, rows())
    return list(range(first, first + n_questions))


# -- users ------------------------------------------------------------------------------------

USER_COLUMNS = (
    "id",
    "email",
    "password_hash",
    "display_name",
    "is_admin",
    "active",
    "timezone",
    "day_start_hour",
    "new_per_day",
    "reviews_per_day",
    "interview_date",
    "reminders_enabled",
    "reminder_hour",
    "session_token",
    "created_at",
)


def add_users(
    conn: sqlite3.Connection,
    n: int,
    *,
    password_hash: str = "!",
    new_per_day: int = 20,
    reviews_per_day: int = 200,
    reminders_enabled: bool = False,
    reminder_hour: int = 18,
    prefix: str = "user",
) -> list[int]:
    """`n` users in UTC whose day starts at 04:00; returns their ids. "!" matches no password."""
    first = _next_id(conn, "users")
    stamp = sql_time(NOW - timedelta(days=500))
    _insert(
        conn,
        "users",
        USER_COLUMNS,
        (
            (
                first + i,
                f"{prefix}{first + i}@bench.example",
                password_hash,
                f"{prefix} {first + i}",
                0,
                1,
                "UTC",
                4,
                new_per_day,
                reviews_per_day,
                None,
                int(reminders_enabled),
                reminder_hour,
                f"token-{first + i}",
                stamp,
            )
            for i in range(n)
        ),
    )
    return list(range(first, first + n))


# -- card states and reviews ------------------------------------------------------------------

CARD_COLUMNS = (
    "user_id",
    "question_id",
    "repetitions",
    "easiness",
    "interval_days",
    "due_day",
    "introduced_day",
    "lapses",
    "review_count",
    "last_reviewed_at",
    "suspended",
    "version",
)
INTERVALS = (1, 3, 6, 14, 30, 70, 160)


def card_rows(
    user_id: int, question_ids: Sequence[int], n_due: int, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """Card states for `question_ids` (in that order): `n_due` of them due today or earlier."""
    due_positions = set(rng.sample(range(len(question_ids)), n_due))
    for i, qid in enumerate(question_ids):
        interval = INTERVALS[rng.randrange(len(INTERVALS))]
        if i in due_positions:
            due = TODAY - timedelta(days=rng.randrange(0, 40))
        else:
            due = TODAY + timedelta(days=rng.randrange(1, 200))
        introduced = TODAY - timedelta(days=400 + rng.randrange(200))
        last = datetime.combine(due - timedelta(days=interval), NOW.timetz())
        yield (
            user_id,
            qid,
            rng.randrange(1, 8),
            rng.randrange(130, 300),
            interval,
            sql_day(due),
            sql_day(introduced),
            rng.randrange(0, 3),
            rng.randrange(1, 12),
            sql_time(min(last, NOW - timedelta(days=1))),
            0,
            3,
        )


def add_cards(conn: sqlite3.Connection, rows: Iterable[tuple[object, ...]]) -> None:
    """Insert card states (tuples in CARD_COLUMNS order), with their question's topic."""
    marks = ",".join("?" * len(CARD_COLUMNS))
    conn.executemany(
        f"INSERT INTO card_states ({','.join(CARD_COLUMNS)}, topic_id) "
        f"VALUES ({marks}, (SELECT topic_id FROM questions WHERE id = ?))",
        ((*row, row[1]) for row in rows),
    )


def add_reviews_from_cards(
    conn: sqlite3.Connection, per_card: int, first_user: int, last_user: int
) -> None:
    """`per_card` past reviews for each card of users first_user..last_user, made in SQL."""
    conn.execute(
        f"""
        WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < {per_card - 1})
        INSERT INTO reviews (
            user_id, question_id, reviewed_at, study_day, mode, grade, correct, response,
            elapsed_ms, repetitions_before, easiness_before, interval_before, due_before,
            lapses_before, repetitions_after, easiness_after, interval_after, due_after,
            lapses_after)
        SELECT c.user_id, c.question_id,
            date(c.introduced_day, '+' || (n.k * 3) || ' days') || ' 12:00:00.000000',
            date(c.introduced_day, '+' || (n.k * 3) || ' days'),
            CASE n.k WHEN 0 THEN 'new' ELSE 'review' END,
            3 + (c.id + n.k) % 3, 1, NULL, 3000 + (c.id * 7 + n.k) % 20000,
            n.k, 250, n.k * 3,
            CASE n.k WHEN 0 THEN NULL ELSE date(c.introduced_day, '+' || (n.k * 3) || ' days') END,
            0, n.k + 1, 250, n.k * 3 + 3,
            date(c.introduced_day, '+' || (n.k * 3 + 3) || ' days'), 0
        FROM card_states c CROSS JOIN n
        WHERE c.user_id BETWEEN ? AND ?
        ORDER BY c.id, n.k
        """,
        (first_user, last_user),
    )


REVIEW_COLUMNS = (
    "user_id",
    "question_id",
    "reviewed_at",
    "study_day",
    "mode",
    "grade",
    "correct",
    "response",
    "elapsed_ms",
    "repetitions_before",
    "easiness_before",
    "interval_before",
    "due_before",
    "lapses_before",
    "repetitions_after",
    "easiness_after",
    "interval_after",
    "due_after",
    "lapses_after",
)


def history_rows(
    user_id: int, question_ids: Sequence[int], n_reviews: int, days: int, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    """`n_reviews` varied answers by one user over the last `days` study days, oldest first."""
    per_day = n_reviews / days
    made = 0
    for back in range(days, 0, -1):
        day = TODAY - timedelta(days=back - 1)
        todo = round(per_day * (days - back + 1)) - made
        for _ in range(todo):
            qid = question_ids[rng.randrange(len(question_ids))]
            grade = rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
            interval = INTERVALS[rng.randrange(len(INTERVALS))]
            lapsed = int(grade < 3)
            yield (
                user_id,
                qid,
                sql_time(datetime.combine(day, NOW.timetz()) + timedelta(seconds=made % 3600)),
                sql_day(day),
                ("review", "review", "new", "reask", "practice")[rng.randrange(5)],
                grade,
                int(grade >= 3),
                json.dumps({"grade": grade}),
                rng.randrange(2000, 40000),
                3,
                250,
                interval,
                sql_day(day),
                1,
                0 if lapsed else 4,
                250 - 20 * lapsed,
                1 if lapsed else interval * 2,
                sql_day(day + timedelta(days=1 if lapsed else interval * 2)),
                1 + lapsed,
            )
            made += 1


def add_reviews(conn: sqlite3.Connection, rows: Iterable[tuple[object, ...]]) -> None:
    """Insert reviews (tuples in REVIEW_COLUMNS order)."""
    _insert(conn, "reviews", REVIEW_COLUMNS, rows)
