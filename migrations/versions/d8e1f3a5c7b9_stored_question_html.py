"""stored question html

Questions carry their Markdown parts rendered to sanitised HTML (Question.rendered), written
by the import with the text, so pages insert them instead of rendering them. Existing
questions are rendered here, as an import would have; a question without stored HTML (or with
another renderer version's) is still rendered on display, so this is a saving, not a need.

Revision ID: d8e1f3a5c7b9
Revises: a9c4e2f7b318
Create Date: 2026-11-29 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd8e1f3a5c7b9'
down_revision = 'a9c4e2f7b318'
branch_labels = None
depends_on = None

BATCH = 500
questions = sa.table(
    'questions',
    sa.column('id', sa.Integer),
    sa.column('type', sa.String),
    sa.column('prompt', sa.Text),
    sa.column('explanation', sa.Text),
    sa.column('answer', sa.JSON),
    sa.column('choices', sa.JSON),
    sa.column('rendered', sa.JSON),
)


def _rendered(row):
    from quizapp.rendering import question_html

    answer = row.answer
    lefts = [p.get('left') or '' for p in answer] if row.type == 'matching' else []
    return question_html(
        row.prompt,
        row.explanation or '',
        answer if isinstance(answer, str) else None,
        [c.get('text', '') for c in row.choices or []],
        lefts,
    )


def upgrade():
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('rendered', sa.JSON(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            questions.c.id,
            questions.c.type,
            questions.c.prompt,
            questions.c.explanation,
            questions.c.answer,
            questions.c.choices,
        ).order_by(questions.c.id)
    ).all()
    store = (
        questions.update()
        .where(questions.c.id == sa.bindparam('question_id'))
        .values(rendered=sa.bindparam('html', type_=sa.JSON))
    )
    for start in range(0, len(rows), BATCH):
        conn.execute(
            store,
            [{'question_id': row.id, 'html': _rendered(row)} for row in rows[start:start + BATCH]],
        )


def downgrade():
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('rendered')
