"""The daily queue: which due reviews and new questions a user gets today, and in what order.

``build_daily_queue`` works only on the data passed in:

- Due reviews (``due_day <= today``) come first, most overdue relative to their interval first:
  ``overdue_ratio = (today - due_day) / max(interval_days, 1)``, descending, computed exactly
  as a ``Fraction``; ties go to the lower EF (the harder card), then to the lower question id,
  so the order is deterministic.
- At most ``remaining_reviews`` reviews are taken; the rest simply stay due for later days, so
  a backlog after a break never floods one day.
- Then at most ``remaining_new`` new questions. Without ``user_id`` they come in bank order:
  ``bank_order``, ``topic_order``, difficulty (easy, medium, hard), ``position``, question id.
  With ``user_id`` (the app always passes it) they are interleaved across the studied topics
  (``interleave_new``): each topic's cards stay in that bank order, and the topics take turns,
  round-robin, in an order shuffled by a generator seeded with the user id and the study day.
  So ten new questions over five topics are two from each, the same list on every reload of
  the day (and for a resumed session), a different topic first on another day or for another
  user; a topic that runs out simply drops out of the rotation.
- Reviews first, then new questions, not interleaved: it is simple and predictable, reviews
  are the urgent part, and if a session is cut short it is the new questions (which are not
  due) that wait.
- ``topics`` restricts both reviews and new questions to those topics; ``None`` means all.
- A question id that appears twice in the input is a caller bug and raises ``ValueError``.

What the app should load, so the builder never needs the whole history: only the user's cards
with ``due_day <= today`` (in the chosen topics), and for new questions, of the topics that
still have an unseen one, the first ``new_quota(...)`` unseen ones of each in bank order:
all the round-robin can take today (one per topic once there are ``remaining_new`` topics),
however large the bank. The app finds them with one index walk per topic that stops at its
quota. Due cards cannot be cut with a plain
LIMIT unless the SQL orders by the same overdue key: the app does exactly that (``ORDER BY``
the ratio as a double, which orders like the exact Fraction for day counts below 65,536, then
EF, then question id, with ``LIMIT remaining_reviews(...)``), so a backlog of thousands of due
cards costs one sorted index scan in the database instead of thousands of objects here.

Within a session, SM-2 rule 6 asks a failed item (grade below 4) again later the same day
until it scores at least 4, within limits so a session cannot grow without end
(``reask_plan``):

- A question is re-asked at most ``MAX_REASKS_PER_QUESTION`` (3) times per session, so it is
  shown at most 4 times; after that it simply waits for its SM-2 due day (tomorrow for a
  failure). A session of ``n`` questions therefore has at most ``4 n`` items.
- The k-th re-ask of a question (k = 1, 2, 3) goes ``DEFAULT_REASK_GAP * k`` items (3, 6, 9)
  after the one just answered, or at the end if fewer remain (``reask_position``: the answered
  item is still at ``current_index``, so the app does
  ``session.insert(reask_position(i, len(session), gap), session[i])``).
- It is also spaced by time: it is not shown before ``REASK_DELAY_SECONDS * 2 ** (k - 1)``
  seconds (60, 120, 240) after the failed answer while any other item is ready; the items
  ready now come first in queue order. Time spacing orders, it never
  blocks: when every remaining item is a re-ask still waiting, the first in queue order is
  shown, and the cap ends the loop.

Re-asks are not scheduled (see ``sm2``). The user may also end a session early: its
unanswered items are dropped and nothing is scheduled, so due cards stay due and new
questions stay new.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import zip_longest
from typing import Final

from quizapp.vocabulary import ReviewMode

__all__ = [
    "DIFFICULTY_ORDER",
    "DueCard",
    "NewCard",
    "QueueItem",
    "QueueLimits",
    "MAX_REASKS_PER_QUESTION",
    "REASK_DELAY_SECONDS",
    "ReaskPlan",
    "build_daily_queue",
    "interleave_new",
    "new_quota",
    "overdue_ratio",
    "reask_plan",
    "reask_position",
    "remaining_new",
    "remaining_reviews",
    "topic_turns",
]

DIFFICULTY_ORDER: Final[dict[str, int]] = {"easy": 0, "medium": 1, "hard": 2}
DEFAULT_REASK_GAP: Final = 3
MAX_REASKS_PER_QUESTION: Final = 3
REASK_DELAY_SECONDS: Final = 60


def _check_int(name: str, value: object, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class DueCard:
    """A card the user has learned, with its next due study day and SM-2 state."""

    question_id: int
    due_day: date
    interval_days: int
    easiness: Decimal
    topic: str

    def __post_init__(self) -> None:
        """Reject values the ordering cannot use."""
        _check_int("question_id", self.question_id, minimum=None)
        _check_int("interval_days", self.interval_days)


@dataclass(frozen=True, slots=True)
class NewCard:
    """A question the user has not studied yet, with its place in the bank."""

    question_id: int
    topic: str
    bank_order: int
    topic_order: int
    difficulty: str
    position: int

    def __post_init__(self) -> None:
        """Reject an unknown difficulty."""
        _check_int("question_id", self.question_id, minimum=None)
        if self.difficulty not in DIFFICULTY_ORDER:
            raise ValueError(f"difficulty must be easy, medium or hard, got {self.difficulty!r}")


@dataclass(frozen=True, slots=True)
class QueueLimits:
    """The user's daily limits on new questions and reviews."""

    new_per_day: int
    reviews_per_day: int

    def __post_init__(self) -> None:
        """Reject negative limits."""
        _check_int("new_per_day", self.new_per_day)
        _check_int("reviews_per_day", self.reviews_per_day)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One entry of the daily queue: a question id and whether it is a review or new."""

    question_id: int
    kind: ReviewMode

    def __post_init__(self) -> None:
        """Reject an unknown kind."""
        if self.kind not in (ReviewMode.REVIEW, ReviewMode.NEW):
            raise ValueError(f"kind must be 'review' or 'new', got {self.kind!r}")


def remaining_new(limits: QueueLimits, new_done_today: int) -> int:
    """Return how many new questions may still be started today (the SQL LIMIT for new ones)."""
    return max(0, limits.new_per_day - _check_int("new_done_today", new_done_today))


def remaining_reviews(limits: QueueLimits, reviews_done_today: int) -> int:
    """Return how many reviews may still be done today."""
    return max(0, limits.reviews_per_day - _check_int("reviews_done_today", reviews_done_today))


def overdue_ratio(today: date, due_day: date, interval_days: int) -> Fraction:
    """Return days overdue divided by the interval (at least 1), exactly; negative if not due."""
    _check_int("interval_days", interval_days)
    return Fraction((today - due_day).days, max(interval_days, 1))


# Below this many days (179 years), a ratio of day counts as a double orders exactly like the
# Fraction: distinct ratios differ by at least 2**-32, far more than the rounding at 2**16.
_EXACT_AS_FLOAT: Final = 2**16


def _review_keys(
    today: date, cards: list[DueCard]
) -> Callable[[DueCard], tuple[float | Fraction, Decimal, int]]:
    """The review order's sort key: the exact Fraction, or a double where that orders alike."""
    if all(
        abs((today - c.due_day).days) < _EXACT_AS_FLOAT and c.interval_days < _EXACT_AS_FLOAT
        for c in cards
    ):
        return lambda c: (
            -(today - c.due_day).days / max(c.interval_days, 1),
            c.easiness,
            c.question_id,
        )
    return lambda c: (-overdue_ratio(today, c.due_day, c.interval_days), c.easiness, c.question_id)


