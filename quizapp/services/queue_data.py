"""Indexed queries that feed the pure queue builder, and today's counts for a user."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Date, Float, and_, case, cast, exists, func, literal, select
from sqlalchemy.sql import ColumnElement, Select

from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, Topic, User, UserExcludedTopic
from quizapp.scheduling.queue import DIFFICULTY_ORDER, DueCard, NewCard
from quizapp.scheduling.sm2 import easiness_from_hundredths
from quizapp.vocabulary import ANSWER_MODES, ReviewMode

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")

_DIFFICULTY_RANK = case(DIFFICULTY_ORDER, value=Question.difficulty, else_=len(DIFFICULTY_ORDER))


def _not_excluded(user_id: int) -> ColumnElement[bool]:
    return ~exists().where(
        UserExcludedTopic.user_id == user_id, UserExcludedTopic.topic_id == Question.topic_id
    )


def _restrict(stmt: SelectT, user_id: int, topic_ids: Collection[int] | None) -> SelectT:
    """Active questions of the given topics, or of the user's studied topics (None)."""
    stmt = stmt.where(Question.active.is_(True))
    if topic_ids is None:
        return stmt.where(_not_excluded(user_id))
    # Topics asked for by name ("Study this") count even if the daily choice leaves them out.
    return stmt.where(Question.topic_id.in_(list(topic_ids)))


def _overdue_ratio(today: date) -> ColumnElement[Any]:
    """SQL for (today - due_day) / max(interval_days, 1), the queue's review order.

    As a double it orders exactly like the pure core's Fraction for any day counts below
    65,536 (distinct ratios of such integers differ by more than one ulp).
    """
    if db.engine.dialect.name == "sqlite":
        days = func.julianday(today.isoformat()) - func.julianday(CardState.due_day)
        return days / func.max(CardState.interval_days, 1)
    days = cast(literal(today, Date) - CardState.due_day, Float)
    return days / func.greatest(CardState.interval_days, 1)


def due_cards(
    user_id: int, today: date, topic_ids: Collection[int] | None = None, limit: int | None = None
) -> list[DueCard]:
    """The user's cards due on or before today (index: card_states(user_id, due_day)).

    With `limit`, only the first `limit` in the queue's own order (most overdue relative to
    the interval, then lower EF, then question id): the database sorts the due cards and the
    app loads only the ones the queue can take, not every overdue card after a long break.
    """
    stmt = (
        select(
            CardState.question_id,
            CardState.due_day,
            CardState.interval_days,
            CardState.easiness,
            Topic.slug,
        )
        .join(Question, Question.id == CardState.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .where(
            CardState.user_id == user_id, CardState.due_day <= today, CardState.suspended.is_(False)
        )
    )
    if limit is not None:
        stmt = stmt.order_by(
            _overdue_ratio(today).desc(), CardState.easiness, CardState.question_id
        ).limit(limit)
    rows = db.session.execute(_restrict(stmt, user_id, topic_ids)).all()
    return [
        DueCard(qid, due, interval, easiness_from_hundredths(ef), topic)
        for qid, due, interval, ef, topic in rows
    ]


def new_cards(user_id: int, limit: int, topic_ids: Collection[int] | None = None) -> list[NewCard]:
    """The first `limit` questions the user has never seen in each studied topic, in bank order.

    The queue interleaves new questions across topics, so it may take up to `limit` from any
    one topic; a window function numbers each topic's unseen questions and only the first
    `limit` of each are loaded (at most `limit` x topics rows, whatever the size of a bank).
    """
    if limit <= 0:
        return []
    seen = exists().where(CardState.user_id == user_id, CardState.question_id == Question.id)
    turn = (
        func.row_number()
        .over(
            partition_by=Question.topic_id,
            order_by=(_DIFFICULTY_RANK, Question.position, Question.id),
        )
        .label("turn")
    )
    numbered = _restrict(
        select(
            Question.id.label("id"),
            Topic.slug.label("slug"),
            Question.bank_id.label("bank_id"),
            Topic.position.label("topic_position"),
            Question.difficulty.label("difficulty"),
            Question.position.label("position"),
            turn,
        )
        .join(Topic, Topic.id == Question.topic_id)
        .where(~seen),
        user_id,
        topic_ids,
    ).subquery()
    c = numbered.c
    rows = db.session.execute(
        select(c.id, c.slug, c.bank_id, c.topic_position, c.difficulty, c.position)
        .where(c.turn <= limit)
        .order_by(c.bank_id, c.topic_position, c.turn)
    ).all()
    return [NewCard(qid, slug, bank, tpos, diff, pos) for qid, slug, bank, tpos, diff, pos in rows]


def _count(model: type[CardState] | type[Review], *where: ColumnElement[bool]) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def new_done_today(user_id: int, today: date) -> int:
    """New questions the user started today (index: card_states(user_id, introduced_day))."""
    return _count(CardState, CardState.user_id == user_id, CardState.introduced_day == today)


def reviews_done_today(user_id: int, today: date) -> int:
    """Scheduled reviews answered today (index: reviews(user_id, study_day))."""
    return _count(
        Review,
        Review.user_id == user_id,
        Review.study_day == today,
        Review.mode == ReviewMode.REVIEW,
    )


def answered_today(user_id: int, today: date) -> int:
    """All answers given today, re-asks and practice included."""
    return _count(
        Review,
        Review.user_id == user_id,
        Review.study_day == today,
        Review.mode.in_(ANSWER_MODES),
    )


def count_due(user_id: int, today: date, topic_ids: Collection[int] | None = None) -> int:
    """How many of the user's cards are due today, before the daily cap."""
    stmt = (
        select(func.count())
        .select_from(CardState)
        .join(Question, Question.id == CardState.question_id)
        .where(
            CardState.user_id == user_id, CardState.due_day <= today, CardState.suspended.is_(False)
        )
    )
    return db.session.scalar(_restrict(stmt, user_id, topic_ids)) or 0


def count_unseen(user_id: int, topic_ids: Collection[int] | None = None) -> int:
    """How many studied-topic questions the user has never seen."""
    seen = exists().where(CardState.user_id == user_id, CardState.question_id == Question.id)
    stmt = select(func.count()).select_from(Question).where(~seen)
    return db.session.scalar(_restrict(stmt, user_id, topic_ids)) or 0


def studied_topics(user: User) -> list[tuple[Topic, bool, int]]:
    """Every topic with active questions: (topic, studied by the user, question count)."""
    excluded = select(UserExcludedTopic.topic_id).where(UserExcludedTopic.user_id == user.id)
    rows = db.session.execute(
        select(Topic, Topic.id.in_(excluded), func.count(Question.id))
        .join(Question, and_(Question.topic_id == Topic.id, Question.active.is_(True)))
        .group_by(Topic.id)
        .order_by(Topic.bank_id, Topic.position)
    ).all()
    return [(topic, not is_excluded, count) for topic, is_excluded, count in rows]
