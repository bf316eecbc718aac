"""The only code that writes card states and reviews: answering, undoing, adjusting a grade.

Each public function is one transaction. Every write is conditional, so a re-posted form, a
second tab or a back button can never apply an answer twice:

- the session item is claimed with ``UPDATE ... WHERE answered_at IS NULL``;
- an existing card is updated with ``WHERE version = :seen`` (optimistic concurrency), and the
  version the question was shown with must still be current;
- a new card is inserted under the unique (user, question) constraint.
Any of these failing rolls the whole answer back and raises ``AnswerConflict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.clock import utcnow
from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, StudySessionItem, User
from quizapp.scheduling.card import CardSnapshot, apply_answer
from quizapp.scheduling.grading import (
    allowed_adjustments,
    auto_grade,
    choices_correct,
    fast_threshold_seconds,
    short_answer_correct,
)
from quizapp.scheduling.queue import DEFAULT_REASK_GAP, reask_position
from quizapp.scheduling.sm2 import PASSING_GRADE, needs_reask, validate_grade
from quizapp.services.study import get_item, get_session, last_answered_item, today_for


class AnswerConflict(Exception):
    """The answer was already applied, or the card changed since it was shown."""


class InvalidAnswer(ValueError):
    """The submitted answer cannot be graded (says why)."""


class NotFound(LookupError):
    """No such item or session for this user."""


class NothingToUndo(LookupError):
    """The session has no answer to take back."""


@dataclass(frozen=True)
class AnswerInput:
    """What the user submitted for one question."""

    grade: int | None = None
    selected: tuple[int, ...] = ()
    text: str | None = None
    truth: bool | None = None
    guessed: bool = False
    almost: bool = False
    elapsed_ms: int | None = None


@dataclass(frozen=True)
class Graded:
    """An answer's grade, whether it was right, and the response to log."""

    grade: int
    correct: bool
    response: dict[str, Any]


def correct_choice_indexes(question: Question) -> set[int]:
    """Indexes (in bank order) of a choice question's correct choices."""
    return {i for i, choice in enumerate(question.choices) if choice.get("correct")}


def grade_answer(question: Question, given: AnswerInput) -> Graded:
    """Grade an answer by the documented rules (quizapp.scheduling.grading)."""
    if question.type == "flashcard":
        if given.grade is None:
            raise InvalidAnswer("Choose a grade from 0 to 5.")
        try:
            grade = validate_grade(given.grade)
        except ValueError as exc:
            raise InvalidAnswer("A grade is a whole number from 0 to 5.") from exc
        return Graded(grade, grade >= PASSING_GRADE, {"grade": grade})
    if question.type in ("single_choice", "multiple_choice"):
        if not given.selected:
            raise InvalidAnswer("Pick an answer first.")
        if any(i < 0 or i >= len(question.choices) for i in given.selected):
            raise InvalidAnswer("That choice is not one of this question's choices.")
        if question.type == "single_choice" and len(given.selected) != 1:
            raise InvalidAnswer("Pick exactly one answer.")
        correct = choices_correct(set(given.selected), correct_choice_indexes(question))
        response: dict[str, Any] = {"selected": sorted(set(given.selected))}
    elif question.type == "true_false":
        if given.truth is None:
            raise InvalidAnswer("Choose true or false.")
        correct = given.truth is bool(question.answer)
        response = {"answer": given.truth}
    elif question.type == "short_answer":
        text = (given.text or "").strip()
        if not text:
            raise InvalidAnswer("Type an answer first.")
        if len(text) > 500:
            raise InvalidAnswer("Answers are at most 500 characters.")
        correct = short_answer_correct(text, question.accepted)
        response = {"text": text}
    else:  # pragma: no cover - the importer only stores known types
        raise InvalidAnswer(f"unknown question type {question.type!r}")
    elapsed = given.elapsed_ms / 1000 if given.elapsed_ms is not None else None
    threshold = fast_threshold_seconds(question.type, question.difficulty)
    grade = auto_grade(
        correct,
        elapsed,
        threshold,
        guessed=given.guessed and correct,
        almost=given.almost and not correct,
    )
    return Graded(grade, correct, response)


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


def _card_for(user_id: int, question_id: int) -> CardState | None:
    return db.session.scalar(
        select(CardState).where(CardState.user_id == user_id, CardState.question_id == question_id)
    )


