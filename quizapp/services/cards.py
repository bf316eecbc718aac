"""Reading a user's card: the one query for "this user's card for this question"."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from sqlalchemy import ColumnElement, Integer, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from quizapp.extensions import db
from quizapp.models import CardState, Question
from quizapp.scheduling.card import CardSnapshot


def card_for(user_id: int, question_id: int) -> CardState | None:
    """The user's card for a question, or None if they never answered it."""
    return db.session.scalar(
        select(CardState).where(CardState.user_id == user_id, CardState.question_id == question_id)
    )


_QUESTION_WITH_CARD: Final = (
    select(Question, CardState)
    .options(joinedload(Question.topic))
    .outerjoin(
        CardState,
        (CardState.question_id == Question.id)
        & (CardState.user_id == bindparam("user_id", type_=Integer)),
    )
    .where(Question.id == bindparam("question_id", type_=Integer))
)


def question_with_card(user_id: int, question_id: int) -> tuple[Question, CardState | None]:
    """A question with its topic (which pages name) and the user's card for it, in one query."""
    question, card = db.session.execute(
        _QUESTION_WITH_CARD, {"user_id": user_id, "question_id": question_id}
    ).one()
    return question, card


def question_copies(
    question_id: int | ColumnElement[int] | InstrumentedAttribute[int],
) -> dict[str, Any]:
    """SQL for a card's copies of its question's topic and active flag, for an INSERT or UPDATE.

    They are read by the write itself, under its lock, so an import that moves or retires the
    question at the same moment cannot leave a card with the old values.
    """
    question = select(Question).where(Question.id == question_id)
    return {
        "topic_id": question.with_only_columns(Question.topic_id).scalar_subquery(),
        "question_active": question.with_only_columns(Question.active).scalar_subquery(),
    }


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
