"""explain questions and mock interviews

Questions gain their key points (explain questions); a study session can be a timed mock
interview (its deadline and what it was built from); the review log gains the "mock" answer
mode and the "requeue" card action. The CHECK constraints widen to the new words.

Revision ID: f2b8d4e6a1c3
Revises: e4a7c2d9f815
Create Date: 2026-11-29 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f2b8d4e6a1c3'
down_revision = 'e4a7c2d9f815'
branch_labels = None
depends_on = None

OLD_TYPES = (
    "flashcard", "single_choice", "multiple_choice", "true_false", "short_answer", "matching",
    "numerical",
)
OLD_KINDS = ("review", "new", "reask", "practice")
OLD_SESSION_MODES = ("daily", "practice")

# (table, constraint, column, values before, values after)
CHECKS = (
    ("questions", "type_known", "type", OLD_TYPES, (*OLD_TYPES, "explain")),
    ("reviews", "mode_known", "mode", (*OLD_KINDS, "reset"), (*OLD_KINDS, "mock", "reset", "requeue")),
    ("study_sessions", "mode_known", "mode", OLD_SESSION_MODES, (*OLD_SESSION_MODES, "mock")),
    ("study_session_items", "kind_known", "kind", OLD_KINDS, (*OLD_KINDS, "mock")),
)


def _in(column, values):
    return f"{column} IN ({', '.join(sorted(repr(v) for v in values))})"


def _checks(after):
    for table, name, column, old, new in CHECKS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch.create_check_constraint(
                op.f(f'ck_{table}_{name}'), _in(column, new if after else old)
            )


def upgrade():
    with op.batch_alter_table('questions') as batch:
        batch.add_column(
            sa.Column('key_points', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table('study_sessions') as batch:
        batch.add_column(sa.Column('ends_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('details', sa.JSON(), nullable=True))
    _checks(after=True)


def downgrade():
    # Going back must not rewrite learners' history. A mock answer is the practice rule, so it
    # becomes a practice answer and a mock interview a practice session; a requeue or an
    # explain question has no older form, so their presence stops the downgrade.
    bind = op.get_bind()
    for what, sql in (
        ("requeued cards in the review log", "SELECT count(*) FROM reviews WHERE mode = 'requeue'"),
        ("explain questions", "SELECT count(*) FROM questions WHERE type = 'explain'"),
    ):
        if bind.execute(sa.text(sql)).scalar():
            raise RuntimeError(
                f"cannot downgrade below f2b8d4e6a1c3: the database holds {what}, which the "
                "older schema cannot store (restore a backup taken before the upgrade instead)"
            )
    op.execute("UPDATE reviews SET mode = 'practice' WHERE mode = 'mock'")
    op.execute("UPDATE study_session_items SET kind = 'practice' WHERE kind = 'mock'")
    op.execute("UPDATE study_sessions SET mode = 'practice' WHERE mode = 'mock'")
    _checks(after=False)
    with op.batch_alter_table('study_sessions') as batch:
        batch.drop_column('details')
        batch.drop_column('ends_at')
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('key_points')
