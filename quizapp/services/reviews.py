"""The only code that writes card states and reviews: answering, undoing, adjusting a grade.

Each public function is one transaction. Every write is conditional, so a re-posted form, a
second tab or a back button can never apply an answer twice:

- the session item is claimed with ``UPDATE ... WHERE answered_at IS NULL``;
- an existing card is updated with ``WHERE version = :seen`` (optimistic concurrency), and the
  version the question was shown with must still be current;
- a new card is inserted under the unique (user, question) constraint.
Any of these failing rolls the whole answer back and raises ``AnswerConflict``. So an answer
reads and computes everything first and its transaction only writes (on SQLite the write
lock is taken at the first write): the review, the claim (which also says whether the session
has anything left), the card, then a re-ask or the session's end.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar

from sqlalchemy import (
    Date,
    Integer,
    Update,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from quizapp.clock import utcnow
from quizapp.db import UTCDateTime, rows_changed, table_of
from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, StudySessionItem, User
from quizapp.scheduling.card import CardSnapshot, apply_answer
from quizapp.scheduling.grading import (
    AnswerKey,
    InvalidSubmission,
    Submission,
    Verdict,
    adjusted_verdict,
    grade_submission,
)
from quizapp.scheduling.queue import reask_plan, reask_position
from quizapp.scheduling.sm2 import needs_reask
from quizapp.services.cards import card_for, card_snapshot, question_copies
from quizapp.services.study import (
    ItemToAnswer,
    get_item,
    get_session,
    last_answered_item,
    today_for,
)
from quizapp.vocabulary import ANSWER_MODES, Difficulty, QuestionType, ReviewMode, SessionMode

T = TypeVar("T")

_CARD_CHANGED = "This card changed in another tab; reload and try again."
_MOCK_FINAL = "Answers in a mock interview are final, as in a real interview."


class AnswerConflict(Exception):
    """The answer was already applied, or the card changed since it was shown."""


class InvalidAnswer(ValueError):
    """The submitted answer cannot be graded (says why)."""


class TimeUp(AnswerConflict):
    """A mock interview's time is over; the server's clock decides, not the page."""


class NotFound(LookupError):
    """No such item or session for this user."""


class NothingToUndo(LookupError):
    """The session has no answer to take back."""


def answer_key(question: Question) -> AnswerKey:
    """The grading side of a stored question."""
    pairs = question.matching_pairs()
    return AnswerKey(
        type=QuestionType(question.type),
        difficulty=Difficulty(question.difficulty),
        choice_count=len(question.choices),
        correct_choices=frozenset(
            i for i, choice in enumerate(question.choices) if choice.get("correct")
        ),
        truth=question.answer if isinstance(question.answer, bool) else None,
        accepted=tuple(question.accepted),
        # Options are the right-hand sides in stored order; each left-hand item's is its own.
        matches=tuple(i for i, pair in enumerate(pairs) if pair.left),
        options=len(pairs),
        ranges=tuple((r.low, r.high) for r in question.number_ranges()),
        point_count=len(question.key_points),
    )


# The writes and reads of every answer are built once, with bound parameters; the writes on
# the tables themselves (db.table_of).
_ITEMS: Final = table_of(StudySessionItem)
_CARDS: Final = table_of(CardState)
_OTHER_ITEM: Final = _ITEMS.alias("other_item")
# Whether the claimed item's session has anything else to answer, read by the claim itself:
# one statement fewer per answer. The claimed row is left out by its id, so it does not
# matter whether the subquery sees it before or after the update. Bound parameters, not a
# correlation: SQLite's RETURNING names no tables, so the outer row cannot be referred to.
_OTHERS_REMAIN: Final = exists().where(
    _OTHER_ITEM.c.session_id == bindparam("of_session", type_=Integer),
    _OTHER_ITEM.c.answered_at.is_(None),
    _OTHER_ITEM.c.id != bindparam("item_id", type_=Integer),
)
_CLAIM: Final = (
    update(_ITEMS)
    .where(
        _ITEMS.c.id == bindparam("item_id", type_=Integer),
        _ITEMS.c.answered_at.is_(None),
    )
    .values(
        answered_at=bindparam("now", type_=UTCDateTime),
        review_id=bindparam("review", type_=Integer),
    )
    .returning(_OTHERS_REMAIN)
)
_SESSIONS: Final = table_of(StudySession)
_FINISH: Final = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("session_id", type_=Integer))
    .values(finished_at=bindparam("now", type_=UTCDateTime))
)
# INSERTs as statements rather than ORM objects: no unit of work to flush (it was a tenth of
# an answer's CPU), and the row is written at once, in the order the docstring gives.
_REVIEWS: Final = table_of(Review)
_INSERT_REVIEW: Final = insert(_REVIEWS).returning(_REVIEWS.c.id)
_INSERT_CARD: Final = insert(_CARDS).values(
    **question_copies(bindparam("copy_question_id", type_=Integer)),
    introduced_day=bindparam("new_introduced_day", type_=Date),
    version=1,
)
_INSERT_ITEM: Final = insert(_ITEMS)
_REASKS_SO_FAR: Final = (
    select(func.count())
    .select_from(StudySessionItem)
    .where(
        StudySessionItem.session_id == bindparam("session_id", type_=Integer),
        StudySessionItem.question_id == bindparam("question_id", type_=Integer),
        StudySessionItem.kind == ReviewMode.REASK.value,
    )
)
_PENDING_KEYS: Final = (
    select(StudySessionItem.sort_key)
    .where(
        StudySessionItem.session_id == bindparam("session_id", type_=Integer),
        StudySessionItem.answered_at.is_(None),
        StudySessionItem.id != bindparam("item_id", type_=Integer),
    )
    .order_by(StudySessionItem.sort_key)
    .limit(bindparam("keys", type_=Integer))
)


def _claim(item: StudySessionItem, now: datetime, review_id: int | None = None) -> bool:
    """Mark the item answered (or passed); return whether others in its session remain."""
    others_remain = db.session.execute(
        _CLAIM,
        {"item_id": item.id, "of_session": item.session_id, "now": now, "review": review_id},
    ).scalar_one_or_none()
    if others_remain is None:
        raise AnswerConflict("This question was already answered.")
    return bool(others_remain)


@functools.cache
def _card_update(columns: tuple[str, ...]) -> Update:
    # One statement per set of columns written (an answer's, a reset's, a suspension's...).
    return (
        update(_CARDS)
        .where(
            _CARDS.c.id == bindparam("card_id", type_=Integer),
            _CARDS.c.version == bindparam("read_version", type_=Integer),
        )
        .values(
            version=_CARDS.c.version + 1,
            **{name: bindparam(f"new_{name}", type_=_CARDS.c[name].type) for name in columns},
        )
    )


def _update_card(card: CardState, conflict: str, **values: Any) -> None:
    # Every write to an existing card is conditional on the version it was read at.
    params = {f"new_{name}": value for name, value in values.items()}
    changed = rows_changed(
        _card_update(tuple(sorted(values))),
        {"card_id": card.id, "read_version": card.version, **params},
    )
    if changed != 1:
        raise AnswerConflict(conflict)


def _snapshot_values(after: CardSnapshot) -> dict[str, Any]:
    return {
        "repetitions": after.repetitions,
        "easiness": after.easiness_hundredths,
        "interval_days": after.interval_days,
        "due_day": after.due_day,
        "lapses": after.lapses,
        "review_count": after.review_count,
    }


def _write_card(
    user: User,
    question_id: int,
    card: CardState | None,
    after: CardSnapshot,
    today: date,
    now: datetime | None,
) -> None:
    """Write the card's state after an answer at ``now`` (None: not an answer, a requeue)."""
    values = {**_snapshot_values(after), "last_reviewed_at": now}
    if card is None:
        params = {"user_id": user.id, "question_id": question_id, "copy_question_id": question_id}
        db.session.execute(_INSERT_CARD, {**params, "new_introduced_day": today, **values})
        return
    _update_card(card, "This question changed in another tab; showing the current one.", **values)


