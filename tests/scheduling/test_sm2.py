"""SM-2 table tests, straight from the published rules and our documented decisions."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, localcontext

import pytest

from quizapp.scheduling.sm2 import (
    DEFAULT_MAX_INTERVAL_DAYS,
    GRADE_MEANINGS,
    INITIAL_EASINESS,
    MIN_EASINESS,
    PASSING_GRADE,
    RECALL_GRADE,
    SM2State,
    easiness_from_hundredths,
    easiness_to_hundredths,
    needs_reask,
    review,
    validate_grade,
)


def run(grades: list[int], *, max_interval_days: int | None = None) -> list[SM2State]:
    """Apply grades to a new card and return every state after it."""
    state = SM2State()
    states = []
    for grade in grades:
        state = review(state, grade, max_interval_days=max_interval_days)
        states.append(state)
    return states


def intervals(states: list[SM2State]) -> list[int]:
    """The interval of each state."""
    return [state.interval_days for state in states]


def easinesses(states: list[SM2State]) -> list[Decimal]:
    """The EF of each state."""
    return [state.easiness for state in states]


def test_new_card() -> None:
    state = SM2State()
    assert state.repetitions == 0
    assert state.easiness == Decimal("2.5")
    assert state.interval_days == 0


def test_constants() -> None:
    assert DEFAULT_MAX_INTERVAL_DAYS == 36_500
    assert MIN_EASINESS == Decimal("1.3")
    assert INITIAL_EASINESS == Decimal("2.5")
    assert PASSING_GRADE == 3
    assert RECALL_GRADE == 4


def test_grade_meanings_cover_the_scale() -> None:
    assert sorted(GRADE_MEANINGS) == [0, 1, 2, 3, 4, 5]
    assert GRADE_MEANINGS[0].startswith("Blackout")
    assert GRADE_MEANINGS[5].startswith("Perfect")
    assert all(meaning.strip() for meaning in GRADE_MEANINGS.values())


def test_five_fives_then_another_five_worked_by_hand() -> None:
    # EF starts at 2.5; every 5 adds 0.1; each interval uses the EF before its own update.
    # answer 1: n=1 -> I=1,                      EF 2.5 -> 2.6
    # answer 2: n=2 -> I=6,                      EF 2.6 -> 2.7
    # answer 3: n=3 -> I=ceil(6 * 2.7 = 16.2) = 17,    EF 2.7 -> 2.8
    # answer 4: n=4 -> I=ceil(17 * 2.8 = 47.6) = 48,   EF 2.8 -> 2.9
    # answer 5: n=5 -> I=ceil(48 * 2.9 = 139.2) = 140, EF 2.9 -> 3.0
    # answer 6: n=6 -> I=140 * 3.0 = 420 exactly (a float EF gives 420.00000000000006 -> 421)
    states = run([5] * 6)
    assert intervals(states) == [1, 6, 17, 48, 140, 420]
    assert easinesses(states) == [Decimal(v) for v in ("2.6", "2.7", "2.8", "2.9", "3.0", "3.1")]
    assert [s.repetitions for s in states] == [1, 2, 3, 4, 5, 6]
    after_five = states[4]
    assert after_five.easiness == Decimal("3.00")
    assert review(after_five, 5).interval_days == after_five.interval_days * 3


def test_float_easiness_would_have_rounded_420_up() -> None:
    # The reason EF is a Decimal: five float additions of 0.1 give 3.0000000000000004.
    easiness = 2.5
    for _ in range(5):
        easiness += 0.1
    assert math.ceil(140 * easiness) == 421


def test_all_fours_keep_easiness() -> None:
    # q=4 changes EF by 0.1 - 1 * (0.08 + 1 * 0.02) = 0, so EF stays 2.5:
    # 1, 6, ceil(6*2.5=15)=15, ceil(15*2.5=37.5)=38, ceil(38*2.5=95)=95,
    # ceil(95*2.5=237.5)=238, ceil(238*2.5=595)=595
    states = run([4] * 7)
    assert intervals(states) == [1, 6, 15, 38, 95, 238, 595]
    assert set(easinesses(states)) == {Decimal("2.5")}


def test_all_threes_reach_the_floor_and_stay() -> None:
    # q=3 changes EF by 0.1 - 2 * (0.08 + 2 * 0.02) = -0.14 until the 1.3 floor:
    # EF 2.50 -> 2.36 -> 2.22 -> 2.08 -> 1.94 -> 1.80 -> 1.66 -> 1.52 -> 1.38 -> 1.30 (not 1.24)
    # I: 1, 6, ceil(6*2.22=13.32)=14, ceil(14*2.08=29.12)=30, ceil(30*1.94=58.2)=59,
    #    ceil(59*1.80=106.2)=107, ceil(107*1.66=177.62)=178, ceil(178*1.52=270.56)=271,
    #    ceil(271*1.38=373.98)=374, ceil(374*1.30=486.2)=487, ceil(487*1.3=633.1)=634
    states = run([3] * 11)
    assert easinesses(states) == [
        Decimal(v)
        for v in (
            "2.36",
            "2.22",
            "2.08",
            "1.94",
            "1.80",
            "1.66",
            "1.52",
            "1.38",
            "1.30",
            "1.30",
            "1.30",
        )
    ]
    assert intervals(states) == [1, 6, 14, 30, 59, 107, 178, 271, 374, 487, 634]


def test_easiness_equals_exact_decimal() -> None:
    state = review(SM2State(), 3)
    assert state.easiness == Decimal("2.36")
    assert str(state.easiness) == "2.36"


@pytest.mark.parametrize(
    ("grade", "easiness"),
    [(5, "2.60"), (4, "2.50"), (3, "2.36"), (2, "2.50"), (1, "2.50"), (0, "2.50")],
)
def test_easiness_change_per_grade(grade: int, easiness: str) -> None:
    assert review(SM2State(), grade).easiness == Decimal(easiness)


@pytest.mark.parametrize("grade", [0, 1, 2])
def test_failure_resets_repetitions_and_keeps_easiness(grade: int) -> None:
    mature = run([5, 5, 5, 3])[-1]
    assert mature.interval_days > 1
    failed = review(mature, grade)
    assert failed == SM2State(repetitions=0, easiness=mature.easiness, interval_days=1)


def test_failure_then_pass_restarts_at_one_then_six_then_times_easiness() -> None:
    # 5, 5, 5: I = 1, 6, 17 and EF 2.8; the 1 resets n but keeps EF 2.8;
    # then 5: n=1 -> 1 (EF 2.9), 5: n=2 -> 6 (EF 3.0), 5: n=3 -> 6 * 3.0 = 18
    states = run([5, 5, 5, 1, 5, 5, 5])
    assert intervals(states) == [1, 6, 17, 1, 1, 6, 18]
    assert [s.repetitions for s in states] == [1, 2, 3, 0, 1, 2, 3]
    assert states[3].easiness == Decimal("2.8")
    assert states[-1].easiness == Decimal("3.1")


def test_failing_a_new_card() -> None:
    assert review(SM2State(), 0) == SM2State(repetitions=0, interval_days=1)


def test_default_cap() -> None:
    state = SM2State(repetitions=20, easiness=Decimal("3.0"), interval_days=20_000)
    assert review(state, 5).interval_days == DEFAULT_MAX_INTERVAL_DAYS


def test_explicit_cap() -> None:
    states = run([5] * 6, max_interval_days=30)
    assert intervals(states) == [1, 6, 17, 30, 30, 30]


def test_cap_below_six() -> None:
    assert intervals(run([5] * 3, max_interval_days=3)) == [1, 3, 3]


def test_no_cap() -> None:
    state = SM2State(repetitions=20, easiness=Decimal("3.0"), interval_days=20_000)
    assert review(state, 5, max_interval_days=None).interval_days == 60_000


@pytest.mark.parametrize("cap", [0, -1, True, 1.5, "30"])
def test_invalid_cap(cap: object) -> None:
    with pytest.raises(ValueError):
        review(SM2State(), 5, max_interval_days=cap)  # type: ignore[arg-type]


def test_interval_uses_previous_interval_with_hand_made_state() -> None:
    state = SM2State(repetitions=7, easiness=Decimal("1.3"), interval_days=10)
    assert review(state, 4) == SM2State(8, Decimal("1.3"), 13)


def test_hand_made_state_with_zero_interval_is_never_due_the_same_day() -> None:
    assert review(SM2State(repetitions=3, interval_days=0), 5).interval_days == 1


def test_result_does_not_depend_on_the_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 2
        states = run([5] * 6)
    assert intervals(states) == [1, 6, 17, 48, 140, 420]
    assert states[-1].easiness == Decimal("3.1")


@pytest.mark.parametrize("grade", [0, 1, 2, 3, 4, 5])
def test_valid_grades(grade: int) -> None:
    assert validate_grade(grade) == grade
    review(SM2State(), grade)


@pytest.mark.parametrize("grade", [-1, 6, 3.0, "4", True, False, None, Decimal(4), 4.5])
def test_invalid_grades_raise_value_error(grade: object) -> None:
    with pytest.raises(ValueError):
        review(SM2State(), grade)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        validate_grade(grade)


@pytest.mark.parametrize(
    ("grade", "reask"), [(0, True), (1, True), (2, True), (3, True), (4, False), (5, False)]
)
def test_needs_reask_below_four(grade: int, reask: bool) -> None:
    assert needs_reask(grade) is reask


@pytest.mark.parametrize("grade", [-1, 6, True, 3.5])
def test_needs_reask_rejects_invalid_grades(grade: object) -> None:
    with pytest.raises(ValueError):
        needs_reask(grade)  # type: ignore[arg-type]


def test_state_is_frozen() -> None:
    state = SM2State()
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.interval_days = 5  # type: ignore[misc]


def test_state_stores_two_decimal_places() -> None:
    state = SM2State(easiness=Decimal("2.5"))
    assert state.easiness.as_tuple().exponent == -2
    assert repr(state) == "SM2State(repetitions=0, easiness=Decimal('2.50'), interval_days=0)"
    assert state.easiness_hundredths == 250
    assert SM2State(easiness=Decimal("2.500")) == SM2State()


@pytest.mark.parametrize(
    "easiness",
    [
        Decimal("1.29"),
        Decimal("2.505"),
        Decimal("-2.5"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        2.5,
        "2.5",
        2,
        None,
    ],
)
def test_state_rejects_invalid_easiness(easiness: object) -> None:
    with pytest.raises(ValueError):
        SM2State(easiness=easiness)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("repetitions", -1),
        ("repetitions", True),
        ("repetitions", 1.0),
        ("interval_days", -1),
        ("interval_days", "1"),
        ("interval_days", None),
    ],
)
def test_state_rejects_invalid_counts(field: str, value: object) -> None:
    with pytest.raises(ValueError):
        SM2State(**{field: value})  # type: ignore[arg-type]


def test_easiness_floor_is_accepted() -> None:
    assert SM2State(easiness=Decimal("1.30")).easiness == MIN_EASINESS


@pytest.mark.parametrize(
    ("easiness", "hundredths"),
    [("1.3", 130), ("1.30", 130), ("2.36", 236), ("2.5", 250), ("3.1", 310), ("12.34", 1234)],
)
def test_hundredths_round_trip(easiness: str, hundredths: int) -> None:
    assert easiness_to_hundredths(Decimal(easiness)) == hundredths
    assert easiness_from_hundredths(hundredths) == Decimal(easiness)


def test_hundredths_of_a_huge_easiness_are_exact() -> None:
    huge = 10**40 + 1
    assert easiness_to_hundredths(easiness_from_hundredths(huge)) == huge


@pytest.mark.parametrize("hundredths", [129, 0, -250, True, 250.0, "250", None])
def test_invalid_hundredths(hundredths: object) -> None:
    with pytest.raises(ValueError):
        easiness_from_hundredths(hundredths)  # type: ignore[arg-type]


@pytest.mark.parametrize("easiness", [Decimal("1.299"), Decimal("1.2"), Decimal("2.345"), 2.5])
def test_invalid_easiness_to_hundredths(easiness: object) -> None:
    with pytest.raises(ValueError):
        easiness_to_hundredths(easiness)  # type: ignore[arg-type]
