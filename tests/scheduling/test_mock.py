"""The mock interview planner: fills the time, interleaves topics, prefers open questions."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling.mock import (
    FILL_SHARE,
    MAX_QUESTIONS,
    MockCandidate,
    plan_mock,
    topic_weight,
)
from quizapp.vocabulary import Difficulty, QuestionType

TYPES = list(QuestionType)
LEVELS = list(Difficulty)

candidate_lists = st.lists(
    st.builds(
        MockCandidate,
        question_id=st.integers(1, 10_000),
        topic_id=st.integers(1, 5),
        type=st.sampled_from(TYPES),
        difficulty=st.sampled_from(LEVELS),
    ),
    max_size=120,
    unique_by=lambda c: c.question_id,
)


@given(
    candidates=candidate_lists,
    weights=st.dictionaries(st.integers(1, 5), st.floats(0.1, 5), min_size=1),
    minutes=st.sampled_from([15, 30, 45]),
    seed=st.integers(0, 2**32),
)
def test_plan_properties(candidates, weights, minutes, seed) -> None:
    plan = plan_mock(candidates, weights, minutes, random.Random(seed))
    ids = [c.question_id for c in plan]
    assert len(ids) == len(set(ids)) <= MAX_QUESTIONS
    assert all(c in candidates and c.topic_id in weights for c in plan)
    assert sum(c.guide_seconds for c in plan) <= FILL_SHARE * minutes * 60
    # Interleaved: a topic repeats only when no other topic had a question left that fit, or
    # (to keep open questions the majority) no other topic had an open one that fit.
    budget = FILL_SHARE * minutes * 60
    for index in range(1, len(plan)):
        before, after = plan[index - 1], plan[index]
        if before.topic_id != after.topic_id:
            continue
        used = sum(p.guide_seconds for p in plan[:index])
        fits = [
            c
            for c in candidates
            if c.topic_id in weights
            and c.topic_id != after.topic_id
            and c not in plan[:index]
            and used + c.guide_seconds <= budget
        ]
        assert not fits or (after.is_open and not any(c.is_open for c in fits))


def test_open_questions_are_the_majority_when_there_are_enough() -> None:
    candidates = [
        MockCandidate(i, 1 + i % 3, QuestionType.EXPLAIN if i % 2 else QuestionType.TRUE_FALSE,
                      Difficulty.EASY)
        for i in range(1, 200)
    ]  # fmt: skip
    for seed in range(20):
        plan = plan_mock(candidates, {1: 1.0, 2: 2.0, 3: 3.0}, 30, random.Random(seed))
        opened = sum(c.is_open for c in plan)
        assert Fraction(opened, len(plan)) > Fraction(1, 2)
        assert {c.topic_id for c in plan} == {1, 2, 3}


def test_weak_topics_are_asked_more_often() -> None:
    candidates = [
        MockCandidate(i, 1 + i % 4, QuestionType.SHORT_ANSWER, Difficulty.EASY)
        for i in range(1, 401)
    ]
    asked = {1: 0, 2: 0, 3: 0, 4: 0}
    for seed in range(50):
        for c in plan_mock(candidates, {1: 5.0, 2: 1.0, 3: 1.0, 4: 1.0}, 45, random.Random(seed)):
            asked[c.topic_id] += 1
    # Never twice in a row, so at most every other question; still the most asked.
    assert asked[1] > max(asked[2], asked[3], asked[4])


def test_fifteen_minutes_fill_with_guide_times() -> None:
    candidates = [
        MockCandidate(i, 1 + i % 2, QuestionType.EXPLAIN, Difficulty.MEDIUM) for i in range(40)
    ]
    plan = plan_mock(candidates, {1: 1.0, 2: 1.0}, 15, random.Random(1))
    # 90 s each, 80% of 900 s: 8 questions, alternating topics.
    assert len(plan) == 8
    assert [c.topic_id for c in plan[::2]] == [plan[0].topic_id] * 4


@pytest.mark.parametrize("minutes", [0, 10, 60, -15])
def test_only_the_offered_lengths(minutes) -> None:
    with pytest.raises(ValueError, match="minutes"):
        plan_mock([], {1: 1.0}, minutes, random.Random(0))


@pytest.mark.parametrize(
    ("weakness", "readiness", "weight"), [(0, 100, 1.0), (100, 0, 5.0), (50, 50, 3.0)]
)
def test_topic_weight(weakness, readiness, weight) -> None:
    assert topic_weight(weakness, readiness) == weight
    with pytest.raises(ValueError):
        topic_weight(101, 0)