def _log_review(
    user: User,
    question_id: int,
    mode: ReviewMode,
    verdict: Verdict,
    *,
    before: CardSnapshot,
    after: CardSnapshot,
    due_before: date | None,
    now: datetime,
    today: date,
    elapsed_ms: int | None,
) -> int:
    """Insert the review; return its id."""
    params = dict(
        user_id=user.id,
        question_id=question_id,
        reviewed_at=now,
        study_day=today,
        mode=mode,
        grade=verdict.grade,
        correct=verdict.correct,
        response=verdict.logged or None,
        elapsed_ms=elapsed_ms,
        repetitions_before=before.repetitions,
        easiness_before=before.easiness_hundredths,
        interval_before=before.interval_days,
        due_before=due_before,
        lapses_before=before.lapses,
        repetitions_after=after.repetitions,
        easiness_after=after.easiness_hundredths,
        interval_after=after.interval_days,
        due_after=after.due_day,
        lapses_after=after.lapses,
    )
    review_id: int = db.session.execute(_INSERT_REVIEW, params).scalar_one()
    return review_id


def _reask_row(
    session: StudySession, item: StudySessionItem, now: datetime
) -> dict[str, Any] | None:
    # SM-2 rule 6: the failed item comes back later in this session, within the limits of
    # queue.reask_plan (a capped number of times, spaced by items and by time). Read before
    # the answer's first write: only this session's items are read, and another tab's answer
    # landing in between could at most move the re-ask by one place.
    reasks_so_far = db.session.scalar(
        _REASKS_SO_FAR, {"session_id": session.id, "question_id": item.question_id}
    )
    plan = reask_plan(reasks_so_far or 0)
    if plan is None:
        return None
    # Only the next gap + 1 pending keys can matter (fewer means it goes at the end), so only
    # those are loaded, not the whole rest of a long session.
    pending = db.session.scalars(
        _PENDING_KEYS, {"session_id": session.id, "item_id": item.id, "keys": plan.gap + 1}
    ).all()
    keys = [item.sort_key, *pending]
    index = reask_position(0, len(keys), plan.gap)
    if index >= len(keys):
        sort_key = keys[-1] + 1.0
    else:
        sort_key = (keys[index - 1] + keys[index]) / 2
    return {
        "session_id": session.id,
        "question_id": item.question_id,
        "kind": ReviewMode.REASK.value,
        "sort_key": sort_key,
        "shuffle_seed": item.shuffle_seed ^ 0x5F3759DF,
        "origin_item_id": item.id,
        "not_before": now + timedelta(seconds=plan.delay_seconds),
    }


