"""SQLite transactions: pages that only read never take the write lock; everything else does."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from quizapp.extensions import db
from quizapp.services import accounts
from tests.conftest import is_postgres

pytestmark = pytest.mark.skipif(is_postgres(), reason="BEGIN modes are SQLite's")


@pytest.fixture
def begins(app):
    """The BEGIN statements SQLite receives, in order."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_get_reads_without_the_write_lock_and_post_takes_it(app, auth_client, begins):
    assert auth_client.get("/progress/").status_code == 200
    assert begins and set(begins) == {"BEGIN"}
    begins.clear()
    token = auth_client.csrf_token()
    begins.clear()
    response = auth_client.post("/settings", data={"csrf_token": token})
    assert response.status_code in (200, 302, 422)
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}


def test_work_outside_a_request_may_write(app, auth_client, begins):
    # A GET in this thread must not leave its read-only intent behind for the next work.
    assert auth_client.get("/").status_code == 200
    begins.clear()
    with app.app_context():
        accounts.create_user("cli@example.com", "correct horse battery", "cli")
        db.session.commit()
    assert begins == ["BEGIN IMMEDIATE"]
