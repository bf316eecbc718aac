"""Practice mode and the interview date.

Practice answers (``practice_review``) are answers to cards outside the daily queue, which may
not be due yet:

- A failure (grade below 3) is a real lapse: the card is reset exactly as ``sm2.review`` does
  (n = 0, interval 1 day, EF unchanged), and the app sets its due day to today + 1.
- A success leaves the state unchanged, so practising a card early never pushes it further
  out; its due day stays where it was. The answer is still logged.

So after a practice failure the app sets the due day to today + 1 (even if the card was
already in the reset state n = 0, interval 1, which ``practice_review`` returns unchanged in
value); after a success it keeps the due day.

The interview date (``cap_due_for_interview``): while the interview is still ahead, a card due
after the day before the interview is brought forward to the first day of the final window
(``interview_day - final_days``), or to tomorrow if that is later, so every learned card comes
up at least once in the last days before the interview. The app applies it to each due day it
computes after a review. Cards due before the window are reviewed there and rescheduled, so
they too end up in the window. Only the due day moves; the SM-2 state is untouched.

Edge cases: no interview date, an interview today or in the past leave the due day unchanged
(pulling cards to after the interview would be pointless); an interview tomorrow brings later
cards to the interview day itself, the last chance to see them.

The interview plan (``plan_for_interview``): with ``days_left`` study days before the
interview (today included, the interview day not) and ``unseen`` questions never studied, the
current new-questions-per-day limit covers ``new_per_day * days_left`` of them; covering all
needs ``ceil(unseen / days_left)`` a day (at most ``MAX_NEW_PER_DAY``). No plan is made on the
interview day or after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from quizapp.scheduling.sm2 import (
    DEFAULT_MAX_INTERVAL_DAYS,
    PASSING_GRADE,
    SM2State,
    review,
)

__all__ = [
    "DEFAULT_FINAL_DAYS",
    "MAX_NEW_PER_DAY",
    "InterviewPlan",
    "cap_due_for_interview",
    "plan_for_interview",
    "practice_review",
]

MAX_NEW_PER_DAY: Final = 1000


@dataclass(frozen=True, slots=True)
class InterviewPlan:
    """Whether the new-question limit reaches every unseen question before the interview."""

    unseen: int
    days_left: int
    new_per_day: int
    needed_per_day: int

    @property
    def covered(self) -> int:
        """How many unseen questions the current limit reaches in time."""
        return min(self.unseen, self.new_per_day * self.days_left)

    @property
    def on_track(self) -> bool:
        """True when the current limit reaches them all."""
        return self.covered >= self.unseen


def plan_for_interview(unseen: int, days_left: int, new_per_day: int) -> InterviewPlan | None:
    """The plan for the study days left before the interview (module docstring); None on or
    after the interview day."""
    for name, value in (("unseen", unseen), ("days_left", days_left), ("new", new_per_day)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < 0
            and name != "days_left"
        ):
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if days_left <= 0:
        return None
    needed = min(MAX_NEW_PER_DAY, math.ceil(unseen / days_left))
    return InterviewPlan(unseen, days_left, new_per_day, needed)


DEFAULT_FINAL_DAYS: Final = 3


def practice_review(
    state: SM2State,
    grade: int,
    *,
    max_interval_days: int | None = DEFAULT_MAX_INTERVAL_DAYS,
) -> SM2State:
    """Return the state after a practice answer: reset on failure, unchanged on success."""
    # Calling review either way validates every argument the same way review does.
    lapsed = review(state, grade, max_interval_days=max_interval_days)
    return lapsed if grade < PASSING_GRADE else state


def cap_due_for_interview(
    *,
    today: date,
    due_day: date,
    interview_day: date | None,
    final_days: int = DEFAULT_FINAL_DAYS,
) -> date:
    """Return ``due_day``, brought into the final days before the interview if it falls later."""
    if isinstance(final_days, bool) or not isinstance(final_days, int) or final_days < 1:
        raise ValueError(f"final_days must be an int >= 1, got {final_days!r}")
    if interview_day is None or today >= interview_day:
        return due_day
    day_before_interview = interview_day - timedelta(days=1)
    if due_day <= day_before_interview:
        return due_day
    return max(today + timedelta(days=1), interview_day - timedelta(days=final_days))
