"""domain words are checked by the database

Every column that stores a question type, difficulty, review mode, session mode, item kind,
job status or outbox status gets a CHECK constraint listing the values the code knows.
The lists are written out here, not imported, so this migration keeps meaning what it meant
when later code adds a value (a later migration then widens the constraint).

Revision ID: 5d1c2a7e9b40
Revises: cb86ed6778e1
Create Date: 2026-11-29 01:00:00

"""
from alembic import op


revision = '5d1c2a7e9b40'
down_revision = 'cb86ed6778e1'
branch_labels = None
depends_on = None


def _in(column, values):
    return f"{column} IN ({', '.join(sorted(repr(v) for v in values))})"


QUESTION_TYPES = ("flashcard", "single_choice", "multiple_choice", "true_false", "short_answer")
ANSWER_MODES = ("review", "new", "reask", "practice")

CHECKS = {
    "questions": [
        ("type_known", _in("type", QUESTION_TYPES)),
        ("difficulty_known", _in("difficulty", ("easy", "medium", "hard"))),
    ],
    "reviews": [("mode_known", _in("mode", (*ANSWER_MODES, "reset")))],
    "study_sessions": [("mode_known", _in("mode", ("daily", "practice")))],
    "study_session_items": [("kind_known", _in("kind", ANSWER_MODES))],
    "job_runs": [("status_known", _in("status", ("running", "ok", "failed")))],
    "outbox": [
        ("status_known", _in("status", ("pending", "sending", "sent", "failed", "skipped")))
    ],
}


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks:
                batch.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, _condition in checks:
                batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
