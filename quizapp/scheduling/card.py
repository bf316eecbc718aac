"""One answer's effect on a stored card: the single transition the service and the replay use.

A card is an SM-2 state plus the bookkeeping the app stores beside it. ``apply_answer`` says
how each kind of answer changes it:

- ``review`` and ``new``: the first answer of the day to a due or new card is scheduled with
  ``sm2.review``; the due day is the study day plus the interval, brought into the final days
  before the interview date when one is set (``practice.cap_due_for_interview``).
- ``reask``: SM-2 rule 6's same-day repeats change nothing but the review count.
- ``practice`` and ``mock``: ``practice.practice_review``; a failure resets the card and makes
  it due tomorrow, a success leaves the schedule alone. A mock interview answers early and
  without feedback, so it must not push a card further out; a forgotten card is still a lapse.
- ``reset``: not an answer but the user's "start this question over" (for leeches): SM-2 goes
  back to a new card's state (n = 0, EF 2.5, interval 0), due today; lapses and the review
  count are kept. It is logged like an answer so the log still explains every card state.
- ``requeue``: not an answer either but the user's "add what I missed to today's reviews"
  after a mock interview: the card becomes due today; nothing else changes. A card never
  answered starts in a new card's state, due today.

A lapse is a failed answer (grade below 3) to a card that had been answered before, in any
mode but ``reask``; a card's first answer failing is not a lapse, since nothing was forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from quizapp.scheduling.practice import cap_due_for_interview, practice_review
from quizapp.scheduling.sm2 import (
    DEFAULT_MAX_INTERVAL_DAYS,
    PASSING_GRADE,
    SM2State,
    easiness_from_hundredths,
    review,
    validate_grade,
)
from quizapp.vocabulary import ReviewMode

__all__ = ["CardSnapshot", "apply_answer", "is_failure"]


@dataclass(frozen=True, slots=True)
class CardSnapshot:
    """The stored fields of a card that an answer can change."""

    repetitions: int
    easiness_hundredths: int
    interval_days: int
    due_day: date
    lapses: int
    review_count: int

    @classmethod
    def new(cls, today: date) -> CardSnapshot:
        """Return the state of a card never answered, due today."""
        return cls(0, 250, 0, today, 0, 0)

    @property
    def sm2(self) -> SM2State:
        """The SM-2 part of the card."""
        return SM2State(
            self.repetitions, easiness_from_hundredths(self.easiness_hundredths), self.interval_days
        )


def is_failure(grade: int) -> bool:
    """A failed answer: a grade below SM-2's passing grade (lapses and leeches count these)."""
    return grade < PASSING_GRADE


def apply_answer(
    card: CardSnapshot,
    kind: ReviewMode | str,
    grade: int,
    *,
    today: date,
    interview_day: date | None = None,
    max_interval_days: int | None = DEFAULT_MAX_INTERVAL_DAYS,
) -> CardSnapshot:
    """Return the card after one answer of the given kind on study day ``today``."""
    q = validate_grade(grade)
    if kind not in set(ReviewMode):
        raise ValueError(f"unknown answer kind {kind!r}")
    if kind == ReviewMode.RESET:
        return replace(CardSnapshot.new(today), lapses=card.lapses, review_count=card.review_count)
    if kind == ReviewMode.REQUEUE:
        return replace(card, due_day=min(card.due_day, today))
    counted = replace(card, review_count=card.review_count + 1)
    if kind == ReviewMode.REASK:
        return counted
    lapsed = is_failure(q) and card.review_count > 0
    lapses = card.lapses + (1 if lapsed else 0)
    if kind in (ReviewMode.PRACTICE, ReviewMode.MOCK):
        if not is_failure(q):
            return counted
        state = practice_review(card.sm2, q, max_interval_days=max_interval_days)
    else:
        state = review(card.sm2, q, max_interval_days=max_interval_days)
    due = cap_due_for_interview(
        today=today,
        due_day=today + timedelta(days=state.interval_days),
        interview_day=interview_day,
    )
    return CardSnapshot(
        repetitions=state.repetitions,
        easiness_hundredths=state.easiness_hundredths,
        interval_days=state.interval_days,
        due_day=due,
        lapses=lapses,
        review_count=card.review_count + 1,
    )