def _finish(session: StudySession, now: datetime) -> None:
    # Only called on an open session (check_open) whose last item was just claimed.
    db.session.execute(_FINISH, {"session_id": session.id, "now": now})


def check_open(session: StudySession, now: datetime) -> None:
    """Raise unless the session still takes answers (a mock interview's deadline included)."""
    if session.ends_at is not None and now >= session.ends_at:
        raise TimeUp(
            f"Time is up: this mock interview ended at {session.ends_at:%H:%M:%S} UTC, "
            "so answers after that are not counted."
        )
    if session.finished_at is not None:
        raise AnswerConflict("This session has ended; start today's quiz again.")


def _mode(item: StudySessionItem, card: CardState | None, today: date) -> ReviewMode:
    """How an item's answer is logged, given the card as it is now.

    A mock interview answer to a question never studied is that card's first answer, so it
    is scheduled as new; on a studied card it follows the practice rule (scheduling.card).
    A daily item planned as new whose card appeared since (answered in a mock interview, or
    requeued) is answered as a review when the card is due, otherwise as practice.
    """
    if item.kind == ReviewMode.MOCK and card is None:
        return ReviewMode.NEW
    if item.kind == ReviewMode.NEW and card is not None:
        return ReviewMode.REVIEW if card.due_day <= today else ReviewMode.PRACTICE
    return ReviewMode(item.kind)


def _apply(
    user: User,
    target: ItemToAnswer,
    verdict: Verdict,
    elapsed_ms: int | None,
    seen_version: int | None,
) -> int:
    item, session, card = target.item, target.session, target.card
    now = utcnow()
    check_open(session, now)
    today = today_for(user)
    # The card was read and SM-2 runs before the first write, so the write lock is held only
    # to write. The card's write is conditional on the version read, and a first card's INSERT
    # on the unique (user, question), so an answer that lands in between is still a conflict.
    if seen_version is not None and (card.version if card else 0) != seen_version:
        raise AnswerConflict("This question changed in another tab; showing the current one.")
    before = card_snapshot(card) if card else CardSnapshot.new(today)
    mode = _mode(item, card, today)
    after = apply_answer(
        before, mode, verdict.grade, today=today, interview_day=user.interview_date
    )
    # A mock interview asks each question once, like an interviewer.
    reask = None
    if needs_reask(verdict.grade) and item.kind != ReviewMode.MOCK:
        reask = _reask_row(session, item, now)
    review_id = _log_review(
        user,
        item.question_id,
        mode,
        verdict,
        before=before,
        after=after,
        due_before=card.due_day if card else None,
        now=now,
        today=today,
        elapsed_ms=elapsed_ms,
    )
    # The review's INSERT is the first write; the claim then links the item to it.
    others_remain = _claim(item, now, review_id)
    _write_card(user, item.question_id, card, after, today, now)
    if reask is not None:
        db.session.execute(_INSERT_ITEM, reask)
    elif not others_remain:
        _finish(session, now)
    return review_id


