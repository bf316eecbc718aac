"""The domain's words as types: question types, review modes, session kinds and statuses.

Every stored code is a member of one of these enums. The columns that hold them carry a
CHECK constraint built from the same enum (``check_in``), so the database refuses a value the
code does not know. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

__all__ = [
    "ANSWER_MODES",
    "CARD_ACTIONS",
    "CHOICE_TYPES",
    "Difficulty",
    "JobStatus",
    "OutboxStatus",
    "QuestionType",
    "ReviewMode",
    "SCHEDULED_MODES",
    "SessionMode",
    "check_in",
]


class QuestionType(StrEnum):
    """How a question is asked and graded; each has one grader and one template partial."""

    FLASHCARD = "flashcard"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    MATCHING = "matching"
    NUMERICAL = "numerical"
    EXPLAIN = "explain"

    @property
    def has_choices(self) -> bool:
        """True for the types answered by picking among choices."""
        return self in CHOICE_TYPES

    @property
    def self_graded(self) -> bool:
        """True when the user grades the answer (no automatic right/wrong)."""
        return self in (QuestionType.FLASHCARD, QuestionType.EXPLAIN)


CHOICE_TYPES: Final = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})


class Difficulty(StrEnum):
    """A question's difficulty as the bank declares it."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class ReviewMode(StrEnum):
    """Why a review row was written: an answer of some kind, or a user's reset of a card."""

    REVIEW = "review"  # first answer of the day to a due card
    NEW = "new"  # first answer ever
    REASK = "reask"  # SM-2 rule 6: asked again later in the same session
    PRACTICE = "practice"  # practice on a card that is not due
    MOCK = "mock"  # an answer in a mock interview to a card already studied
    RESET = "reset"  # not an answer: the user started the card over
    REQUEUE = "requeue"  # not an answer: the user made the card due today (after a mock)


# Rows of the review log that record a user's action on a card rather than an answer.
CARD_ACTIONS: Final = frozenset({ReviewMode.RESET, ReviewMode.REQUEUE})
# Answers, as opposed to card actions: every statistic counts these only; session items have
# one of these kinds, and an answer is logged with its item's kind as its mode.
ANSWER_MODES: Final = frozenset(m for m in ReviewMode if m not in CARD_ACTIONS)
# Answers that are scheduled (not same-session re-asks): lapses and leeches use these.
# Accuracy comes in two kinds, named the same on every page:
# - first-try accuracy: right answers among the scheduled ones, i.e. each question's first
#   answer of a sitting (re-asks of a question missed minutes ago are not counted);
# - all-answers accuracy: right answers among every answer, re-asks included.
SCHEDULED_MODES: Final = frozenset(
    {ReviewMode.REVIEW, ReviewMode.NEW, ReviewMode.PRACTICE, ReviewMode.MOCK}
)


class SessionMode(StrEnum):
    """What a study session was started for."""

    DAILY = "daily"
    PRACTICE = "practice"
    MOCK = "mock"  # a timed mock interview: no feedback until the end


class JobStatus(StrEnum):
    """The state of one job run's claim on its period."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    """The state of one outgoing message (or of the decision not to send one)."""

    PENDING = "pending"  # waiting for the sender
    SENDING = "sending"  # claimed by a sender until its lease ends
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    SKIPPED = "skipped"  # the day's decision was "no message"


def check_in(column: str, values: Iterable[StrEnum]) -> str:
    """SQL for a CHECK constraint: ``column`` holds one of ``values`` (an enum or a subset)."""
    listed = ", ".join(sorted(f"'{member.value}'" for member in values))
    return f"{column} IN ({listed})"
