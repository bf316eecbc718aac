"""`flask backup` / `flask restore`: every table round-trips, on one database or across two."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import (
    JobRun,
    OutboxMessage,
    PendingImport,
    Question,
    Topic,
    User,
)
from quizapp.services import flags, topics
from quizapp.services.backup import tables
from tests.conftest import QuizClient, is_postgres, make_user, reset_database
from tests.factories import bank, load, mixed_bank, question
from tests.quiz.helpers import answer, start
from tests.reliability.helpers import assert_consistent

WHEN = datetime(2026, 3, 4, 12, 30, 15, 123456, tzinfo=UTC)


def seed(app) -> None:
    """Put at least one row in every table, through the app where it has a way in."""
    load(app, mixed_bank())
    load(app, bank("other", [question("o1", topic="orm"), question("o2", "flashcard", "orm")]))
    user_id = make_user(app, "ada@example.com", interview_date=date(2026, 4, 1))
    make_user(app, "admin@example.com", admin=True)
    client: QuizClient = app.test_client()  # type: ignore[assignment]
    assert client.login("ada@example.com").status_code == 302
    session_id = start(client)
    for right in (True, False, True, True):
        response, _item, _question = answer(client, app, session_id, right=right)
        assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        orm = db.session.scalar(select(Topic.id).where(Topic.slug == "orm"))
        signals = db.session.scalar(select(Topic.id).where(Topic.slug == "signals"))
        topics.set_studied(user, [signals])
        assert orm is not None
        first = db.session.scalar(select(Question.id).order_by(Question.id))
        assert flags.flag_question(user, first, "unclear", "Which signal? «ünïcode»") is not None
        db.session.add_all(
            [
                PendingImport(
                    user_id=user_id,
                    filename="bank.yaml",
                    format="yaml",
                    data=b"slug: x\n\x00\xff binary tail",
                    created_at=WHEN,
                ),
                OutboxMessage(
                    kind="reminder",
                    user_id=user_id,
                    study_day=date(2026, 3, 4),
                    status="sent",
                    to_address="ada@example.com",
                    subject="Your daily quiz",
                    body="Three questions are due.\nGood luck!",
                    created_at=WHEN,
                    sent_at=WHEN,
                    attempts=1,
                ),
                JobRun(
                    job="reminders",
                    period="2026-03-04T12:30",
                    status="ok",
                    owner="host:1:main",
                    started_at=WHEN,
                    heartbeat_at=WHEN,
                    finished_at=WHEN,
                    duration_ms=12,
                    result={"queued": 1, "nested": {"list": [1, 2.5, None, True]}},
                ),
            ]
        )
        db.session.commit()


def snapshot(app) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in tables()
        }


def other_app(app_config: dict[str, Any], url: str):
    """A second app on another database, with a fresh schema."""
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    other.test_client_class = QuizClient
    with other.app_context():
        reset_database()
    return other


def invoke(app, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize("name", ["quizapp.jsonl", "quizapp.jsonl.gz"])
def test_backup_restore_round_trips_every_table_row_by_row(app, tmp_path, name):
    seed(app)
    before = snapshot(app)
    assert all(before.values()), [t for t, rows in before.items() if not rows]
    path = tmp_path / name

    result = invoke(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert f"Backed up {sum(map(len, before.values()))} row(s)" in result.output
    assert not (tmp_path / f"{name}.partial").exists()
    with app.app_context():
        reset_database()
    assert not any(snapshot(app).values())

    result = invoke(app, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert snapshot(app) == before

    # New rows get fresh ids after the restored ones (PostgreSQL sequences were moved on).
    new_id = make_user(app, "new@example.com")
    assert new_id > max(row[0] for row in before["users"])
    client: QuizClient = app.test_client()  # type: ignore[assignment]
    assert client.login("new@example.com").status_code == 302
    response, _item, _question = answer(client, app, start(client))
    assert response.status_code == 302
    assert_consistent(app)


def test_restore_refuses_a_database_with_data_unless_forced(app, tmp_path):
    seed(app)
    before = snapshot(app)
    path = tmp_path / "backup.jsonl"
    assert invoke(app, "backup", str(path)).exit_code == 0
    make_user(app, "later@example.com")
    changed = snapshot(app)

    refused = invoke(app, "restore", str(path))
    assert refused.exit_code != 0 and "not empty" in refused.output and "--force" in refused.output
    assert snapshot(app) == changed

    forced = invoke(app, "restore", "--force", str(path))
    assert forced.exit_code == 0, forced.output
    assert snapshot(app) == before


def test_a_cut_or_damaged_backup_restores_nothing(app, tmp_path):
    seed(app)
    path = tmp_path / "backup.jsonl"
    assert invoke(app, "backup", str(path)).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    with app.app_context():
        reset_database()

    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:-1]), encoding="utf-8")
    result = invoke(app, "restore", str(cut))
    assert result.exit_code != 0 and "cut short" in result.output

    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join(lines[:-3] + ['{"broken\n'] + lines[-2:]), encoding="utf-8")
    result = invoke(app, "restore", str(damaged))
    assert result.exit_code != 0 and "damaged line" in result.output

    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps({"format": "something-else"}) + "\n", encoding="utf-8")
    assert "not a quizapp backup" in invoke(app, "restore", str(foreign)).output
    assert not any(snapshot(app).values())


@pytest.mark.postgres
@pytest.mark.skipif(not is_postgres(), reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_sqlite_backup_restores_into_postgres_and_back(app, app_config, tmp_path):
    source = other_app(app_config, f"sqlite:///{tmp_path}/source.sqlite")
    seed(source)
    original = snapshot(source)
    first = tmp_path / "from-sqlite.jsonl"
    assert invoke(source, "backup", str(first)).exit_code == 0

    result = invoke(app, "restore", str(first))  # `app` is on PostgreSQL
    assert result.exit_code == 0, result.output
    assert snapshot(app) == original
    assert_consistent(app)

    second = tmp_path / "from-postgres.jsonl.gz"
    assert invoke(app, "backup", str(second)).exit_code == 0
    back = other_app(app_config, f"sqlite:///{tmp_path}/back.sqlite")
    result = invoke(back, "restore", str(second))
    assert result.exit_code == 0, result.output
    assert snapshot(back) == original
    for each in (source, back):
        with each.app_context():
            db.engine.dispose()


def test_restore_refuses_a_backup_of_another_schema_revision(app, tmp_path):
    seed(app)
    path = tmp_path / "backup.jsonl"
    assert invoke(app, "backup", str(path)).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["revision"] = "0123456789ab"
    path.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    with app.app_context():
        reset_database()
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('ba9876543210')"))
    result = invoke(app, "restore", str(path))
    assert result.exit_code != 0 and "revision 0123456789ab" in result.output
    assert not any(snapshot(app).values())
