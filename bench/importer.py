"""Item 3: importing a generated 10,000-question bank vs. a raw executemany of the same rows.

Each run starts from an empty copy of the schema. The importer's step is ``apply_import`` (the
transaction the CLI and the admin upload run after parsing). The baseline builds the same bank,
topic and question rows from the same parsed bank (JSON columns, content hashes and the HTML
stored with each question, which any importer must compute) and inserts them with
``sqlite3.executemany`` in one transaction, on a connection with the app's pragmas. Parsing
the YAML file is timed apart; tracemalloc measures the peak memory of apply_import.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import time
import tracemalloc
from pathlib import Path

from bench.common import NOW, Options, Row, create_schema, make_app, ms, ratio
from bench.datagen import question_values, sql_time
from quizapp.scheduling.queue import DIFFICULTY_ORDER
from quizapp.services.bank_import import rendered_html

QUESTIONS = 10_000
TOPICS = 40
TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "flashcard")


def generated_bank(n: int = QUESTIONS):  # noqa: ANN201 - a quizapp.banks.model.Bank
    """A valid parsed bank of `n` questions of every type."""
    from quizapp.banks.model import Bank, Choice, Question, Topic

    rng = random.Random(5)
    topics = tuple(Topic(f"bench-t{i}", f"Bench topic {i}", f"About {i}.") for i in range(TOPICS))
    questions = []
    for i in range(n):
        qtype = TYPES[i % len(TYPES)]
        v = question_values(f"bench-q{i}", qtype, rng)
        questions.append(
            Question(
                key=f"bench-q{i}",
                topic=topics[i % TOPICS].slug,
                type=qtype,
                # Short texts: 10,000 questions must fit the 5 MB upload limit.
                prompt=f"What does `f({i})` return when **called twice**?",
                explanation=f"Because `f` caches its result for {i}; see the section.",
                difficulty=str(v["difficulty"]),
                choices=tuple(Choice(str(c["text"]), bool(c["correct"])) for c in v["choices"]),  # type: ignore[attr-defined]
                answer=v["answer"],  # type: ignore[arg-type]
                accepted=tuple(v["accepted"]),  # type: ignore[arg-type]
                tags=("bench", f"t{i % 7}"),
                source_article="Bench article",
                source_section=f"Section {i % 12}",
            )
        )
    return Bank("bench-import", "Bench import", 1, "Generated.", "bench", topics, tuple(questions))


def raw_rows(bank) -> tuple[tuple, list[tuple], list[tuple]]:  # noqa: ANN001
    """The bank, topic and question rows the importer writes, as SQLite stores them."""
    stamp = sql_time(NOW)
    bank_row = (
        1,
        bank.slug,
        bank.title,
        bank.version,
        bank.description,
        bank.source,
        bank.content_hash(),
        stamp,
    )
    topic_ids = {t.slug: i + 1 for i, t in enumerate(bank.topics)}
    topic_rows = [
        (topic_ids[t.slug], 1, t.slug, t.name, t.description, i) for i, t in enumerate(bank.topics)
    ]
    question_rows = [
        (
            1, q.key, topic_ids[q.topic], q.type, q.prompt,
            json.dumps([{"text": c.text, "correct": c.correct} for c in q.choices]),
            json.dumps(q.answer), json.dumps(list(q.accepted)), q.explanation, q.difficulty,
            DIFFICULTY_ORDER[q.difficulty], json.dumps(list(q.tags)), q.source_article,
            q.source_section, position, q.content_hash(), 1, 1, stamp, stamp, None,
            json.dumps(rendered_html(q)),
        )
        for position, q in enumerate(bank.questions)
    ]  # fmt: skip
    return bank_row, topic_rows, question_rows


def raw_insert(path: Path, bank) -> tuple[float, float]:  # noqa: ANN001
    """Seconds to build the rows from the parsed bank and insert them, and to insert only."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    start = time.perf_counter()
    bank_row, topic_rows, question_rows = raw_rows(bank)
    built = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO banks (id, slug, title, version, description, source, content_hash, "
        "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        bank_row,
    )
    conn.executemany(
        "INSERT INTO topics (id, bank_id, slug, name, description, position) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        topic_rows,
    )
    conn.executemany(
        "INSERT INTO questions (bank_id, key, topic_id, type, prompt, choices, answer, accepted, "
        "explanation, difficulty, difficulty_rank, tags, source_article, source_section, position, "
        "content_hash, revision, active, created_at, updated_at, retired_at, rendered) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        question_rows,
    )
    conn.execute("COMMIT")
    done = time.perf_counter()
    conn.close()
    return done - start, done - built


