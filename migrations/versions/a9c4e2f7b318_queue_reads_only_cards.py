"""the queue reads only cards

Cards carry copies of their question's topic and active flag, and one covering index holds
every column the daily queue reads, so due reviews come from that index alone. Questions gain
their difficulty as a rank (easy 0, medium 1, hard 2) and an index in the queue's bank order
(replacing the one by topic, active and position), so new questions are found by a walk that
stops early.

Revision ID: a9c4e2f7b318
Revises: f2b8d4e6a1c3
Create Date: 2026-11-29 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c4e2f7b318'
down_revision = 'f2b8d4e6a1c3'
branch_labels = None
depends_on = None

RANK = "CASE difficulty WHEN 'easy' THEN 0 WHEN 'medium' THEN 1 WHEN 'hard' THEN 2 END"
QUEUE_COLUMNS = [
    'user_id', 'due_day', 'suspended', 'question_active', 'interval_days', 'easiness',
    'question_id', 'topic_id',
]


def upgrade():
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('difficulty_rank', sa.SmallInteger(), nullable=True))
    op.execute(f"UPDATE questions SET difficulty_rank = {RANK}")
    with op.batch_alter_table('questions') as batch:
        batch.alter_column('difficulty_rank', existing_type=sa.SmallInteger(), nullable=False)
        batch.create_check_constraint(
            op.f('ck_questions_difficulty_rank_matches'), f"difficulty_rank = {RANK}"
        )
        # Takes over from (topic_id, active, position): one index to keep up on every insert.
        batch.drop_index('ix_questions_topic_active_position')
        batch.create_index(
            'ix_questions_new_order',
            ['topic_id', 'active', 'difficulty_rank', 'position', 'id'],
            unique=False,
        )

    with op.batch_alter_table('card_states') as batch:
        batch.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column('question_active', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(
        "UPDATE card_states SET "
        "topic_id = (SELECT q.topic_id FROM questions q WHERE q.id = card_states.question_id), "
        "question_active = (SELECT q.active FROM questions q WHERE q.id = card_states.question_id)"
    )
    with op.batch_alter_table('card_states') as batch:
        batch.alter_column('topic_id', existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f('fk_card_states_topic_id_topics'), 'topics', ['topic_id'], ['id']
        )
        batch.drop_index('ix_card_states_user_due')
        batch.create_index('ix_card_states_queue', QUEUE_COLUMNS, unique=False)
        batch.create_index('ix_card_states_question', ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('card_states') as batch:
        batch.drop_index('ix_card_states_question')
        batch.drop_index('ix_card_states_queue')
        batch.create_index('ix_card_states_user_due', ['user_id', 'due_day'], unique=False)
        batch.drop_constraint(op.f('fk_card_states_topic_id_topics'), type_='foreignkey')
        batch.drop_column('question_active')
        batch.drop_column('topic_id')
    with op.batch_alter_table('questions') as batch:
        batch.drop_index('ix_questions_new_order')
        batch.create_index(
            'ix_questions_topic_active_position', ['topic_id', 'active', 'position'], unique=False
        )
        batch.drop_constraint(op.f('ck_questions_difficulty_rank_matches'), type_='check')
        batch.drop_column('difficulty_rank')
