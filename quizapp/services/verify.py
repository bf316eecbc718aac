"""Replaying review logs through the scheduling core to check the stored card states."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardState, Review
from quizapp.scheduling.card import CardSnapshot, apply_answer


@dataclass(frozen=True)
class Mismatch:
    """A card whose stored state disagrees with its replayed review log."""

    user_id: int
    question_id: int
    message: str

    def __str__(self) -> str:
        return f"user {self.user_id}, question {self.question_id}: {self.message}"


def _sm2_fields(card: CardSnapshot) -> tuple[int, int, int, int, int]:
    return (
        card.repetitions,
        card.easiness_hundredths,
        card.interval_days,
        card.lapses,
        card.review_count,
    )


def _replay(
    user_id: int, question_id: int, reviews: list[Review], card: CardState | None
) -> Iterator[Mismatch]:
    state: CardSnapshot | None = None
    for review in reviews:
        if state is None:
            if review.mode != "new":
                yield Mismatch(user_id, question_id, f"first review {review.id} is not a new card")
            state = CardSnapshot.new(review.study_day)
        logged_before = (
            review.repetitions_before,
            review.easiness_before,
            review.interval_before,
            review.lapses_before,
        )
        if logged_before != _sm2_fields(state)[:4]:
            yield Mismatch(
                user_id,
                question_id,
                f"review {review.id} starts from a state the log never reached",
            )
        # An interview date may have pulled the due day in, and the log does not keep that
        # date: replay without it and accept any due day from tomorrow up to the SM-2 one.
        after = apply_answer(state, review.mode, review.grade, today=review.study_day)  # type: ignore[arg-type]
        logged_after = (
            review.repetitions_after,
            review.easiness_after,
            review.interval_after,
            review.lapses_after,
        )
        if logged_after != _sm2_fields(after)[:4]:
            yield Mismatch(
                user_id,
                question_id,
                f"review {review.id} logs {logged_after}, replay gives {_sm2_fields(after)[:4]}",
            )
        due = review.due_after
        if not (
            due == after.due_day or review.study_day + timedelta(days=1) <= due < after.due_day
        ):
            yield Mismatch(
                user_id, question_id, f"review {review.id} due {due}, replay gives {after.due_day}"
            )
        after = replace(after, due_day=due)
        state = after
    if card is None:
        if state is not None:
            yield Mismatch(user_id, question_id, "reviews exist but the card state is missing")
        return
    if state is None:
        yield Mismatch(user_id, question_id, "a card state exists with no reviews")
        return
    stored = CardSnapshot(
        card.repetitions,
        card.easiness,
        card.interval_days,
        card.due_day,
        card.lapses,
        card.review_count,
    )
    if stored != state:
        yield Mismatch(user_id, question_id, f"stored {stored}, replay gives {state}")


def verify_reviews(user_id: int | None = None) -> Iterator[Mismatch]:
    """Replay every review log (of one user, or all) and yield each disagreement."""
    stmt = select(Review).order_by(
        Review.user_id, Review.question_id, Review.reviewed_at, Review.id
    )
    cards_stmt = select(CardState).order_by(CardState.user_id, CardState.question_id)
    if user_id is not None:
        stmt = stmt.where(Review.user_id == user_id)
        cards_stmt = cards_stmt.where(CardState.user_id == user_id)
    cards = {(c.user_id, c.question_id): c for c in db.session.scalars(cards_stmt)}
    group: list[Review] = []
    key: tuple[int, int] | None = None
    for review in db.session.scalars(stmt.execution_options(yield_per=1000)):
        current = (review.user_id, review.question_id)
        if key is not None and current != key:
            yield from _replay(*key, group, cards.pop(key, None))
            group = []
        key = current
        group.append(review)
    if key is not None:
        yield from _replay(*key, group, cards.pop(key, None))
    for (uid, qid), card in cards.items():
        yield from _replay(uid, qid, [], card)
