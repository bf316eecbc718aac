"""The leech rule, written once: a card its user has failed LEECH_FAILURES times or more.

A failure is a scheduled answer (review, new or practice; never a same-session re-ask or a
reset) graded below SM-2's passing grade, as ``quizapp.scheduling.card.is_failure`` says.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Subquery, func, select

from quizapp.models import Review
from quizapp.scheduling.sm2 import PASSING_GRADE
from quizapp.vocabulary import SCHEDULED_MODES

LEECH_FAILURES = 8


def failed_answer() -> ColumnElement[bool]:
    """SQL condition: this review is a failure that counts towards lapses and leeches."""
    return (Review.grade < PASSING_GRADE) & Review.mode.in_(SCHEDULED_MODES)


def leech_cards(*where: ColumnElement[Any]) -> Subquery:
    """Subquery of (user_id, question_id, failures) for every leech matching ``where``."""
    return (
        select(Review.user_id, Review.question_id, func.count().label("failures"))
        .where(failed_answer(), *where)
        .group_by(Review.user_id, Review.question_id)
        .having(func.count() >= LEECH_FAILURES)
        .subquery()
    )
