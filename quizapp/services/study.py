"""Study sessions: building today's sitting from the queue, and finding where a user is."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import joinedload

from quizapp.clock import utcnow
from quizapp.db import UTCDateTime, rows_changed
from quizapp.extensions import db
from quizapp.models import CardState, Question, StudySession, StudySessionItem, User
from quizapp.scheduling.queue import (
    QueueItem,
    QueueLimits,
    build_daily_queue,
    remaining_new,
    remaining_reviews,
)
from quizapp.scheduling.studyday import study_day
from quizapp.services import queue_data
from quizapp.vocabulary import ReviewMode, SessionMode

T = TypeVar("T")


def today_for(user: User) -> date:
    """The user's current study day."""
    return study_day(utcnow(), user.timezone, user.day_start_hour)


# "Study N more new questions today" asks for at most this many at once.
MAX_EXTRA_NEW: Final = 100


class QuizInProgress(Exception):
    """Starting this quiz would close an open one that still has questions (ask first)."""

    def __init__(self, session_id: int) -> None:
        super().__init__(f"session {session_id} is still open")
        self.session_id = session_id


def new_allowance(user: User, today: date) -> int:
    """Today's new-question limit: the setting plus any extra the user asked for today."""
    return user.new_per_day + (user.extra_new if user.extra_new_day == today else 0)


def _limits(user: User, today: date) -> QueueLimits:
    return QueueLimits(new_per_day=new_allowance(user, today), reviews_per_day=user.reviews_per_day)


def allow_more_new(user: User, more: int) -> None:
    """Let the user start `more` new questions today beyond those already started.

    The extra is stored with its study day (users.extra_new_day), so it survives a reload,
    counts against today only and is gone tomorrow; the new_per_day setting is unchanged.
    Asking again counts from what has been started by then, not from the last request.
    """
    if not 1 <= more <= MAX_EXTRA_NEW:
        raise ValueError(f"more must be 1 to {MAX_EXTRA_NEW}, got {more}")
    today = today_for(user)
    started = queue_data.new_done_today(user.id, today)
    user.extra_new = max(0, started - user.new_per_day) + more
    user.extra_new_day = today
    db.session.commit()


def _shuffle_seed() -> int:
    return secrets.randbelow(2**31 - 1)


def open_session(user: User, mode: SessionMode = SessionMode.DAILY) -> StudySession | None:
    """The user's unfinished session of today in this mode, if any."""
    return db.session.scalar(
        select(StudySession)
        .where(
            StudySession.user_id == user.id,
            StudySession.study_day == today_for(user),
            StudySession.mode == mode,
            StudySession.finished_at.is_(None),
        )
        .order_by(StudySession.id.desc())
        .limit(1)
    )


def daily_queue(user: User, today: date, topic_ids: list[int] | None = None) -> list[QueueItem]:
    """Today's queue for the user: the indexed queries feed the pure builder (no writes)."""
    limits = _limits(user, today)
    new_done, reviews_done = queue_data.done_today(user.id, today)
    return build_daily_queue(
        today=today,
        # Only the reviews the queue can take, in its order (the database sorts them).
        due=queue_data.due_cards(
            user.id, today, topic_ids, limit=remaining_reviews(limits, reviews_done)
        ),
        new=queue_data.new_cards(user.id, remaining_new(limits, new_done), topic_ids),
        limits=limits,
        new_done_today=new_done,
        reviews_done_today=reviews_done,
        user_id=user.id,
    )


def start_daily_session(
    user: User, topic_ids: Collection[int] | None = None, *, replace: bool = False
) -> StudySession | None:
    """Resume today's open session with these topics, or build a new one; None if nothing is due.

    An open session with other topics and questions still to answer (re-asks included) is
    only closed with `replace`; otherwise QuizInProgress lets the view ask the user first.
    When nothing can be started, an open session is left as it is.
    """
    today = today_for(user)
    wanted = sorted(set(topic_ids)) if topic_ids else None
    current = open_session(user)
    pending = next_item(current) if current is not None else None
    if current is not None and pending is not None:
        if current.topic_ids == wanted:
            return current
        if not replace:
            raise QuizInProgress(current.id)
    queue = daily_queue(user, today, wanted)
    if current is not None and (queue or pending is None):
        current.finished_at = utcnow()
    if not queue:
        db.session.commit()
        return None
    return _create_session(
        user,
        today,
        SessionMode.DAILY,
        [(item.question_id, item.kind) for item in queue],
        topic_ids=wanted,
    )


