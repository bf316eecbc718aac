"""A database that is briefly unavailable gives a clear 503, never a half-written answer.

SQLite: another connection holds the write lock past the busy timeout. PostgreSQL: the app
points at a closed port (this runs on every database: only the refused connection matters).
The PostgreSQL server itself is never stopped; see test_postgres_disconnect.py for backends
terminated in the middle of an answer.
"""

from __future__ import annotations

import socket
import sqlite3
import threading

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from quizapp import create_app
from quizapp.errors import RETRY_AFTER_SECONDS, is_database_unavailable
from tests.conftest import QuizClient, is_postgres
from tests.reliability.helpers import answers_written, assert_consistent, prepared_answer

BUSY_TIMEOUT_MS = 1000
FRIENDLY = "The service is briefly unavailable"

sqlite_only = pytest.mark.skipif(is_postgres(), reason="SQLite locking")


@pytest.fixture
def app_config(app_config):
    """A short busy timeout, so a held lock turns into an error quickly."""
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": BUSY_TIMEOUT_MS}


def database_file(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def hold_write_lock(path: str) -> sqlite3.Connection:
    """Take SQLite's write lock from another connection, as another process would."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.get_data(as_text=True)
    assert FRIENDLY in page and "Back to the dashboard" in page
    # Rendered as a visitor's page: the user could not be loaded again.
    assert "Log out" not in page


@sqlite_only
def test_locked_sqlite_gives_503_and_writes_nothing_then_the_retry_counts_once(app, auth_client):
    item_id, form = prepared_answer(app, auth_client)
    lock = hold_write_lock(database_file(app))
    try:
        response = auth_client.post(f"/quiz/items/{item_id}/answer", data=form)
        json_response = auth_client.post(
            f"/quiz/items/{item_id}/answer", data=form, headers={"Accept": "application/json"}
        )
    finally:
        lock.rollback()
        lock.close()
    assert_unavailable_page(response)
    assert json_response.status_code == 503
    assert json_response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json_response.get_json()["error"] == "Busy"
    assert answers_written(app) == (0, 0)

    # The lock is gone: the same form, posted again, is applied once; a third post conflicts.
    retried = auth_client.post(f"/quiz/items/{item_id}/answer", data=form)
    assert retried.status_code == 302 and retried.headers["Location"].endswith(
        f"/quiz/items/{item_id}"
    )
    assert auth_client.post(f"/quiz/items/{item_id}/answer", data=form).status_code == 409
    assert answers_written(app) == (1, 1)
    assert assert_consistent(app) == 1


@sqlite_only
def test_a_lock_shorter_than_the_busy_timeout_is_waited_for(app, auth_client):
    item_id, form = prepared_answer(app, auth_client)
    lock = hold_write_lock(database_file(app))
    release = threading.Timer(BUSY_TIMEOUT_MS / 1000 / 5, lambda: (lock.rollback(), lock.close()))
    release.start()
    try:
        response = auth_client.post(f"/quiz/items/{item_id}/answer", data=form)
    finally:
        release.join()
    assert response.status_code == 302
    assert answers_written(app) == (1, 1)
    assert_consistent(app)


def closed_port() -> int:
    """A local port nothing listens on (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_postgres_refusing_connections_gives_503_and_writes_nothing(app, app_config, auth_client):
    item_id, form = prepared_answer(app, auth_client)
    down = create_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": (
                f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test?connect_timeout=2"
            ),
        }
    )
    down.test_client_class = QuizClient
    client = down.test_client()
    # The same signed session cookie: the user is logged in as far as the cookie goes.
    client.set_cookie("session", auth_client.get_cookie("session").value)
    response = client.post(f"/quiz/items/{item_id}/answer", data=form)
    assert_unavailable_page(response)
    assert answers_written(app) == (0, 0)
    # The real database is untouched and still takes the answer.
    assert auth_client.post(f"/quiz/items/{item_id}/answer", data=form).status_code == 302
    assert assert_consistent(app) == 1


def _operational(orig: Exception) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (_operational(sqlite3.OperationalError("database is locked")), True),
        (_operational(sqlite3.OperationalError("no such table: users")), False),
        (_operational(ConnectionRefusedError("connection refused")), True),
        (PoolTimeout("QueuePool limit reached"), True),
        (IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE")), False),
        (ValueError("not a database error"), False),
    ],
)
def test_which_errors_mean_briefly_unavailable(error, unavailable):
    assert is_database_unavailable(error) is unavailable
