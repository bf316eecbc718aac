"""Replaying review logs through the scheduling core to check the stored card states."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardState, Review, User
from quizapp.scheduling.card import CardSnapshot, apply_answer
from quizapp.services.cards import card_snapshot
from quizapp.vocabulary import ReviewMode


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


def _logged(review: Review, when: str) -> tuple[int, ...]:
    """(repetitions, easiness, interval, lapses) the review logged ``before`` or ``after``."""
    fields = ("repetitions", "easiness", "interval", "lapses")
    return tuple(getattr(review, f"{name}_{when}") for name in fields)


def _replay(
    user_id: int, question_id: int, reviews: list[Review], card: CardState | None
) -> Iterator[Mismatch]:
    state: CardSnapshot | None = None
    for review in reviews:
        if state is None:
            # A card starts with its first answer, or with a requeue of a question never seen.
            if review.mode not in (ReviewMode.NEW, ReviewMode.REQUEUE):
                yield Mismatch(user_id, question_id, f"first review {review.id} is not a new card")
            state = CardSnapshot.new(review.study_day)
        if _logged(review, "before") != _sm2_fields(state)[:4]:
            yield Mismatch(
                user_id,
                question_id,
                f"review {review.id} starts from a state the log never reached",
            )
        # An interview date may have pulled the due day in, and the log does not keep that
        # date: replay without it and accept any due day from tomorrow up to the SM-2 one.
        after = apply_answer(state, review.mode, review.grade, today=review.study_day)
        logged_after = _logged(review, "after")
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
    stored = card_snapshot(card)
    if stored != state:
        yield Mismatch(user_id, question_id, f"stored {stored}, replay gives {state}")


def verify_reviews(user_id: int | None = None) -> Iterator[Mismatch]:
    """Replay every review log (of one user, or all) and yield each disagreement."""
    if user_id is not None:
        yield from _verify_user(user_id)
        return
    # One user at a time, so memory is bounded by the largest user, not the whole database.
    for uid in db.session.scalars(select(User.id).order_by(User.id)).all():
        yield from _verify_user(uid)


def _verify_user(user_id: int) -> Iterator[Mismatch]:
    cards = {
        c.question_id: c
        for c in db.session.scalars(select(CardState).where(CardState.user_id == user_id))
    }
    stmt = (
        select(Review)
        .where(Review.user_id == user_id)
        .order_by(Review.question_id, Review.reviewed_at, Review.id)
        .execution_options(yield_per=1000)
    )
    group: list[Review] = []
    question_id: int | None = None
    for review in db.session.scalars(stmt):
        if question_id is not None and review.question_id != question_id:
            yield from _replay(user_id, question_id, group, cards.pop(question_id, None))
            group = []
        question_id = review.question_id
        group.append(review)
    if question_id is not None:
        yield from _replay(user_id, question_id, group, cards.pop(question_id, None))
    for qid, card in cards.items():
        yield from _replay(user_id, qid, [], card)
