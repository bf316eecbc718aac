"""PostgreSQL backends terminated under the app: 503 mid-answer, then the pool recovers.

Only this test's own connections are terminated (they carry a unique application_name); the
shared server keeps running.
"""

from __future__ import annotations

import os
import time
import uuid

import psycopg
import pytest
from sqlalchemy import event

from quizapp.extensions import db
from tests.conftest import is_postgres
from tests.reliability.helpers import answers_written, assert_consistent, prepared_answer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not is_postgres(), reason="needs TEST_DATABASE_URL (PostgreSQL)"),
]

APP_NAME = f"quizapp-fault-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def app_config(app_config):
    """Tag the app's connections so the test can find and terminate exactly those."""
    options = {"pool_pre_ping": True, "connect_args": {"application_name": APP_NAME}}
    return {**app_config, "SQLALCHEMY_ENGINE_OPTIONS": options}


@pytest.fixture
def admin():
    """A connection of the test's own, outside the app's pool."""
    url = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def terminate(admin, pids: list[int]) -> None:
    """Terminate backends and wait until they are gone."""
    for pid in pids:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        alive = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)
        ).fetchone()[0]
        if not alive:
            return
        time.sleep(0.01)
    raise AssertionError(f"backends {pids} still alive")


def app_backends(admin) -> list[int]:
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
    ).fetchall()
    return [pid for (pid,) in rows]


def test_backend_killed_in_the_middle_of_an_answer_gives_503_and_nothing(app, auth_client, admin):
    item_id, form = prepared_answer(app, auth_client)
    killed: list[int] = []

    def kill_before_logging_the_review(conn, cursor, statement, *_args) -> None:
        # The item is claimed and the card written by now: only the transaction protects them.
        if statement.startswith("INSERT INTO reviews") and not killed:
            killed.append(conn.connection.dbapi_connection.info.backend_pid)
            terminate(admin, killed)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", kill_before_logging_the_review)
    try:
        response = auth_client.post(f"/quiz/items/{item_id}/answer", data=form)
    finally:
        event.remove(engine, "before_cursor_execute", kill_before_logging_the_review)
    assert killed, "the answer never reached the review insert"
    assert response.status_code == 503
    assert "briefly unavailable" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]
    assert answers_written(app) == (0, 0)
    assert_consistent(app)

    # The dead connection was dropped from the pool: the same form now goes through once.
    assert auth_client.post(f"/quiz/items/{item_id}/answer", data=form).status_code == 302
    assert auth_client.post(f"/quiz/items/{item_id}/answer", data=form).status_code == 409
    assert answers_written(app) == (1, 1)
    assert_consistent(app)


def test_pool_pre_ping_replaces_connections_terminated_while_idle(app, auth_client, admin):
    item_id, form = prepared_answer(app, auth_client)
    assert auth_client.get("/").status_code == 200
    pooled = app_backends(admin)
    assert pooled, "the app keeps no pooled connection"
    terminate(admin, pooled)

    # No error for the user: the ping finds the dead connection and opens a new one.
    assert auth_client.get("/").status_code == 200
    assert auth_client.post(f"/quiz/items/{item_id}/answer", data=form).status_code == 302
    assert set(app_backends(admin)).isdisjoint(pooled)
    assert answers_written(app) == (1, 1)
    assert_consistent(app)
