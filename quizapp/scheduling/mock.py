"""Building a mock interview: which questions, in what order, for how long.

A mock interview lasts ``MOCK_LENGTHS`` minutes. ``plan_mock`` fills that time with questions
whose guide times (``grading.guide_seconds``) add up to at most ``FILL_SHARE`` of it, leaving
room to read and think, and at most ``MAX_QUESTIONS``:

- Topics are drawn by weight (the caller weights weak and not-yet-ready topics higher; see
  ``topic_weight``); each draw lowers that topic's weight by ``REPEAT_DAMPING``, so the mix
  spreads over topics, and the same topic is never asked twice in a row while another topic
  still has a question that fits (interleaving), unless only this topic has an open question
  left and the majority rule below needs one.
- Within a topic, open questions (explain, short answer, numerical: the answer is produced,
  not recognised) come first while fewer than ``OPEN_SHARE`` of the questions so far are
  open; questions are otherwise drawn at random. A closed question is never added when it
  would leave open questions without a majority while an open one still fits (so open
  questions are the majority whenever there are enough of them).

The random source is a parameter, so a plan is reproducible from its seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from quizapp.scheduling.grading import guide_seconds
from quizapp.vocabulary import Difficulty, QuestionType

__all__ = [
    "FILL_SHARE",
    "MAX_QUESTIONS",
    "MOCK_LENGTHS",
    "OPEN_SHARE",
    "OPEN_TYPES",
    "MockCandidate",
    "plan_mock",
    "topic_weight",
]

MOCK_LENGTHS: Final = (15, 30, 45)
FILL_SHARE: Final = Fraction(4, 5)
MAX_QUESTIONS: Final = 40
OPEN_SHARE: Final = Fraction(3, 5)
REPEAT_DAMPING: Final = 0.5
OPEN_TYPES: Final = frozenset(
    {QuestionType.EXPLAIN, QuestionType.SHORT_ANSWER, QuestionType.NUMERICAL}
)


@dataclass(frozen=True, slots=True)
class MockCandidate:
    """A question that may be asked: its topic, type and difficulty."""

    question_id: int
    topic_id: int
    type: QuestionType
    difficulty: Difficulty

    @property
    def guide_seconds(self) -> int:
        """The soft time suggested for this question."""
        return guide_seconds(self.type, self.difficulty)

    @property
    def is_open(self) -> bool:
        """True when the answer is produced rather than picked."""
        return self.type in OPEN_TYPES


def topic_weight(weakness: int, readiness: int) -> float:
    """A topic's draw weight: 1, plus up to 2 for weakness and up to 2 for missing readiness."""
    if not 0 <= weakness <= 100 or not 0 <= readiness <= 100:
        raise ValueError("weakness and readiness are percentages from 0 to 100")
    return 1 + 2 * weakness / 100 + 2 * (100 - readiness) / 100


def _draw_topic(
    weights: dict[int, float],
    pools: Mapping[int, list[MockCandidate]],
    last: int | None,
    rng: random.Random,
) -> int | None:
    left = [t for t in sorted(weights) if pools[t]]
    if not left:
        return None
    # Interleave: another topic first whenever there is one.
    others = [t for t in left if t != last] or left
    return rng.choices(others, weights=[weights[t] for t in others])[0]


def plan_mock(
    candidates: Sequence[MockCandidate],
    topic_weights: Mapping[int, float],
    minutes: int,
    rng: random.Random,
) -> list[MockCandidate]:
    """The questions of a mock interview in the order they are asked (module docstring)."""
    if minutes not in MOCK_LENGTHS:
        raise ValueError(f"a mock interview lasts {MOCK_LENGTHS} minutes, not {minutes!r}")
    if any(w <= 0 or not math.isfinite(w) for w in topic_weights.values()):
        raise ValueError("topic weights must be positive")
    pools: dict[int, list[MockCandidate]] = {}
    for candidate in candidates:
        if candidate.topic_id in topic_weights:
            pools.setdefault(candidate.topic_id, []).append(candidate)
    for pool in pools.values():
        rng.shuffle(pool)
    weights = {t: float(topic_weights[t]) for t in pools}
    budget = FILL_SHARE * minutes * 60
    plan: list[MockCandidate] = []
    used = 0
    last: int | None = None
    while len(plan) < MAX_QUESTIONS:
        topic = _draw_topic(weights, pools, last, rng)
        if topic is None:
            break
        fits = [c for c in pools[topic] if used + c.guide_seconds <= budget]
        if not fits:
            pools[topic] = []  # nothing of this topic fits in the time left
            continue
        opened = sum(1 for c in plan if c.is_open)
        want_open = opened < OPEN_SHARE * (len(plan) + 1)
        pick = next((c for c in fits if c.is_open == want_open), fits[0])
        if not pick.is_open and 2 * opened <= len(plan) + 1:
            # A closed question here would cost open questions their majority: take an open
            # one from another topic if any fits.
            others = [
                c
                for t in sorted(pools)
                for c in pools[t]
                if c.is_open and used + c.guide_seconds <= budget
            ]
            others.sort(key=lambda c: c.topic_id == last)
            if others:
                pick = others[0]
                topic = pick.topic_id
        pool = pools[topic]
        pool.remove(pick)
        plan.append(pick)
        used += pick.guide_seconds
        weights[topic] *= REPEAT_DAMPING
        last = topic
    return plan