def _claim(item: StudySessionItem, now: datetime) -> None:
    claimed = db.session.execute(
        update(StudySessionItem)
        .where(StudySessionItem.id == item.id, StudySessionItem.answered_at.is_(None))
        .values(answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise AnswerConflict("This question was already answered.")


def _write_card(
    user: User,
    item: StudySessionItem,
    card: CardState | None,
    after: CardSnapshot,
    today: date,
    now: datetime,
) -> None:
    values = {
        "repetitions": after.repetitions,
        "easiness": after.easiness_hundredths,
        "interval_days": after.interval_days,
        "due_day": after.due_day,
        "lapses": after.lapses,
        "review_count": after.review_count,
        "last_reviewed_at": now,
    }
    if card is None:
        db.session.add(
            CardState(
                user_id=user.id,
                question_id=item.question_id,
                introduced_day=today,
                version=1,
                **values,
            )
        )
        db.session.flush()
        return
    changed = db.session.execute(
        update(CardState)
        .where(CardState.id == card.id, CardState.version == card.version)
        .values(version=CardState.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise AnswerConflict("This question changed in another tab; showing the current one.")


def _insert_reask(session: StudySession, item: StudySessionItem) -> None:
    # SM-2 rule 6: the failed item comes back later in this session. Only the next
    # DEFAULT_REASK_GAP + 1 pending keys can matter (fewer means it goes at the end), so only
    # those are loaded, not the whole rest of a long session.
    pending = db.session.scalars(
        select(StudySessionItem.sort_key)
        .where(
            StudySessionItem.session_id == session.id,
            StudySessionItem.answered_at.is_(None),
            StudySessionItem.id != item.id,
        )
        .order_by(StudySessionItem.sort_key)
        .limit(DEFAULT_REASK_GAP + 1)
    ).all()
    keys = [item.sort_key, *pending]
    index = reask_position(0, len(keys))
    if index >= len(keys):
        sort_key = keys[-1] + 1.0
    else:
        sort_key = (keys[index - 1] + keys[index]) / 2
    db.session.add(
        StudySessionItem(
            session_id=session.id,
            question_id=item.question_id,
            kind="reask",
            sort_key=sort_key,
            shuffle_seed=item.shuffle_seed ^ 0x5F3759DF,
            origin_item_id=item.id,
        )
    )


def _finish_if_done(session: StudySession, now: datetime) -> None:
    remaining = db.session.scalar(
        select(func.count())
        .select_from(StudySessionItem)
        .where(StudySessionItem.session_id == session.id, StudySessionItem.answered_at.is_(None))
    )
    session.finished_at = now if not remaining else None


def _apply(
    user: User,
    item: StudySessionItem,
    graded: Graded,
    elapsed_ms: int | None,
    seen_version: int | None,
) -> Review:
    session = db.session.get(StudySession, item.session_id)
    if session.finished_at is not None:
        raise AnswerConflict("This session has ended; start today's quiz again.")
    now = utcnow()
    today = today_for(user)
    _claim(item, now)
    card = _card_for(user.id, item.question_id)
    if seen_version is not None and (card.version if card else 0) != seen_version:
        raise AnswerConflict("This question changed in another tab; showing the current one.")
    before = card_snapshot(card) if card else CardSnapshot.new(today)
    after = apply_answer(
        before,
        item.kind,
        graded.grade,
        today=today,  # type: ignore[arg-type]
        interview_day=user.interview_date,
    )
    _write_card(user, item, card, after, today, now)
    review = Review(
        user_id=user.id,
        question_id=item.question_id,
        reviewed_at=now,
        study_day=today,
        mode=item.kind,
        grade=graded.grade,
        correct=graded.correct,
        response=graded.response,
        elapsed_ms=elapsed_ms,
        repetitions_before=before.repetitions,
        easiness_before=before.easiness_hundredths,
        interval_before=before.interval_days,
        due_before=card.due_day if card else None,
        lapses_before=before.lapses,
        repetitions_after=after.repetitions,
        easiness_after=after.easiness_hundredths,
        interval_after=after.interval_days,
        due_after=after.due_day,
        lapses_after=after.lapses,
    )
    db.session.add(review)
    db.session.flush()
    db.session.execute(
        update(StudySessionItem)
        .where(StudySessionItem.id == item.id)
        .values(review_id=review.id)
        .execution_options(synchronize_session=False)
    )
    if needs_reask(graded.grade):
        _insert_reask(session, item)
    db.session.flush()
    _finish_if_done(session, now)
    return review


def _commit_or_conflict() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AnswerConflict("This question was already answered.") from exc


def answer(user: User, item_id: int, given: AnswerInput, seen_version: int | None) -> Review:
    """Grade and apply one answer to the user's own session item, exactly once."""
    item = get_item(user, item_id)
    if item is None:
        raise NotFound(item_id)
    if item.answered_at is not None:
        raise AnswerConflict("This question was already answered.")
    question = db.session.get(Question, item.question_id)
    graded = grade_answer(question, given)
    try:
        review = _apply(user, item, graded, given.elapsed_ms, seen_version)
    except (AnswerConflict, IntegrityError) as exc:
        db.session.rollback()
        raise AnswerConflict(
            str(exc) if isinstance(exc, AnswerConflict) else "This question was already answered."
        ) from exc
    _commit_or_conflict()
    return review


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
    card = _card_for(user.id, review.question_id)
    if card is None:
        raise AnswerConflict("This card no longer exists.")
    if review.mode == "new":
        db.session.delete(card)
    else:
        previous = db.session.scalar(
            select(Review.reviewed_at)
            .where(
                Review.user_id == user.id,
                Review.question_id == review.question_id,
                Review.id != review.id,
            )
            .order_by(Review.reviewed_at.desc(), Review.id.desc())
            .limit(1)
        )
        restored = db.session.execute(
            update(CardState)
            .where(CardState.id == card.id, CardState.version == card.version)
            .values(
                repetitions=review.repetitions_before,
                easiness=review.easiness_before,
                interval_days=review.interval_before,
                due_day=review.due_before,
                lapses=review.lapses_before,
                review_count=CardState.review_count - 1,
                last_reviewed_at=previous,
                version=CardState.version + 1,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if restored != 1:
            raise AnswerConflict("This card changed in another tab; reload and try again.")
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
    db.session.delete(review)
    db.session.flush()
    session = db.session.get(StudySession, item.session_id)
    session.finished_at = None
    return review


def undo_last(user: User, session_id: int) -> StudySessionItem:
    """Take back the last answer of the user's session: card restored, review removed."""
    session = get_session(user, session_id)
    if session is None:
        raise NotFound(session_id)
    item = last_answered_item(session)
    if item is None:
        raise NothingToUndo("Nothing to undo in this session.")
    try:
        _take_back(user, item)
    except (AnswerConflict, NothingToUndo):
        db.session.rollback()
        raise
    _commit_or_conflict()
    db.session.refresh(item)
    return item


def adjust_grade(user: User, item_id: int, grade: int) -> Review:
    """Change the grade of the session's last answer within the documented rules."""
    item = get_item(user, item_id)
    if item is None:
        raise NotFound(item_id)
    session = db.session.get(StudySession, item.session_id)
    if item.review_id is None or last_answered_item(session) is not item:
        raise AnswerConflict("Only the last answer can be changed.")
    old = db.session.get(Review, item.review_id)
    question = db.session.get(Question, item.question_id)
    allowed = allowed_adjustments(None if question.type == "flashcard" else old.correct)
    if grade not in allowed:
        raise InvalidAnswer(f"That grade is not available here (choose from {list(allowed)}).")
    if grade == old.grade:
        return old
    graded = Graded(
        grade, old.correct if question.type != "flashcard" else grade >= PASSING_GRADE, old.response
    )
    elapsed = old.elapsed_ms
    try:
        _take_back(user, item)
        db.session.refresh(item)
        review = _apply(user, item, graded, elapsed, None)
    except (AnswerConflict, NothingToUndo, IntegrityError):
        db.session.rollback()
        raise
    _commit_or_conflict()
    return review


def card_action(user: User, question_id: int, action: str) -> bool:
    """Suspend, resume or reset the user's own card; False if they have no such card."""
    card = _card_for(user.id, question_id)
    if card is None:
        return False
    if action in ("suspend", "unsuspend"):
        changed = db.session.execute(
            update(CardState)
            .where(CardState.id == card.id, CardState.version == card.version)
            .values(suspended=action == "suspend", version=CardState.version + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    elif action == "reset":
        changed = _reset(user, card)
    else:
        raise ValueError(f"unknown card action {action!r}")
    if changed != 1:
        db.session.rollback()
        raise AnswerConflict("This card changed in another tab; reload and try again.")
    db.session.commit()
    return True


def _reset(user: User, card: CardState) -> int:
    # Logged like an answer (mode "reset") so that replaying the log explains the card.
    today = today_for(user)
    before = card_snapshot(card)
    after = apply_answer(before, "reset", 0, today=today)
    db.session.add(
        Review(
            user_id=user.id,
            question_id=card.question_id,
            reviewed_at=utcnow(),
            study_day=today,
            mode="reset",
            grade=0,
            correct=False,
            response=None,
            elapsed_ms=None,
            repetitions_before=before.repetitions,
            easiness_before=before.easiness_hundredths,
            interval_before=before.interval_days,
            due_before=before.due_day,
            lapses_before=before.lapses,
            repetitions_after=after.repetitions,
            easiness_after=after.easiness_hundredths,
            interval_after=after.interval_days,
            due_after=after.due_day,
            lapses_after=after.lapses,
        )
    )
    return db.session.execute(
        update(CardState)
        .where(CardState.id == card.id, CardState.version == card.version)
        .values(
            repetitions=after.repetitions,
            easiness=after.easiness_hundredths,
            interval_days=after.interval_days,
            due_day=after.due_day,
            suspended=False,
            version=CardState.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