def _new_key(card: NewCard) -> tuple[int, int, int, int, int]:
    return (
        card.bank_order,
        card.topic_order,
        DIFFICULTY_ORDER[card.difficulty],
        card.position,
        card.question_id,
    )


def topic_turns(topics: Iterable[str], user_id: int, today: date) -> list[str]:
    """Return the topics in the order they take turns today: a shuffle seeded by user and day."""
    ordered = sorted(set(topics))
    # Not for security: a reproducible order, the same on every reload of the user's day.
    random.Random(f"{user_id}:{today.isoformat()}").shuffle(ordered)  # noqa: S311
    return ordered


def new_quota(topics: int, slots: int) -> int:
    """Return how many unseen cards of each topic the new part of ``slots`` places can need.

    ``topics`` counts the topics that each have at least one unseen card (T). Round-robin
    fills its first min(T, slots) places with one card from each of the first topics in turn
    order; a topic's m-th card (m >= 2) comes after that first round, at place T + m - 2 or
    later, which must be below ``slots``. So no topic gives more than ``slots - T + 1``.
    Every topic still gets at least one, so the turn order (a shuffle of the topics present)
    is the same as with every unseen card loaded, and so is the queue.
    """
    return max(1, slots - topics + 1) if slots > 0 else 0


def interleave_new(cards: Iterable[NewCard], user_id: int, today: date) -> list[NewCard]:
    """Return new cards round-robin over their topics (``topic_turns``), bank order within one."""
    per_topic: dict[str, list[NewCard]] = {}
    for card in sorted(cards, key=_new_key):
        per_topic.setdefault(card.topic, []).append(card)
    turns = [per_topic[topic] for topic in topic_turns(per_topic, user_id, today)]
    return [card for round_ in zip_longest(*turns) for card in round_ if card is not None]


