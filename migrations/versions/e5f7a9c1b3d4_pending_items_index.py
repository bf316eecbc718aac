"""pending items index

Two indexes on study_session_items: the items still to answer, in session order (by
session, answered_at, sort key), so the next item and what remains no longer read every item
of a long session; and the columns the progress counts read, so they come from the index
alone.

Revision ID: e5f7a9c1b3d4
Revises: d8e1f3a5c7b9
Create Date: 2026-11-29 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5f7a9c1b3d4'
down_revision = 'd8e1f3a5c7b9'
branch_labels = None
depends_on = None

def upgrade():
    with op.batch_alter_table('study_session_items') as batch:
        batch.create_index(
            'ix_study_session_items_pending',
            ['session_id', 'answered_at', 'sort_key', 'id'],
            unique=False,
        )
        batch.create_index(
            'ix_study_session_items_counts',
            ['session_id', 'kind', 'answered_at', 'origin_item_id', 'question_id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('study_session_items') as batch:
        batch.drop_index('ix_study_session_items_counts')
        batch.drop_index('ix_study_session_items_pending')
