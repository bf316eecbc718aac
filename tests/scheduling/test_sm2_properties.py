"""Property tests of SM-2: invariants that hold for every grade sequence."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling.sm2 import (
    MIN_EASINESS,
    SM2State,
    easiness_from_hundredths,
    easiness_to_hundredths,
    review,
)

grades = st.integers(min_value=0, max_value=5)
passing_grades = st.integers(min_value=3, max_value=5)
failing_grades = st.integers(min_value=0, max_value=2)
caps = st.one_of(st.none(), st.integers(min_value=1, max_value=40_000))

states = st.builds(
    SM2State,
    repetitions=st.integers(min_value=0, max_value=60),
    easiness=st.integers(min_value=130, max_value=500).map(easiness_from_hundredths),
    interval_days=st.integers(min_value=0, max_value=50_000),
)


def reference_review(state: SM2State, grade: int, cap: int | None) -> SM2State:
    """SM-2 written straight from the paper with exact fractions, as an oracle."""
    ef = Fraction(state.easiness)
    if grade < 3:
        return SM2State(0, state.easiness, 1)
    n = state.repetitions + 1
    if n == 1:
        interval = 1
    elif n == 2:
        interval = 6
    else:
        interval = max(1, math.ceil(state.interval_days * ef))
    if cap is not None:
        interval = min(interval, cap)
    q = Fraction(grade)
    new_ef = max(
        Fraction(13, 10),
        ef + (Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100))),
    )
    return SM2State(n, Decimal(new_ef.numerator) / Decimal(new_ef.denominator), interval)


@given(states, grades, caps)
def test_matches_the_reference(state: SM2State, grade: int, cap: int | None) -> None:
    assert review(state, grade, max_interval_days=cap) == reference_review(state, grade, cap)


@given(st.lists(grades, max_size=60))
def test_easiness_never_below_floor_and_whole_hundredths(sequence: list[int]) -> None:
    state = SM2State()
    for grade in sequence:
        state = review(state, grade)
        assert state.easiness >= MIN_EASINESS
        assert state.easiness == state.easiness.quantize(Decimal("0.01"))
        assert easiness_from_hundredths(easiness_to_hundredths(state.easiness)) == state.easiness


@given(states, failing_grades, caps)
def test_failure_always_gives_n_zero_interval_one_same_easiness(
    state: SM2State, grade: int, cap: int | None
) -> None:
    after = review(state, grade, max_interval_days=cap)
    assert after.repetitions == 0
    assert after.interval_days == 1
    assert after.easiness == state.easiness


@given(st.lists(grades, max_size=20), st.lists(passing_grades, min_size=1, max_size=30), caps)
def test_intervals_never_decrease_while_passing(
    history: list[int], passes: list[int], cap: int | None
) -> None:
    state = SM2State()
    for grade in history:
        state = review(state, grade, max_interval_days=cap)
    previous = state.interval_days
    for grade in passes:
        state = review(state, grade, max_interval_days=cap)
        assert state.interval_days >= previous
        previous = state.interval_days


@given(states, passing_grades)
def test_passing_increments_repetitions(state: SM2State, grade: int) -> None:
    assert review(state, grade).repetitions == state.repetitions + 1


@given(states, grades, st.integers(min_value=1, max_value=40_000))
def test_cap_holds(state: SM2State, grade: int, cap: int) -> None:
    assert 1 <= review(state, grade, max_interval_days=cap).interval_days <= cap


@given(st.lists(grades, max_size=40), st.integers(min_value=1, max_value=400))
def test_cap_holds_along_a_history(sequence: list[int], cap: int) -> None:
    state = SM2State()
    for grade in sequence:
        state = review(state, grade, max_interval_days=cap)
        assert state.interval_days <= cap


@given(states, grades)
def test_review_does_not_mutate_and_state_is_immutable(state: SM2State, grade: int) -> None:
    before = dataclasses.replace(state)
    after = review(state, grade)
    assert state == before
    assert after is not state
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.easiness = Decimal("9.99")  # type: ignore[misc]


@given(st.integers(min_value=130, max_value=10**30))
def test_hundredths_round_trip(hundredths: int) -> None:
    assert easiness_to_hundredths(easiness_from_hundredths(hundredths)) == hundredths
