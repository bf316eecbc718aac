"""matching and numerical questions

The question type CHECK constraint admits the two new types; their keys live in the
existing JSON answer column.

Revision ID: b71e4c09d3a2
Revises: 8a3f6c1d2e57
Create Date: 2026-11-29 01:45:00

"""
from alembic import op


revision = 'b71e4c09d3a2'
down_revision = '8a3f6c1d2e57'
branch_labels = None
depends_on = None

OLD = ("flashcard", "single_choice", "multiple_choice", "true_false", "short_answer")
NEW = (*OLD, "matching", "numerical")


def _in(values):
    return f"type IN ({', '.join(sorted(repr(v) for v in values))})"


def _replace(values):
    with op.batch_alter_table('questions') as batch:
        batch.drop_constraint(op.f('ck_questions_type_known'), type_='check')
        batch.create_check_constraint(op.f('ck_questions_type_known'), _in(values))


def upgrade():
    _replace(NEW)


def downgrade():
    _replace(OLD)
