"""Indexed queries that feed the pure queue builder, and today's counts for a user."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import date
from typing import Any, Final, TypeVar

from sqlalchemy import (
    BindParameter,
    Date,
    Float,
    Integer,
    Row,
    and_,
    bindparam,
    cast,
    exists,
    func,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select

from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, Topic, User, UserExcludedTopic
from quizapp.scheduling.queue import DueCard, NewCard, new_quota
from quizapp.scheduling.sm2 import easiness_from_hundredths
from quizapp.vocabulary import ANSWER_MODES, ReviewMode

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


# The queue's statements are built once and kept (building them cost more than running
# them); these parameters carry the values of each call.
_USER: Final = bindparam("user_id", type_=Integer)
_TODAY: Final = bindparam("today", type_=Date)
_CHOSEN: Final = bindparam("topic_ids", type_=Integer, expanding=True)


def _in_topics(
    topic: ColumnElement[int] | InstrumentedAttribute[int], chosen: bool
) -> ColumnElement[bool]:
    """The chosen topics (:topic_ids), or else the topics the user studies."""
    if chosen:
        # Topics asked for by name ("Study this") count even if the daily choice leaves them out.
        return topic.in_(_CHOSEN)
    # NOT IN an uncorrelated subquery: the database reads the user's few excluded topics once,
    # not once per card as a correlated NOT EXISTS would.
    return topic.not_in(
        select(UserExcludedTopic.topic_id).where(UserExcludedTopic.user_id == _USER)
    )


def _params(user_id: int, topic_ids: Collection[int] | None, **more: Any) -> dict[str, Any]:
    """The parameters of a queue statement built with ``chosen=topic_ids is not None``."""
    chosen = {} if topic_ids is None else {"topic_ids": list(topic_ids)}
    return {"user_id": user_id, **chosen, **more}


def _restrict(stmt: SelectT, chosen: bool) -> SelectT:
    """Active questions of the chosen topics, or of the user's studied topics."""
    return stmt.where(Question.active.is_(True), _in_topics(Question.topic_id, chosen))


def _due(chosen: bool) -> list[ColumnElement[bool]]:
    """The user's cards due by :today, of active questions in these topics (card columns only)."""
    return [
        CardState.user_id == _USER,
        CardState.due_day <= _TODAY,
        CardState.suspended.is_(False),
        CardState.question_active.is_(True),
        _in_topics(CardState.topic_id, chosen),
    ]


def _unseen(user_id: int | BindParameter[int]) -> ColumnElement[bool]:
    return ~exists().where(CardState.user_id == user_id, CardState.question_id == Question.id)


def _overdue_ratio(dialect: str) -> ColumnElement[Any]:
    """SQL for (:today - due_day) / max(interval_days, 1), the queue's review order.

    As a double it orders exactly like the pure core's Fraction for any day counts below
    65,536 (distinct ratios of such integers differ by more than one ulp).
    """
    if dialect == "sqlite":
        days = func.julianday(_TODAY) - func.julianday(CardState.due_day)
        return days / func.max(CardState.interval_days, 1)
    days = cast(_TODAY - CardState.due_day, Float)
    return days / func.greatest(CardState.interval_days, 1)


@functools.cache
def _due_statement(dialect: str, chosen: bool, limited: bool) -> Select[Any]:
    cards = select(
        CardState.question_id,
        CardState.due_day,
        CardState.interval_days,
        CardState.easiness,
        CardState.topic_id,
    ).where(*_due(chosen))
    if limited:
        cards = cards.order_by(
            _overdue_ratio(dialect).desc(), CardState.easiness, CardState.question_id
        ).limit(bindparam("limit", type_=Integer))
    # The topic names are joined to the cards taken, not to every due card; the order of the
    # rows is the pure builder's to make (it sorts them by the same key, exactly).
    due = cards.subquery()
    return select(
        due.c.question_id, due.c.due_day, due.c.interval_days, due.c.easiness, Topic.slug
    ).join(Topic, Topic.id == due.c.topic_id)


def due_cards(
    user_id: int, today: date, topic_ids: Collection[int] | None = None, limit: int | None = None
) -> list[DueCard]:
    """The user's cards due on or before today, read from one covering index (ix_card_states_queue).

    The card's copies of its question's topic and active flag stand in for the question, so
    the questions table is never read. With `limit`, only the first `limit` in the queue's own
    order (most overdue relative to the interval, then lower EF, then question id): the
    database sorts the due cards and the app loads only the ones the queue can take, not every
    overdue card after a long break.
    """
    statement = _due_statement(db.engine.dialect.name, topic_ids is not None, limit is not None)
    rows = db.session.execute(statement, _params(user_id, topic_ids, today=today, limit=limit))
    return [
        DueCard(qid, due, interval, easiness_from_hundredths(ef), topic)
        for qid, due, interval, ef, topic in rows
    ]


# Topics per statement of new_cards: a power of two (few distinct statements to cache), and
# well under SQLite's 500 terms of a compound SELECT.
_TOPICS_PER_STATEMENT: Final = 64