def app_import(path: Path, bank) -> tuple[float, float]:  # noqa: ANN001
    """Seconds for apply_import of the parsed bank into an empty database, and the longest
    time one of its transactions held the write lock (first write to commit).

    The pauses the importer makes between batches on SQLite (to let other writers in) are
    left out: they are waiting, not work (the table notes how long they add).
    """
    from sqlalchemy import event

    from quizapp.extensions import db
    from quizapp.services import bank_import

    app = make_app(path)
    holds: list[float] = []
    began: list[float] = []

    def first_write(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        if not began and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            began.append(time.perf_counter())

    def committed(_conn) -> None:  # noqa: ANN001
        if began:
            holds.append(time.perf_counter() - began.pop())

    pause, bank_import._SQLITE_PAUSE_SECONDS = bank_import._SQLITE_PAUSE_SECONDS, 0
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", first_write)
        event.listen(db.engine, "commit", committed)
        try:
            start = time.perf_counter()
            plan = bank_import.apply_import(bank)
            elapsed = time.perf_counter() - start
        finally:
            bank_import._SQLITE_PAUSE_SECONDS = pause
            event.remove(db.engine, "before_cursor_execute", first_write)
            event.remove(db.engine, "commit", committed)
        assert len(plan.added) == len(bank.questions), plan.summary()
        db.session.remove()
        db.engine.dispose()
    return elapsed, max(holds)


def import_memory(path: Path, data: bytes, parse: bool) -> tuple[float, int]:
    """(seconds, peak traced bytes) of [parse + validate +] apply_import of the YAML file."""
    from quizapp.banks.parse import parse_bank
    from quizapp.extensions import db
    from quizapp.services.bank_import import apply_import

    app = make_app(path)
    result = parse_bank(data, "bench.yaml")
    with app.app_context():
        tracemalloc.start()
        start = time.perf_counter()
        if parse:
            result = parse_bank(data, "bench.yaml")
        if result.bank is None:
            raise RuntimeError(f"the generated bank does not parse: {result.problems[:3]}")
        apply_import(result.bank)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
        db.engine.dispose()
    return elapsed, peak


def parse_seconds(data: bytes) -> float:
    """Seconds to parse and validate the YAML file."""
    from quizapp.banks.parse import parse_bank

    start = time.perf_counter()
    result = parse_bank(data, "bench.yaml")
    elapsed = time.perf_counter() - start
    if result.bank is None:
        raise RuntimeError(f"the generated bank does not parse: {result.problems[:3]}")
    return elapsed


def run(options: Options) -> list[Row]:
    """Time the importer and the raw inserts on fresh databases; measure peak memory."""
    from quizapp.banks.export import dump_yaml
    from quizapp.services import bank_import

    repeat = 3 if options.quick else 5
    n = QUESTIONS
    template = options.workdir / "import-empty.sqlite"
    create_schema(template)
    bank = generated_bank(n)
    data = dump_yaml(bank).encode("utf-8")

    def fresh(name: str) -> Path:
        path = options.workdir / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return path

    app_times, raw_times, insert_times, holds = [], [], [], []
    for i in range(repeat):
        app_s, hold = app_import(fresh(f"import-app-{i}.sqlite"), bank)
        app_times.append(app_s)
        holds.append(hold)
        raw_s, insert_s = raw_insert(fresh(f"import-raw-{i}.sqlite"), bank)
        raw_times.append(raw_s)
        insert_times.append(insert_s)
    app_s, raw_s = statistics.median(app_times), statistics.median(raw_times)
    parse_s = parse_seconds(data)
    # The importer's step is traced (tracing the YAML parser's many small objects takes ~10x
    # its run time); `import_memory(..., parse=True)` traces the whole import.
    traced = "apply_import"
    full_s, peak = import_memory(fresh("import-full.sqlite"), data, parse=False)
    return [
        Row(
            "3 import",
            f"apply_import, {n:,}-question bank",
            ms(app_s),
            note=f"longest hold of the write lock: {ms(statistics.median(holds))} (one batch of "
            f"{bank_import.INSERT_BATCH}); its pauses for other writers add "
            f"{ms(-(-n // bank_import.INSERT_BATCH) * bank_import._SQLITE_PAUSE_SECONDS)}",
        ),
        Row(
            "3 import",
            "raw: build the same rows + executemany",
            ms(raw_s),
            note=f"of which executemany alone: {ms(statistics.median(insert_times))}",
        ),
        Row("3 import", "importer / raw", ratio(app_s / raw_s), "<= 5", app_s / raw_s <= 5),
        Row(
            "3 import",
            "parse + validate the YAML file",
            ms(parse_s),
            note=f"{len(data) / 1e6:.1f} MB of YAML",
        ),
        Row(
            "3 import",
            f"peak memory, {traced} (tracemalloc)",
            f"{peak / 2**20:.0f} MiB",
            note=f"{peak / len(data):.1f}x the YAML file; took {ms(full_s)} while traced",
        ),
    ]
