"""A process killed (SIGKILL) in the middle of a write leaves the database consistent.

Real child processes: `flask banks import` on a big generated bank, and a loop answering
through the review service. Each is killed at a random moment once its write transaction is
open, and the database must then hold the whole bank or none of it, and card states that
replay from the review log.
"""

from __future__ import annotations

import random
import selectors
import signal
import sqlite3
import subprocess
import time
import uuid

import psycopg
import pytest
from sqlalchemy import func, select

from quizapp.banks.export import dump_yaml
from quizapp.extensions import db
from quizapp.models import Bank, Question, Topic
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.reliability.helpers import PYTHON, REPO, assert_consistent, subprocess_env

BIG_QUESTIONS = 1500
BIG_TOPICS = 10
TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "flashcard")


def with_application_name(url: str, name: str) -> str:
    """Tag a PostgreSQL URL's connections so pg_stat_activity shows whose they are."""
    if not url.startswith("postgresql"):
        return url
    return url + ("&" if "?" in url else "?") + f"application_name={name}"


class TransactionProbe:
    """Tells, from a connection of its own, whether the child is inside a write transaction."""

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            path = url.removeprefix("sqlite:///")
            self.conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        else:
            plain = url.split("?")[0].replace("postgresql+psycopg://", "postgresql://")
            self.conn = psycopg.connect(plain, autocommit=True)

    def open(self) -> bool:
        """True while the child holds SQLite's write lock / a PostgreSQL transaction id."""
        if self.sqlite:
            # A transaction that writes holds the write lock from its first write.
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            self.conn.execute("ROLLBACK")
            return False
        row = self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND backend_xid IS NOT NULL",
            (self.name,),
        ).fetchone()
        return bool(row[0])

    def close(self) -> None:
        """Close the probe's connection."""
        self.conn.close()


def kill_inside_transaction(child: subprocess.Popen, url: str, name: str) -> bool:
    """SIGKILL the child a random few milliseconds into its write transaction.

    Returns False if the child finished before a transaction could be caught.
    """
    probe = TransactionProbe(url, name)
    deadline = time.monotonic() + 30
    caught = False
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if probe.open():
                caught = True
                time.sleep(random.uniform(0, 0.02))
                break
            time.sleep(0.002)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        probe.close()
    return caught


def bank_rows(app, slug: str) -> tuple[int, int, int]:
    """(banks, topics, questions users can see) stored for a bank slug."""
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == slug))
        if bank_id is None:
            orphans = db.session.scalar(select(func.count()).select_from(Question))
            return 0, 0, orphans
        topics = db.session.scalar(select(func.count()).where(Topic.bank_id == bank_id))
        questions = db.session.scalar(
            select(func.count()).where(Question.bank_id == bank_id, Question.active.is_(True))
        )
        return 1, topics, questions


def stored_questions(app) -> int:
    """Every question row, shown or not."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Question))


@pytest.fixture
def big_bank_file(tmp_path):
    """A native YAML bank of BIG_QUESTIONS questions (about 450 kB)."""
    parsed = bank(
        "big",
        [
            question(f"q{i}", TYPES[i % len(TYPES)], topic=f"topic-{i % BIG_TOPICS}")
            for i in range(BIG_QUESTIONS)
        ],
    )
    path = tmp_path / "big.yaml"
    path.write_text(dump_yaml(parsed), encoding="utf-8")
    return path


def test_import_killed_mid_transaction_shows_the_bank_absent_or_whole(app, big_bank_file):
    name = f"quizapp-kill-{uuid.uuid4().hex[:8]}"
    url = with_application_name(app.config["SQLALCHEMY_DATABASE_URI"], name)
    command = [PYTHON, "-m", "flask", "--app", "quizapp", "banks", "import", "--quiet"]
    child = subprocess.Popen(
        [*command, str(big_bank_file)],
        cwd=REPO,
        env=subprocess_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill_inside_transaction(child, url, name)
    assert child.returncode in (-signal.SIGKILL, 0)
    # Users see the bank absent or whole: a big import writes its new questions in batches
    # that stay hidden until its last transaction shows them all.
    assert bank_rows(app, "big") in {(0, 0, 0), (1, BIG_TOPICS, 0), (1, BIG_TOPICS, BIG_QUESTIONS)}

    # Nothing is left locked or half done: the import runs again to the end.
    finished = subprocess.run(
        [*command, str(big_bank_file)],
        cwd=REPO,
        env=subprocess_env(url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert bank_rows(app, "big") == (1, BIG_TOPICS, BIG_QUESTIONS)
    assert stored_questions(app) == BIG_QUESTIONS  # hidden rows were taken up, not doubled
    assert_consistent(app)


def read_count(child: subprocess.Popen, at_least: int, timeout: float = 30) -> str:
    """Read the child's progress lines until it has answered `at_least` times (or is done)."""
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        if not selector.select(timeout=deadline - time.monotonic()):
            break
        line = child.stdout.readline().strip()
        if not line or line == "done" or int(line) >= at_least:
            return line
    raise AssertionError(f"the answer loop stalled (last line {line!r})")


def test_answer_loop_killed_at_random_leaves_card_states_matching_the_log(app, tmp_path):
    # Enough questions that a child cannot finish the day before it is killed.
    load(app, bank("loop", [question(f"l{i}", TYPES[i % len(TYPES)]) for i in range(200)]))
    user_id = make_user(app, "loop@example.com", new_per_day=1000)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    command = [PYTHON, "-m", "tests.reliability.answer_loop", str(user_id), str(tmp_path / "i")]
    env = subprocess_env(url)
    for _ in range(2):
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        try:
            assert read_count(child, at_least=3) != "done"
            time.sleep(random.uniform(0, 0.3))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            child.stdout.close()
        assert_consistent(app)

    # The survivors finish the day; everything still replays.
    finished = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip().endswith("done")
    assert assert_consistent(app) >= 200