@functools.cache
def _topics_with_unseen(chosen: bool) -> Select[int, str, int, int]:
    return select(Topic.id, Topic.slug, Topic.bank_id, Topic.position).where(
        _in_topics(Topic.id, chosen),
        exists().where(Question.topic_id == Topic.id, Question.active.is_(True), _unseen(_USER)),
    )


@functools.cache
def _first_unseen(size: int) -> CompoundSelect[int, int, str, int]:
    """One statement: the first :quota unseen active questions of each of `size` topics.

    A UNION ALL of one index walk per topic in bank order (ix_questions_new_order) that stops
    at its LIMIT; a topic parameter left NULL matches nothing.
    """
    walks = [
        select(Question.id, Question.topic_id, Question.difficulty, Question.position)
        .where(
            Question.topic_id == bindparam(f"topic_{i}", type_=Integer),
            Question.active.is_(True),
            _unseen(_USER),
        )
        .order_by(Question.difficulty_rank, Question.position, Question.id)
        .limit(bindparam("quota", type_=Integer))
        .subquery()
        for i in range(size)
    ]
    return union_all(*(select(walk) for walk in walks))


def new_cards(user_id: int, limit: int, topic_ids: Collection[int] | None = None) -> list[NewCard]:
    """The unseen questions the round-robin can take (``new_quota``), in bank order per topic.

    The studied topics that still have an unseen active question (an EXISTS that stops at
    the first), then the first ``new_quota`` unseen questions of each (``_first_unseen``). So
    the work follows what the queue can take, not the size of the banks.
    """
    if limit <= 0:
        return []
    found = db.session.execute(
        _topics_with_unseen(topic_ids is not None), _params(user_id, topic_ids)
    )
    topics = {row.id: row for row in found}
    ids = sorted(topics)
    quota = new_quota(len(ids), limit)
    rows: list[Row[int, int, str, int]] = []
    for start in range(0, len(ids), _TOPICS_PER_STATEMENT):
        chunk = ids[start : start + _TOPICS_PER_STATEMENT]
        size = 1 << (len(chunk) - 1).bit_length()
        padded = chunk + [None] * (size - len(chunk))
        params = {f"topic_{i}": tid for i, tid in enumerate(padded)}
        statement = _first_unseen(size)
        rows += db.session.execute(statement, {**params, "user_id": user_id, "quota": quota}).all()
    return [
        NewCard(qid, topics[tid].slug, topics[tid].bank_id, topics[tid].position, diff, pos)
        for qid, tid, diff, pos in rows
    ]


def _counted(model: type[CardState] | type[Review] | type[Question]) -> Select[int]:
    return select(func.count()).select_from(model)


_NEW_TODAY: Final = _counted(CardState).where(
    CardState.user_id == _USER, CardState.introduced_day == _TODAY
)
_REVIEWS_TODAY: Final = _counted(Review).where(
    Review.user_id == _USER, Review.study_day == _TODAY, Review.mode == ReviewMode.REVIEW
)
# Both of today's counts in one statement, for the queue build.
_DONE_TODAY: Final = select(_NEW_TODAY.scalar_subquery(), _REVIEWS_TODAY.scalar_subquery())
_ANSWERED_TODAY: Final = _counted(Review).where(
    Review.user_id == _USER, Review.study_day == _TODAY, Review.mode.in_(ANSWER_MODES)
)


@functools.cache
def _count_due(chosen: bool) -> Select[int]:
    return _counted(CardState).where(*_due(chosen))


@functools.cache
def _count_unseen(chosen: bool) -> Select[int]:
    return _restrict(_counted(Question).where(_unseen(_USER)), chosen)


def _scalar(statement: Select[int], params: dict[str, Any]) -> int:
    return db.session.scalar(statement, params) or 0


def new_done_today(user_id: int, today: date) -> int:
    """New questions the user started today (index: card_states(user_id, introduced_day))."""
    return _scalar(_NEW_TODAY, {"user_id": user_id, "today": today})


def done_today(user_id: int, today: date) -> tuple[int, int]:
    """(new questions started today, scheduled reviews answered today) in one statement."""
    new, reviews = db.session.execute(_DONE_TODAY, {"user_id": user_id, "today": today}).one()
    return new, reviews


def answered_today(user_id: int, today: date) -> int:
    """All answers given today, re-asks and practice included."""
    return _scalar(_ANSWERED_TODAY, {"user_id": user_id, "today": today})


def count_due(user_id: int, today: date, topic_ids: Collection[int] | None = None) -> int:
    """How many of the user's cards are due today, before the daily cap."""
    return _scalar(_count_due(topic_ids is not None), _params(user_id, topic_ids, today=today))


def count_unseen(user_id: int, topic_ids: Collection[int] | None = None) -> int:
    """How many studied-topic questions the user has never seen."""
    return _scalar(_count_unseen(topic_ids is not None), _params(user_id, topic_ids))


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
