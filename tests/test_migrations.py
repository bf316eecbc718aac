"""The migration history builds the whole schema, and it agrees with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from quizapp.extensions import db
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, start


def _empty_database() -> None:
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_migrations_build_the_schema_the_models_describe(app):
    with app.app_context():
        _empty_database()
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables


def test_migrations_downgrade_to_empty_and_up_again(app):
    with app.app_context():
        _empty_database()
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "card_states" in inspect(db.engine).get_table_names()


def _migrated_with_learner(app, email: str):
    """An empty database migrated to the head, and a logged-in client of a new learner."""
    with app.app_context():
        _empty_database()
        upgrade()
    make_user(app, email)
    client = app.test_client()
    client.login(email)
    return client


def test_migrations_keep_learners_data_both_ways(app):
    """Batch-mode table rebuilds on SQLite must not cascade-delete the rows that point at
    a rebuilt table: cards, reviews and session items survive a downgrade and an upgrade."""
    auth_client = _migrated_with_learner(app, "kept@example.com")
    load(app, bank("kept", [question("a"), question("b", "true_false")]))
    session_id = start(auth_client)
    answer(auth_client, app, session_id, right=True)
    answer(auth_client, app, session_id, right=False)
    tables = ("card_states", "reviews", "study_session_items", "questions", "study_sessions")

    def counts() -> dict[str, int]:
        with db.engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}

    with app.app_context():
        before = counts()
        assert before["card_states"] == 2 and before["reviews"] >= 2
        # Back past the migrations that rebuild questions, reviews and sessions, and up again.
        downgrade(revision="8a3f6c1d2e57")
        assert counts() == before
        upgrade()
        assert counts() == before
    verified = app.test_cli_runner().invoke(args=["reviews", "verify"])
    assert verified.exit_code == 0, verified.output


def test_downgrading_past_mock_interviews_keeps_the_log_true(app, clock, capfd):
    """Mock answers become practice answers (the same rule); requeues and explain questions
    have no older form, so the downgrade refuses while they exist and changes nothing."""
    client = _migrated_with_learner(app, "old@example.com")
    load(app, bank("old", [question("a", "short_answer"), question("b", "short_answer")]))
    daily = start(client)
    answer(client, app, daily, right=True)
    answer(client, app, daily, right=True)
    clock.advance(days=1)
    started = client.post_form("/mock/start", {"minutes": "15"})
    mock_id = int(started.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        first = (
            db.session.execute(
                text("SELECT id FROM study_session_items WHERE session_id = :s ORDER BY sort_key"),
                {"s": mock_id},
            )
            .scalars()
            .all()
        )
    for item_id in first:
        client.post_form(f"/quiz/items/{item_id}/answer", {"version": "1", "text": "wrong"})
    client.post_form(f"/mock/{mock_id}/finish")
    with app.app_context():
        downgrade(revision="e4a7c2d9f815")
        with db.engine.connect() as conn:
            modes = conn.execute(text("SELECT mode FROM reviews ORDER BY id")).scalars().all()
        assert modes == ["new", "new", "practice", "practice"]
        upgrade()
    with app.app_context():
        with db.engine.connect() as conn:
            modes = conn.execute(text("SELECT mode FROM reviews ORDER BY id")).scalars().all()
    assert modes == ["new", "new", "practice", "practice"]  # history is not rewritten back
    load(app, bank("new", [question("x", "explain", topic="orm")]))
    # Flask-Migrate logs the migration's error ("the database holds explain questions...")
    # and exits; the transaction is rolled back.
    with app.app_context():
        downgrade(revision="f2b8d4e6a1c3")  # the later migrations step back first
    with app.app_context(), pytest.raises(SystemExit):
        downgrade(revision="e4a7c2d9f815")
    assert "the database holds explain questions" in capfd.readouterr().err
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM questions")).scalar_one() == 3
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            assert version == "f2b8d4e6a1c3"
        upgrade()  # back to the head, through the later migrations, with this history in place
        with db.engine.connect() as conn:
            # The cards' copies of their question's topic and active flag are filled in.
            cards, mismatched = conn.execute(
                text(
                    "SELECT count(*), sum(CASE WHEN c.topic_id = q.topic_id "
                    "AND c.question_active = q.active THEN 0 ELSE 1 END) "
                    "FROM card_states c JOIN questions q ON q.id = c.question_id"
                )
            ).one()
            ranks = conn.execute(
                text("SELECT DISTINCT difficulty, difficulty_rank FROM questions")
            ).all()
        assert cards >= 1 and mismatched == 0
        assert set(ranks) == {("easy", 0)}
    verified = app.test_cli_runner().invoke(args=["reviews", "verify"])
    assert verified.exit_code == 0, verified.output


def test_upgrading_to_stored_html_renders_the_existing_questions(app):
    """Questions imported before their HTML was stored get it from the migration, the same
    HTML as the import stores."""
    from quizapp.models import Question

    def stored() -> dict:
        return {q.key: q.rendered for q in db.session.scalars(db.select(Question))}

    _migrated_with_learner(app, "html@example.com")
    parsed = bank(
        "older",
        [question("c", prompt="A *prompt* with `code`?"), question("m", "matching"),
         question("f", "flashcard"), question("t", "true_false")],
    )  # fmt: skip
    load(app, parsed)
    with app.app_context():
        imported = stored()
        assert imported["c"]["prompt"] == "<p>A <em>prompt</em> with <code>code</code>?</p>\n"
        # The read's transaction ends first: PostgreSQL's ALTER TABLE would wait for it.
        db.session.rollback()
        downgrade(revision="a9c4e2f7b318")
        assert "rendered" not in {c["name"] for c in inspect(db.engine).get_columns("questions")}
        upgrade()
        db.session.expire_all()
        assert stored() == imported