def _commit_or_conflict() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AnswerConflict("This question was already answered.") from exc


def _in_transaction(work: Callable[[], T]) -> T:
    """Run ``work()`` and commit; a conflict rolls all of it back and raises AnswerConflict."""
    try:
        result = work()
    except IntegrityError as exc:
        db.session.rollback()
        raise AnswerConflict("This question was already answered.") from exc
    except (AnswerConflict, NothingToUndo):
        db.session.rollback()
        raise
    _commit_or_conflict()
    return result


def answer(
    user: User,
    target: ItemToAnswer,
    given: Submission,
    seen_version: int | None,
    elapsed_ms: int | None = None,
) -> int:
    """Grade and apply one answer to the user's own session item, exactly once; the review's id.

    ``target`` is the item as ``study.item_to_answer`` read it for this user.
    """
    item = target.item
    if item.answered_at is not None:
        raise AnswerConflict("This question was already answered.")
    elapsed = elapsed_ms / 1000 if elapsed_ms is not None else None
    try:
        verdict = grade_submission(answer_key(target.question), given, elapsed)
    except InvalidSubmission as exc:
        raise InvalidAnswer(str(exc)) from exc
    return _in_transaction(lambda: _apply(user, target, verdict, elapsed_ms, seen_version))


def skip(item: StudySessionItem, session: StudySession) -> None:
    """Pass on a mock interview's item: claimed like an answer, with no review and no card."""

    def work() -> None:
        now = utcnow()
        check_open(session, now)
        if not _claim(item, now):
            _finish(session, now)

    _in_transaction(work)


