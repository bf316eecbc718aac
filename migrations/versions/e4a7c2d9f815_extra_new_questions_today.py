"""users can study more new questions on one day without changing their setting

Revision ID: e4a7c2d9f815
Revises: 7e3f1a2b9c60
Create Date: 2026-11-29 01:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a7c2d9f815'
down_revision = '7e3f1a2b9c60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('extra_new_day', sa.Date(), nullable=True))
        batch.add_column(sa.Column('extra_new', sa.Integer(), nullable=False, server_default='0'))
        batch.create_check_constraint(
            op.f('ck_users_extra_new_range'), 'extra_new BETWEEN 0 AND 100000'
        )


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('ck_users_extra_new_range'), type_='check')
        batch.drop_column('extra_new')
        batch.drop_column('extra_new_day')
