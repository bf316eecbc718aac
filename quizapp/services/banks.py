"""The banks overview: every bank with its question and topic counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Question, Topic


@dataclass(frozen=True)
class BankRow:
    """One bank with its counts of active and retired questions and of topics."""

    bank: Bank
    active: int
    retired: int
    topics: int


def bank_rows() -> list[BankRow]:
    """Every bank, by slug, with its counts (one query)."""
    active = func.count(Question.id).filter(Question.active.is_(True))
    # Not the inactive ones: an import in progress stages its new questions inactive too.
    retired = func.count(Question.id).filter(Question.retired_at.is_not(None))
    topics = select(func.count(Topic.id)).where(Topic.bank_id == Bank.id).scalar_subquery()
    rows = db.session.execute(
        select(Bank, active, retired, topics)
        .outerjoin(Question, Question.bank_id == Bank.id)
        .group_by(Bank.id)
        .order_by(Bank.slug)
    ).all()
    return [
        BankRow(bank, n_active, n_retired, n_topics) for bank, n_active, n_retired, n_topics in rows
    ]
