"""a re-ask waits for its time as well as its turn

Session items get ``not_before``: a re-asked question is not shown before this moment while
other questions are waiting (quizapp/scheduling/queue.py, ``reask_plan``).

Revision ID: 7e3f1a2b9c60
Revises: b71e4c09d3a2
Create Date: 2026-11-29 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7e3f1a2b9c60"
down_revision = "b71e4c09d3a2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("study_session_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("study_session_items", schema=None) as batch_op:
        batch_op.drop_column("not_before")
