"""Item 4: /progress for a user with 100,000 reviews vs. running its SQL raw.

The page is fetched through the Flask test client (routing, log-in loader, the services, the
SVG charts and the template). The baseline replays, with plain ``sqlite3``, exactly the SQL
statements that the same request ran (recorded with a ``before_cursor_execute`` listener),
so the ratio is everything the app adds on top of its own queries.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import Options, Row, create_schema, make_app, ms, ratio, statement_log
from bench.datagen import (
    add_bank,
    add_cards,
    add_reviews,
    add_reviews_from_cards,
    add_users,
    bulk_load,
    card_rows,
    history_rows,
)

USER_REVIEWS = 100_000
USER_CARDS = 2_000
QUESTIONS = 3_000
HISTORY_DAYS = 730
TABLES = ("banks", "topics", "questions", "users", "card_states", "reviews")


def build_database(path: Path, other_users: int) -> tuple[int, str]:
    """The user under test (100,000 reviews over two years) beside other users' data."""
    create_schema(path)
    rng = random.Random(11)
    with bulk_load(path, TABLES) as conn:
        questions = add_bank(conn, "progress", QUESTIONS, n_topics=30, seed=3)
        (user,) = add_users(conn, 1, prefix="tested")
        others = add_users(conn, other_users)
        seen = sorted(rng.sample(questions, USER_CARDS))
        add_cards(conn, card_rows(user, seen, 150, rng))
        add_reviews(conn, history_rows(user, seen, USER_REVIEWS, HISTORY_DAYS, rng))
        add_cards(
            conn,
            itertools.chain.from_iterable(
                card_rows(other, questions[(other * 53) % 2500 :][:500], 100, rng)
                for other in others
            ),
        )
        if others:
            add_reviews_from_cards(conn, 5, others[0], others[-1])
    return user, f"token-{user}"


def run(options: Options) -> list[Row]:
    """Time /progress through the app and its recorded SQL replayed raw."""
    from quizapp.extensions import db

    repeat = 7 if options.quick else 15
    path = options.workdir / "progress.sqlite"
    user, token = build_database(path, 20 if options.quick else 200)
    with sqlite3.connect(path) as conn:
        (n_reviews,) = conn.execute(
            "SELECT count(*) FROM reviews WHERE user_id = ?", (user,)
        ).fetchone()

    app = make_app(path)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user}:{token}"
        session["_fresh"] = True

    def fetch() -> None:
        response = client.get("/progress/")
        if response.status_code != 200:
            raise RuntimeError(f"/progress answered {response.status_code}")

    fetch()  # warm: compiled statements, templates, Markdown caches
    with app.app_context(), statement_log(db.engine) as log:
        fetch()
    statements = [(sql, params) for sql, params in log if sql.lstrip().upper().startswith("SELECT")]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - start)
    page = statistics.median(times)
    with app.app_context():
        db.engine.dispose()

    raw = _replay(path, statements, repeat)
    return [
        Row(
            "4 progress",
            f"GET /progress, user with {n_reviews:,} reviews",
            ms(page),
            note=f"{len(statements)} SELECTs per page",
        ),
        Row("4 progress", "the same SELECTs raw (sqlite3)", ms(raw)),
        Row("4 progress", "page / raw SQL", ratio(page / raw), "<= 3", page / raw <= 3),
    ]


def _replay(path: Path, statements: list[tuple[str, Any]], repeat: int) -> float:
    conn = sqlite3.connect(path)

    def once() -> None:
        for sql, params in statements:
            conn.execute(sql, params).fetchall()

    once()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(times)