def build_daily_queue(
    *,
    today: date,
    due: Iterable[DueCard],
    new: Iterable[NewCard],
    limits: QueueLimits,
    new_done_today: int,
    reviews_done_today: int,
    topics: Collection[str] | None = None,
    user_id: int | None = None,
) -> list[QueueItem]:
    """Return today's queue: capped due reviews (most overdue first), then capped new ones.

    With ``user_id`` the new ones are interleaved across topics (see the module docstring).
    """
    due_cards = list(due)
    new_cards = list(new)
    review_slots = remaining_reviews(limits, reviews_done_today)
    new_slots = remaining_new(limits, new_done_today)

    ids = [card.question_id for card in due_cards] + [card.question_id for card in new_cards]
    if len(set(ids)) != len(ids):
        raise ValueError("a question id appears more than once in due and new")

    wanted = None if topics is None else frozenset(topics)
    eligible = [
        card
        for card in due_cards
        if card.due_day <= today and (wanted is None or card.topic in wanted)
    ]
    reviews = sorted(eligible, key=_review_keys(today, eligible))[:review_slots]
    candidates = [card for card in new_cards if wanted is None or card.topic in wanted]
    fresh = (
        sorted(candidates, key=_new_key)
        if user_id is None
        else interleave_new(candidates, user_id, today)
    )[:new_slots]

    return [QueueItem(card.question_id, ReviewMode.REVIEW) for card in reviews] + [
        QueueItem(card.question_id, ReviewMode.NEW) for card in fresh
    ]


def reask_position(current_index: int, queue_length: int, gap: int = DEFAULT_REASK_GAP) -> int:
    """Return the index at which to re-insert a failed item so ``gap`` others come first."""
    _check_int("queue_length", queue_length, minimum=1)
    _check_int("current_index", current_index)
    if current_index >= queue_length:
        raise ValueError(
            f"current_index must be below queue_length {queue_length}, got {current_index}"
        )
    _check_int("gap", gap)
    return min(current_index + 1 + gap, queue_length)


@dataclass(frozen=True, slots=True)
class ReaskPlan:
    """Where a failed question goes back into the session: after ``gap`` items, not sooner
    than ``delay_seconds`` after the failed answer."""

    gap: int
    delay_seconds: int


def reask_plan(reasks_so_far: int) -> ReaskPlan | None:
    """Return where a question failed after ``reasks_so_far`` re-asks goes; None at the cap."""
    _check_int("reasks_so_far", reasks_so_far)
    if reasks_so_far >= MAX_REASKS_PER_QUESTION:
        return None
    return ReaskPlan(
        gap=DEFAULT_REASK_GAP * (reasks_so_far + 1),
        delay_seconds=REASK_DELAY_SECONDS * 2**reasks_so_far,
    )
