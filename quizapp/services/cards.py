"""Reading a user's card: the one query for "this user's card for this question"."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, select

from quizapp.extensions import db
from quizapp.models import CardState, Question
from quizapp.scheduling.card import CardSnapshot


def card_for(user_id: int, question_id: int) -> CardState | None:
    """The user's card for a question, or None if they never answered it."""
    return db.session.scalar(
        select(CardState).where(CardState.user_id == user_id, CardState.question_id == question_id)
    )


def due_by(user_id: int, day: date) -> ColumnElement[bool]:
    """SQL condition: the user's card is due by ``day`` and counts (not suspended, question
    active). The statement must join Question on the card's question."""
    return (
        (CardState.user_id == user_id)
        & (CardState.due_day <= day)
        & CardState.suspended.is_(False)
        & Question.active.is_(True)
    )


def card_snapshot(card: CardState) -> CardSnapshot:
    """The scheduling core's view of a stored card."""
    return CardSnapshot(
        card.repetitions,
        card.easiness,
        card.interval_days,
        card.due_day,
        card.lapses,
        card.review_count,
    )
