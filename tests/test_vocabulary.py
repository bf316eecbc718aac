"""Domain words are enums, and the database refuses a stored value the code does not know."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.models import JobRun, OutboxMessage, Question, Review, StudySession, StudySessionItem
from quizapp.scheduling.grading import GRADERS
from quizapp.scheduling.queue import DIFFICULTY_ORDER
from quizapp.vocabulary import (
    ANSWER_MODES,
    SCHEDULED_MODES,
    Difficulty,
    JobStatus,
    OutboxStatus,
    QuestionType,
    ReviewMode,
    SessionMode,
    check_in,
)
from tests.factories import load, mixed_bank
from tests.quiz.helpers import answer, start

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

# (model, column, the values the column must accept)
COLUMNS = [
    (Question, "type", list(QuestionType)),
    (Question, "difficulty", list(Difficulty)),
    (Review, "mode", list(ReviewMode)),
    (StudySession, "mode", list(SessionMode)),
    (StudySessionItem, "kind", sorted(ANSWER_MODES)),
    (JobRun, "status", list(JobStatus)),
    (OutboxMessage, "status", list(OutboxStatus)),
]


def test_every_question_type_has_a_grader_and_a_template(app):
    assert set(GRADERS) == set(QuestionType)
    for question_type in QuestionType:
        app.jinja_env.get_template(f"quiz/types/{question_type}.html")


def test_mode_sets():
    assert ReviewMode.RESET not in ANSWER_MODES
    assert ReviewMode.REQUEUE not in ANSWER_MODES
    assert SCHEDULED_MODES == ANSWER_MODES - {ReviewMode.REASK}
    assert (
        check_in("kind", ANSWER_MODES) == "kind IN ('mock', 'new', 'practice', 'reask', 'review')"
    )


@pytest.fixture
def world(app, auth_client, user_id):
    """One row in every table that stores a domain word."""
    load(app, mixed_bank())
    session_id = start(auth_client)
    answer(auth_client, app, session_id, right=False)
    with app.app_context():
        db.session.add(
            JobRun(
                job="maintenance",
                period="2026-03-04",
                owner="test",
                started_at=NOW,
                heartbeat_at=NOW,
            )
        )
        db.session.add(OutboxMessage(kind="reminder", user_id=user_id, created_at=NOW))
        db.session.commit()


@pytest.mark.parametrize(
    ("model", "column", "values"), COLUMNS, ids=lambda v: getattr(v, "__name__", str(v))
)
def test_the_database_refuses_unknown_values(app, world, model, column, values):
    with app.app_context():
        row_id = db.session.scalar(select(model.id).limit(1))
        assert row_id is not None
        for value in values:  # every known value is accepted ...
            db.session.execute(
                update(model).where(model.id == row_id).values(_with_companions(column, value))
            )
        db.session.rollback()
        with pytest.raises(IntegrityError):  # ... and anything else is refused
            db.session.execute(update(model).where(model.id == row_id).values({column: "bogus"}))
            db.session.flush()
        db.session.rollback()
        stored = db.session.scalar(select(getattr(model, column)).where(model.id == row_id))
        assert stored in {v.value for v in values}


def _with_companions(column: str, value: str) -> dict[str, object]:
    # A question's difficulty_rank must follow its difficulty (CHECK difficulty_rank_matches).
    if column == "difficulty":
        return {column: value, "difficulty_rank": DIFFICULTY_ORDER[value]}
    return {column: value}


def test_a_difficulty_rank_that_disagrees_with_the_difficulty_is_refused(app, world):
    with app.app_context():
        row_id = db.session.scalar(select(Question.id).where(Question.difficulty == "easy"))
        assert row_id is not None
        with pytest.raises(IntegrityError):
            db.session.execute(
                update(Question).where(Question.id == row_id).values(difficulty_rank=2)
            )
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Question, row_id).difficulty_rank == 0


def test_migrations_create_the_models_check_constraints(app):
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        inspector = inspect(db.engine)
        for table in db.metadata.sorted_tables:
            wanted = {
                c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"
            }
            found = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert wanted <= found, (table.name, wanted - found)
