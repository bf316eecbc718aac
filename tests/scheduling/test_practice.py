"""Practice answers and the interview-date cap."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling.practice import DEFAULT_FINAL_DAYS, cap_due_for_interview, practice_review
from quizapp.scheduling.sm2 import SM2State, easiness_from_hundredths, review

MATURE = SM2State(repetitions=4, easiness=Decimal("2.8"), interval_days=48)


@pytest.mark.parametrize("grade", [0, 1, 2])
def test_practice_failure_is_a_lapse_exactly_like_review(grade: int) -> None:
    assert practice_review(MATURE, grade) == review(MATURE, grade)
    assert practice_review(MATURE, grade) == SM2State(0, Decimal("2.8"), 1)


@pytest.mark.parametrize("grade", [3, 4, 5])
def test_practice_success_leaves_the_schedule_alone(grade: int) -> None:
    assert practice_review(MATURE, grade) is MATURE


def test_practice_on_a_new_card() -> None:
    assert practice_review(SM2State(), 5) == SM2State()
    assert practice_review(SM2State(), 1) == SM2State(0, Decimal("2.5"), 1)


@pytest.mark.parametrize("grade", [-1, 6, 4.0, True, None])
def test_practice_rejects_invalid_grades(grade: object) -> None:
    with pytest.raises(ValueError):
        practice_review(MATURE, grade)  # type: ignore[arg-type]


def test_practice_rejects_an_invalid_cap_even_on_success() -> None:
    with pytest.raises(ValueError):
        practice_review(MATURE, 5, max_interval_days=0)


states = st.builds(
    SM2State,
    repetitions=st.integers(min_value=0, max_value=30),
    easiness=st.integers(min_value=130, max_value=400).map(easiness_from_hundredths),
    interval_days=st.integers(min_value=0, max_value=36_500),
)


@given(states, st.integers(min_value=0, max_value=5))
def test_practice_matches_its_rule(state: SM2State, grade: int) -> None:
    expected = review(state, grade) if grade < 3 else state
    assert practice_review(state, grade) == expected


# Interview date ----------------------------------------------------------------------------

TODAY = date(2024, 1, 1)
INTERVIEW = date(2024, 3, 1)  # window with 3 final days: Feb 27, 28, 29


def d(month: int, day: int) -> date:
    """A date in 2024."""
    return date(2024, month, day)


def test_default_final_days() -> None:
    assert DEFAULT_FINAL_DAYS == 3


@pytest.mark.parametrize(
    ("today", "due_day", "interview_day", "expected"),
    [
        # No interview date, or it has passed, or it is today: nothing moves.
        (TODAY, d(6, 1), None, d(6, 1)),
        (d(3, 2), d(6, 1), INTERVIEW, d(6, 1)),
        (d(3, 1), d(6, 1), INTERVIEW, d(6, 1)),
        # Far away: cards that come up before the interview stay put...
        (TODAY, d(2, 10), INTERVIEW, d(2, 10)),
        (TODAY, d(2, 27), INTERVIEW, d(2, 27)),
        (TODAY, d(2, 29), INTERVIEW, d(2, 29)),
        # ...later ones move to the first day of the final window.
        (TODAY, d(3, 1), INTERVIEW, d(2, 27)),
        (TODAY, d(6, 1), INTERVIEW, d(2, 27)),
        # Inside the window: to tomorrow.
        (d(2, 27), d(4, 1), INTERVIEW, d(2, 28)),
        (d(2, 28), d(2, 29), INTERVIEW, d(2, 29)),
        # Interview tomorrow: later cards come up on the interview day itself.
        (d(2, 29), d(3, 1), INTERVIEW, d(3, 1)),
        (d(2, 29), d(3, 20), INTERVIEW, d(3, 1)),
        # An overdue card is never moved.
        (d(2, 20), d(2, 1), INTERVIEW, d(2, 1)),
    ],
)
def test_cap_due_for_interview(
    today: date, due_day: date, interview_day: date | None, expected: date
) -> None:
    result = cap_due_for_interview(today=today, due_day=due_day, interview_day=interview_day)
    assert result == expected


@pytest.mark.parametrize(("final_days", "expected"), [(1, d(2, 29)), (7, d(2, 23)), (90, d(1, 2))])
def test_cap_final_days(final_days: int, expected: date) -> None:
    result = cap_due_for_interview(
        today=TODAY, due_day=d(5, 1), interview_day=INTERVIEW, final_days=final_days
    )
    assert result == expected


@pytest.mark.parametrize("final_days", [0, -1, True, 2.0, None])
def test_cap_rejects_invalid_final_days(final_days: object) -> None:
    with pytest.raises(ValueError):
        cap_due_for_interview(
            today=TODAY,
            due_day=d(5, 1),
            interview_day=INTERVIEW,
            final_days=final_days,  # type: ignore[arg-type]
        )


dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@given(
    dates, st.integers(min_value=1, max_value=400), dates, st.integers(min_value=1, max_value=30)
)
def test_cap_properties(today: date, ahead: int, interview_day: date, final_days: int) -> None:
    due_day = today + timedelta(days=ahead)
    result = cap_due_for_interview(
        today=today, due_day=due_day, interview_day=interview_day, final_days=final_days
    )
    assert today < result <= due_day
    if today >= interview_day:
        assert result == due_day
    elif today <= interview_day - timedelta(days=2):
        # There is still a day before the interview: the card comes up before it.
        assert result <= interview_day - timedelta(days=1)
        if result != due_day:
            assert result >= interview_day - timedelta(days=final_days)
    else:
        assert result <= interview_day
