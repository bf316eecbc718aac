"""SQLite transactions: reads never take the write lock; a transaction takes it to write."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event, update

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts
from tests.conftest import is_postgres

pytestmark = pytest.mark.skipif(is_postgres(), reason="BEGIN modes are SQLite's")

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def executed(app) -> Iterator[list[str]]:
    """Every statement SQLite runs, BEGIN and COMMIT included, in order."""
    seen: list[str] = []
    traced: list[sqlite3.Connection] = []
    with app.app_context():
        engine = db.engine

    def trace(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(seen.append)
        traced.append(dbapi_connection)

    event.listen(engine, "checkout", trace)
    yield seen
    event.remove(engine, "checkout", trace)
    for connection in traced:
        connection.set_trace_callback(None)


def _transactions(statements: list[str]) -> list[list[str]]:
    """The statements grouped by transaction, each group starting with its BEGIN."""
    groups: list[list[str]] = []
    for statement in statements:
        if statement.startswith("BEGIN"):
            groups.append([statement])
        elif groups and groups[-1][-1] not in ("COMMIT", "ROLLBACK"):
            groups[-1].append(statement)
    return groups


def _assert_writes_hold_the_lock(statements: list[str]) -> None:
    for group in _transactions(statements):
        if any(s.lstrip().upper().startswith(WRITES) for s in group):
            assert group[0] == "BEGIN IMMEDIATE", group


def test_get_reads_without_the_write_lock(auth_client, executed):
    assert auth_client.get("/progress/").status_code == 200
    assert executed
    assert {group[0] for group in _transactions(executed)} == {"BEGIN"}


def test_post_reads_first_and_takes_the_lock_only_to_write(auth_client, executed):
    token = auth_client.csrf_token()
    executed.clear()
    response = auth_client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    begins = [group[0] for group in _transactions(executed)]
    # The session's user is loaded by a reader; the change is written by a writer.
    assert begins[0] == "BEGIN"
    assert "BEGIN IMMEDIATE" in begins
    _assert_writes_hold_the_lock(executed)


def test_work_outside_a_request_writes_under_the_lock(app, executed):
    with app.app_context():
        accounts.create_user("cli@example.com", "correct horse battery", "cli")
        db.session.commit()
    assert any(s.startswith("INSERT") for s in executed)
    _assert_writes_hold_the_lock(executed)


def test_writers_take_turns_and_a_waiting_one_goes_as_soon_as_the_lock_is_free(
    app, user_id, executed
):
    # A writer waits for the one before it (no "database is locked" within the busy
    # timeout) and begins as soon as that one commits.
    holding, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def first_writer():
        with app.app_context():
            rename(user_id, "first")
            holding.set()
            release.wait(timeout=10)
            db.session.commit()
            finished.append("first")

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert holding.wait(timeout=10)
    threading.Timer(0.3, release.set).start()
    with app.app_context():
        rename(user_id, "second")
        db.session.commit()
        finished.append("second")
    thread.join(timeout=10)
    assert finished == ["first", "second"]
    with app.app_context():
        assert db.session.get(User, user_id).display_name == "second"
    _assert_writes_hold_the_lock(executed)


def rename(user_id: int, name: str) -> None:
    """Write one row in the current unit of work (not committed)."""
    db.session.execute(update(User).where(User.id == user_id).values(display_name=name))