@dataclass(frozen=True)
class OpenQuiz:
    """An unfinished daily quiz: what starting another one would close."""

    session_id: int
    topic_ids: list[int] | None
    left: int
    reasks: int
    answered: int


def open_quiz(user: User) -> OpenQuiz | None:
    """Today's open daily quiz with questions left, with its counts (None if there is none)."""
    session = open_session(user)
    if session is None:
        return None
    counts = session_progress(session)
    left = counts.total - counts.answered
    if left <= 0:
        return None
    return OpenQuiz(session.id, session.topic_ids, left, counts.coming_back, counts.answered)


def start_practice_session(user: User, question_ids: list[int]) -> StudySession | None:
    """Start a practice session over the given questions (weak topics); None if empty."""
    if not question_ids:
        return None
    current = open_session(user, SessionMode.PRACTICE)
    if current is not None:
        current.finished_at = utcnow()
    return _create_session(
        user,
        today_for(user),
        SessionMode.PRACTICE,
        [(qid, ReviewMode.PRACTICE) for qid in question_ids],
    )


def _create_session(
    user: User,
    today: date,
    mode: SessionMode,
    items: list[tuple[int, ReviewMode]],
    topic_ids: list[int] | None = None,
) -> StudySession:
    # One transaction: the session and its items, in the given order.
    session = StudySession(
        user_id=user.id, study_day=today, mode=mode, topic_ids=topic_ids, started_at=utcnow()
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(
        StudySessionItem(
            session_id=session.id,
            question_id=question_id,
            kind=kind,
            sort_key=float(position + 1),
            shuffle_seed=_shuffle_seed(),
        )
        for position, (question_id, kind) in enumerate(items)
    )
    db.session.commit()
    return session


_GET_SESSION: Final = select(StudySession).where(
    StudySession.id == bindparam("session_id", type_=Integer),
    StudySession.user_id == bindparam("user_id", type_=Integer),
)


def get_session(user: User, session_id: int) -> StudySession | None:
    """The user's own session with this id (None for anyone else's)."""
    return db.session.scalar(_GET_SESSION, {"session_id": session_id, "user_id": user.id})


def get_item(user: User, item_id: int) -> StudySessionItem | None:
    """The user's own session item with this id (None for anyone else's)."""
    found = get_item_and_session(user, item_id)
    return found[0] if found else None


def get_item_and_session(user: User, item_id: int) -> tuple[StudySessionItem, StudySession] | None:
    """The user's own session item with this id and its session, in one query.

    An item (and session) this unit of work still holds is not selected again: answering used
    to select the item twice.
    """
    item = _loaded(StudySessionItem, item_id)
    session = _loaded(StudySession, item.session_id) if item is not None else None
    if item is not None and session is not None and session.user_id == user.id:
        return item, session
    row = db.session.execute(
        select(StudySessionItem, StudySession)
        .join(StudySession, StudySession.id == StudySessionItem.session_id)
        .where(StudySessionItem.id == item_id, StudySession.user_id == user.id)
    ).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class ItemToAnswer:
    """An item of the user's own session with what answering it reads: its question and the
    user's card for that question (None if never answered), as they were before the answer.

    The unit of work keeps the item, session and question while they are referenced, so the
    answer that follows reads none of them again.
    """

    item: StudySessionItem
    session: StudySession
    question: Question
    card: CardState | None


# The user's card for the item's question (the statement joins the item and its session).
_ITEMS_CARD: Final = and_(
    CardState.user_id == StudySession.user_id,
    CardState.question_id == StudySessionItem.question_id,
)
# Not waiting: a re-ask waits until its not_before while other items remain.
_READY_NOW: Final = or_(
    StudySessionItem.not_before.is_(None),
    StudySessionItem.not_before <= bindparam("now", type_=UTCDateTime),
)

# Built once, as the other statements of every request: built per call, this four-table
# statement took 243 us to build and run, against 77 us to run once built.
_ITEM_TO_ANSWER: Final = (
    select(StudySessionItem, StudySession, Question, CardState)
    .join(StudySession, StudySession.id == StudySessionItem.session_id)
    .join(Question, Question.id == StudySessionItem.question_id)
    .outerjoin(CardState, _ITEMS_CARD)
    .where(
        StudySessionItem.id == bindparam("item_id", type_=Integer),
        StudySession.user_id == bindparam("user_id", type_=Integer),
    )
)


def item_to_answer(user: User, item_id: int) -> ItemToAnswer | None:
    """The user's own item with its session, question and card, in one query (None if not
    theirs)."""
    row = db.session.execute(_ITEM_TO_ANSWER, {"item_id": item_id, "user_id": user.id}).first()
    return ItemToAnswer(*row) if row else None


# The question page's session, its next ready item, that item's question (with the topic the
# page names) and the user's card, in one statement: three round trips were one per GET.
_NEXT_READY_ID: Final = (
    select(StudySessionItem.id)
    .where(
        StudySessionItem.session_id == StudySession.id,
        StudySessionItem.answered_at.is_(None),
        _READY_NOW,
    )
    .order_by(StudySessionItem.sort_key, StudySessionItem.id)
    .limit(1)
    .correlate(StudySession)
    .scalar_subquery()
)
# The session's progress counts (SessionProgress's first three), from the counts index.
_SESSION_COUNTS: Final = (
    func.count(StudySessionItem.answered_at),
    func.count(),
    func.count().filter(
        StudySessionItem.kind == ReviewMode.REASK, StudySessionItem.answered_at.is_(None)
    ),
)
_COUNTS_OF_SESSION: Final = (
    select(*(column.label(f"count_{i}") for i, column in enumerate(_SESSION_COUNTS)))
    .where(StudySessionItem.session_id == bindparam("session_id", type_=Integer))
    .subquery("session_counts")
)
_NEXT_TO_SHOW: Final = (
    select(StudySession, StudySessionItem, Question, CardState, *_COUNTS_OF_SESSION.c)
    .select_from(StudySession)
    .outerjoin(StudySessionItem, StudySessionItem.id == _NEXT_READY_ID)
    .outerjoin(Question, Question.id == StudySessionItem.question_id)
    .outerjoin(CardState, _ITEMS_CARD)
    # One row of counts: joined on nothing, as a cross join.
    .join(_COUNTS_OF_SESSION, true())
    .options(joinedload(Question.topic))
    .where(
        StudySession.id == bindparam("session_id", type_=Integer),
        StudySession.user_id == bindparam("user_id", type_=Integer),
    )
)


@dataclass(frozen=True)
class NextToShow:
    """The question page's reads: the session, its progress and the next item ready now."""

    session: StudySession
    progress: SessionProgress
    # None when no item is ready now (see ``next_item`` for re-asks still waiting).
    shown: ItemToAnswer | None


def next_to_show(user: User, session_id: int) -> NextToShow | None:
    """The user's own session, its progress and its next ready item with the question and
    card, in one statement (None if not their session)."""
    params = {"session_id": session_id, "user_id": user.id, "now": utcnow()}
    row = db.session.execute(_NEXT_TO_SHOW, params).first()
    if row is None:
        return None
    session, item, question, card, *counts = row
    shown = ItemToAnswer(item, session, question, card) if item is not None else None
    return NextToShow(session, SessionProgress(*counts), shown)


def _loaded(model: type[T], ident: int) -> T | None:
    """The object with this primary key if this unit of work already holds it (no SQL)."""
    found = db.session.identity_map.get(db.session.identity_key(model, ident))
    return found if isinstance(found, model) else None


_PENDING: Final = (
    select(StudySessionItem)
    .where(
        StudySessionItem.session_id == bindparam("session_id", type_=Integer),
        StudySessionItem.answered_at.is_(None),
    )
    .order_by(StudySessionItem.sort_key, StudySessionItem.id)
    .limit(1)
)
# In the order of ix_study_session_items_pending, so the first ready entry ends the search.
_NEXT_READY: Final = _PENDING.where(_READY_NOW)


def next_item(session: StudySession) -> StudySessionItem | None:
    """The first unanswered item of a session: items ready now before re-asks still waiting."""
    params = {"session_id": session.id, "now": utcnow()}
    ready = db.session.scalar(_NEXT_READY, params)
    # Only re-asks still waiting remain: the first of them, in session order.
    return ready if ready is not None else db.session.scalar(_PENDING, params)


def finish_session(user: User, session_id: int) -> int | None:
    """End the user's session now: unanswered items are dropped, nothing is scheduled.

    Returns how many items were dropped, or None if it is not the user's session. Due cards
    stay due and new questions stay new, so they come back in a later quiz.
    """
    session = get_session(user, session_id)
    if session is None:
        return None
    dropped = rows_changed(
        delete(StudySessionItem)
        .where(StudySessionItem.session_id == session.id, StudySessionItem.answered_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    if session.finished_at is None:
        session.finished_at = utcnow()
    db.session.commit()
    return dropped


def last_answered_item(session: StudySession) -> StudySessionItem | None:
    """The most recently answered item of a session (what undo would take back)."""
    return db.session.scalar(
        select(StudySessionItem)
        .where(StudySessionItem.session_id == session.id, StudySessionItem.answered_at.is_not(None))
        .order_by(StudySessionItem.answered_at.desc(), StudySessionItem.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class SessionProgress:
    """Where a user is in a session."""

    answered: int
    total: int
    coming_back: int
    # The re-asks of the item asked about (``session_progress(..., reasks_of=item)``).
    reasks: int = 0
    reasks_answered: int = 0
    # How many times the item's question is in this session (its first showing included).
    showings: int = 0

    @property
    def position(self) -> int:
        """The 1-based number of the question being shown."""
        return min(self.answered + 1, self.total)


_ORIGIN: Final = StudySessionItem.origin_item_id == bindparam("origin_id", type_=Integer)
_PROGRESS: Final = select(
    *_SESSION_COUNTS,
    func.count().filter(_ORIGIN),
    func.count(StudySessionItem.answered_at).filter(_ORIGIN),
    func.count().filter(StudySessionItem.question_id == bindparam("question_id", type_=Integer)),
).where(StudySessionItem.session_id == bindparam("session_id", type_=Integer))


def session_progress(
    session: StudySession, reasks_of: StudySessionItem | None = None
) -> SessionProgress:
    """Counts for the progress indicator (and one item's re-asks), in one query."""
    # Without an item, NULL parameters match nothing: its three counts are 0.
    params = {
        "session_id": session.id,
        "origin_id": reasks_of.id if reasks_of else None,
        "question_id": reasks_of.question_id if reasks_of else None,
    }
    return SessionProgress(*db.session.execute(_PROGRESS, params).one())


def mock_over(now: datetime) -> ColumnElement[bool]:
    """SQL: the session (a mock interview) takes no more answers at ``now``."""
    return or_(
        StudySession.finished_at.is_not(None),
        and_(StudySession.ends_at.is_not(None), StudySession.ends_at <= now),
    )


def running_mock_reviews(user_id: int, now: datetime) -> Select[int | None]:
    """The review ids of the user's mock interviews still running: hidden until the report."""
    return (
        select(StudySessionItem.review_id)
        .join(StudySession, StudySession.id == StudySessionItem.session_id)
        .where(
            StudySession.user_id == user_id,
            StudySession.mode == SessionMode.MOCK,
            StudySessionItem.review_id.is_not(None),
            ~mock_over(now),
        )
    )
