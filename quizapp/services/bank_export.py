"""Reading a stored bank back into the bank format's model, for export."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.banks.model import Bank as ParsedBank
from quizapp.banks.model import Choice
from quizapp.banks.model import Question as ParsedQuestion
from quizapp.banks.model import Topic as ParsedTopic
from quizapp.extensions import db
from quizapp.models import Bank, Question, Topic


def load_bank(slug: str) -> ParsedBank | None:
    """Return the stored bank (active questions only) as a parsed bank, or None."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug))
    if bank is None:
        return None
    topics = db.session.scalars(
        select(Topic).where(Topic.bank_id == bank.id).order_by(Topic.position)
    ).all()
    slugs = {t.id: t.slug for t in topics}
    questions = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank.id, Question.active.is_(True))
        .order_by(Question.position)
    ).all()
    return ParsedBank(
        slug=bank.slug,
        title=bank.title,
        version=bank.version,
        description=bank.description,
        source=bank.source,
        topics=tuple(ParsedTopic(t.slug, t.name, t.description) for t in topics),
        questions=tuple(
            ParsedQuestion(
                key=q.key,
                topic=slugs[q.topic_id],
                type=q.type,
                prompt=q.prompt,
                explanation=q.explanation,
                difficulty=q.difficulty,
                choices=tuple(Choice(c["text"], bool(c["correct"])) for c in q.choices),
                answer=q.answer if not isinstance(q.answer, list) else None,
                accepted=tuple(q.accepted),
                pairs=q.matching_pairs(),
                numbers=q.number_ranges(),
                key_points=tuple(q.key_points),
                tags=tuple(q.tags),
                source_article=q.source_article,
                source_section=q.source_section,
            )
            for q in questions
        ),
    )
