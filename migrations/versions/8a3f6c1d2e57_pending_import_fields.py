"""staged Anki uploads remember the chosen fields

Revision ID: 8a3f6c1d2e57
Revises: 5d1c2a7e9b40
Create Date: 2026-11-29 01:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8a3f6c1d2e57'
down_revision = '5d1c2a7e9b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_imports') as batch:
        batch.add_column(sa.Column('fields', sa.String(length=60), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('pending_imports') as batch:
        batch.drop_column('fields')