def _take_back(user: User, item: StudySessionItem) -> Review:
    review = db.session.get(Review, item.review_id) if item.review_id else None
    if review is None:
        raise NothingToUndo("Nothing to undo.")
    latest = db.session.scalar(
        select(Review.id)
        .where(Review.user_id == user.id, Review.question_id == review.question_id)
        .order_by(Review.reviewed_at.desc(), Review.id.desc())
        .limit(1)
    )
    if latest != review.id:
        raise AnswerConflict("This question was answered again since; it can no longer be undone.")
    card = card_for(user.id, review.question_id)
    if card is None:
        raise AnswerConflict("This card no longer exists.")
    earlier = db.session.execute(
        select(Review.reviewed_at, Review.mode)
        .where(
            Review.user_id == user.id,
            Review.question_id == review.question_id,
            Review.id != review.id,
        )
        .order_by(Review.reviewed_at.desc(), Review.id.desc())
    ).all()
    if not earlier:
        # The card's only log row: without it there is no card.
        db.session.delete(card)
    else:
        # The last answer before this one (a requeue is not an answer).
        previous = next((at for at, mode in earlier if mode in ANSWER_MODES), None)
        _update_card(
            card,
            _CARD_CHANGED,
            repetitions=review.repetitions_before,
            easiness=review.easiness_before,
            interval_days=review.interval_before,
            due_day=review.due_before,
            lapses=review.lapses_before,
            # The count read with the version the write is conditional on.
            review_count=card.review_count - 1,
            last_reviewed_at=previous,
        )
    db.session.execute(
        delete(StudySessionItem)
        .where(StudySessionItem.origin_item_id == item.id, StudySessionItem.answered_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(StudySessionItem)
        .where(StudySessionItem.id == item.id)
        .values(answered_at=None, review_id=None)
        .execution_options(synchronize_session=False)
    )
    session = db.session.get_one(StudySession, item.session_id)
    session.finished_at = None
    db.session.delete(review)
    # All of the take-back is written now: an answer's writes that may follow in the same
    # transaction (adjust_grade) run on the tables, which do not flush the session first.
    db.session.flush()
    return review


def undo_last(user: User, session_id: int) -> StudySessionItem:
    """Take back the last answer of the user's session: card restored, review removed."""
    session = get_session(user, session_id)
    if session is None:
        raise NotFound(session_id)
    if session.mode == SessionMode.MOCK:
        raise AnswerConflict(_MOCK_FINAL)
    item = last_answered_item(session)
    if item is None:
        raise NothingToUndo("Nothing to undo in this session.")
    _in_transaction(lambda: _take_back(user, item))
    db.session.refresh(item)
    return item


def adjust_grade(user: User, item_id: int, grade: int) -> int:
    """Change the grade of the session's last answer within the documented rules; its id."""
    item = get_item(user, item_id)
    if item is None:
        raise NotFound(item_id)
    session = db.session.get_one(StudySession, item.session_id)
    if session.mode == SessionMode.MOCK:
        raise AnswerConflict(_MOCK_FINAL)
    if item.review_id is None or last_answered_item(session) is not item:
        raise AnswerConflict("Only the last answer can be changed.")
    old = db.session.get_one(Review, item.review_id)
    if grade == old.grade:
        return old.id
    question = db.session.get_one(Question, item.question_id)
    question_type = QuestionType(question.type)
    try:
        verdict = adjusted_verdict(
            question_type, Verdict(old.grade, old.correct, old.response or {}), grade
        )
    except InvalidSubmission as exc:
        raise InvalidAnswer(str(exc)) from exc
    elapsed = old.elapsed_ms

    def redo() -> int:
        _take_back(user, item)
        db.session.refresh(item)
        # The card as the take-back left it, read inside this transaction.
        card = card_for(user.id, item.question_id)
        return _apply(user, ItemToAnswer(item, session, question, card), verdict, elapsed, None)

    return _in_transaction(redo)


def card_action(user: User, question_id: int, action: str) -> bool:
    """Suspend, resume or reset the user's own card; False if they have no such card."""
    card = card_for(user.id, question_id)
    if card is None:
        return False
    if action not in ("suspend", "unsuspend", "reset"):
        raise ValueError(f"unknown card action {action!r}")

    def change() -> None:
        if action == "reset":
            _reset(user, card)
        else:
            _update_card(card, _CARD_CHANGED, suspended=action == "suspend")

    _in_transaction(change)
    return True


def _reset(user: User, card: CardState) -> None:
    # Logged like an answer (mode "reset") so that replaying the log explains the card.
    today = today_for(user)
    before = card_snapshot(card)
    after = apply_answer(before, ReviewMode.RESET, 0, today=today)
    _log_review(
        user,
        card.question_id,
        ReviewMode.RESET,
        Verdict(0, False, {}),
        before=before,
        after=after,
        due_before=before.due_day,
        now=utcnow(),
        today=today,
        elapsed_ms=None,
    )
    values = _snapshot_values(after)
    # A reset keeps the lapses and review count (apply_answer returns them unchanged).
    _update_card(card, _CARD_CHANGED, suspended=False, **values)


def requeue(user: User, question_ids: list[int]) -> int:
    """Make these cards due today (the user's "add what I missed"); returns how many changed.

    Logged with mode "requeue" so the log still explains every card. A card already due is
    left alone; a question never studied starts as a new card, due today.
    """

    def change() -> int:
        today = today_for(user)
        now = utcnow()
        changed = 0
        for question_id in dict.fromkeys(question_ids):
            card = card_for(user.id, question_id)
            if card is not None and card.due_day <= today:
                continue
            before = card_snapshot(card) if card else CardSnapshot.new(today)
            after = apply_answer(before, ReviewMode.REQUEUE, 0, today=today)
            _log_review(
                user,
                question_id,
                ReviewMode.REQUEUE,
                Verdict(0, False, {}),
                before=before,
                after=after,
                due_before=card.due_day if card else None,
                now=now,
                today=today,
                elapsed_ms=None,
            )
            if card is None:
                # Never answered: no last review time, introduced today.
                _write_card(user, question_id, None, after, today, None)
            else:
                _update_card(card, _CARD_CHANGED, due_day=after.due_day)
            changed += 1
        return changed

    return _in_transaction(change)
