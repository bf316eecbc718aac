"""SM-2 spaced repetition, exactly as SuperMemo published it (Wozniak, 1990).

The published algorithm:

1. A new item has easiness factor EF = 2.5 and repetition number n = 0.
2. Intervals in days: I(1) = 1, I(2) = 6, I(n) = I(n-1) * EF for n > 2, fractions rounded up.
3. After each answer the item gets a grade q from 0 to 5 (see ``GRADE_MEANINGS``).
4. If q >= 3: EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)), never below 1.3.
5. If q < 3: repetitions start again from the beginning (n = 0, next interval 1 day) and EF
   is unchanged.
6. At the end of each day's session, items graded below 4 are asked again until every one of
   them scores at least 4.

Decisions this implementation makes where the paper leaves room:

- The interval of an answer is computed with the EF from *before* that answer's update.
  Five 5s followed by another 5 give intervals 1, 6, 17, 48, 140, 420: EF is 3.00 after the
  fifth answer, and the sixth interval is 140 * 3.00 = 420.
- EF is held exactly as a ``Decimal`` in whole hundredths, never as a binary float: every EF
  change is a whole number of hundredths (q=5: +0.10, q=4: 0.00, q=3: -0.14), so products
  such as 140 * 3.00 are exact and round up correctly (a float would give 421). The database
  stores EF as an integer of hundredths; see ``easiness_to_hundredths`` and
  ``easiness_from_hundredths``.
- After a failure the card has n = 0 and interval 1; the next passing answer is repetition 1
  again, so the intervals go 1, 6, then times EF.
- Intervals are capped at ``max_interval_days`` (default ``DEFAULT_MAX_INTERVAL_DAYS``, about a
  hundred years); ``None`` means no cap.
- Rule 6 re-asks (``needs_reask``) are logged as reviews but do not change n, EF or the
  interval: the app simply does not call ``review`` for a same-day re-ask. Only the first
  answer of the day to a due card is scheduled.
- A grade must be an ``int`` from 0 to 5; anything else, ``bool`` included, raises
  ``ValueError`` (``validate_grade``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

__all__ = [
    "DEFAULT_MAX_INTERVAL_DAYS",
    "GRADE_MEANINGS",
    "INITIAL_EASINESS",
    "MAX_GRADE",
    "MIN_EASINESS",
    "MIN_GRADE",
    "PASSING_GRADE",
    "RECALL_GRADE",
    "SM2State",
    "easiness_from_hundredths",
    "easiness_to_hundredths",
    "needs_reask",
    "review",
    "validate_grade",
]

MIN_GRADE: Final = 0
MAX_GRADE: Final = 5
PASSING_GRADE: Final = 3
RECALL_GRADE: Final = 4
DEFAULT_MAX_INTERVAL_DAYS: Final = 36_500

_INITIAL_EASINESS_HUNDREDTHS: Final = 250
_MIN_EASINESS_HUNDREDTHS: Final = 130

INITIAL_EASINESS: Final = Decimal("2.50")
MIN_EASINESS: Final = Decimal("1.30")

GRADE_MEANINGS: Final[dict[int, str]] = {
    0: "Blackout: no memory of the answer at all.",
    1: "Wrong, but I recognised the right answer when I saw it.",
    2: "Wrong, but the right answer felt easy once I saw it (almost had it).",
    3: "Right, but only with serious difficulty.",
    4: "Right, after some hesitation.",
    5: "Perfect: right, instantly and confidently.",
}


def validate_grade(value: object) -> int:
    """Return ``value`` if it is an SM-2 grade (an ``int`` from 0 to 5), else raise ValueError."""
    # bool is an int subclass, but True/False as a grade is always a caller bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"grade must be an int from {MIN_GRADE} to {MAX_GRADE}, got {value!r}")
    if not MIN_GRADE <= value <= MAX_GRADE:
        raise ValueError(f"grade must be from {MIN_GRADE} to {MAX_GRADE}, got {value}")
    return int(value)


def needs_reask(grade: int) -> bool:
    """Return True if rule 6 asks the item again in today's session (grade below 4)."""
    return validate_grade(grade) < RECALL_GRADE


def easiness_to_hundredths(easiness: Decimal) -> int:
    """Return a valid EF as the integer number of hundredths the database stores."""
    if isinstance(easiness, bool) or not isinstance(easiness, Decimal) or not easiness.is_finite():
        raise ValueError(f"easiness must be a finite Decimal, got {easiness!r}")
    # Fraction is exact, unlike Decimal arithmetic, which rounds to the context precision.
    scaled = Fraction(easiness) * 100
    if scaled.denominator != 1:
        raise ValueError(f"easiness must be a whole number of hundredths, got {easiness}")
    hundredths = scaled.numerator
    if hundredths < _MIN_EASINESS_HUNDREDTHS:
        raise ValueError(f"easiness must be at least {MIN_EASINESS}, got {easiness}")
    return hundredths


def easiness_from_hundredths(hundredths: int) -> Decimal:
    """Return the exact EF for an integer number of hundredths (at least 130)."""
    if isinstance(hundredths, bool) or not isinstance(hundredths, int):
        raise ValueError(f"hundredths must be an int, got {hundredths!r}")
    if hundredths < _MIN_EASINESS_HUNDREDTHS:
        raise ValueError(
            f"hundredths must be at least {_MIN_EASINESS_HUNDREDTHS}, got {hundredths}"
        )
    # Built from a string so it is exact whatever the Decimal context precision.
    return Decimal(f"{hundredths}E-2")


def _check_non_negative_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return value


def _check_max_interval(max_interval_days: int | None) -> int | None:
    if max_interval_days is None:
        return None
    if (
        isinstance(max_interval_days, bool)
        or not isinstance(max_interval_days, int)
        or max_interval_days < 1
    ):
        raise ValueError(
            f"max_interval_days must be None or an int >= 1, got {max_interval_days!r}"
        )
    return max_interval_days


@dataclass(frozen=True, slots=True)
class SM2State:
    """The SM-2 state of one card: repetition number n, easiness factor EF, last interval."""

    repetitions: int = 0
    easiness: Decimal = INITIAL_EASINESS
    interval_days: int = 0

    def __post_init__(self) -> None:
        """Validate the fields and store EF with exactly two decimal places."""
        _check_non_negative_int("repetitions", self.repetitions)
        _check_non_negative_int("interval_days", self.interval_days)
        hundredths = easiness_to_hundredths(self.easiness)
        object.__setattr__(self, "easiness", easiness_from_hundredths(hundredths))

    @property
    def easiness_hundredths(self) -> int:
        """EF as the integer number of hundredths the database stores."""
        return easiness_to_hundredths(self.easiness)


def _easiness_change_hundredths(grade: int) -> int:
    # 0.1 - (5-q)*(0.08 + (5-q)*0.02), scaled by 100 so it stays an exact integer.
    miss = MAX_GRADE - grade
    return 10 - miss * (8 + miss * 2)


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def review(
    state: SM2State,
    grade: int,
    *,
    max_interval_days: int | None = DEFAULT_MAX_INTERVAL_DAYS,
) -> SM2State:
    """Return the card's state after one scheduled answer with SM-2 grade ``grade``."""
    q = validate_grade(grade)
    cap = _check_max_interval(max_interval_days)
    if q < PASSING_GRADE:
        return SM2State(repetitions=0, easiness=state.easiness, interval_days=1)

    old_hundredths = easiness_to_hundredths(state.easiness)
    repetitions = state.repetitions + 1
    if repetitions == 1:
        interval = 1
    elif repetitions == 2:
        interval = 6
    else:
        # Uses the EF before this answer's update; integer maths keeps it exact.
        interval = _ceil_div(state.interval_days * old_hundredths, 100)
        # Only a hand-made state (n >= 2 with interval 0) could give 0 here; a passed card is
        # never due again the same day.
        interval = max(interval, 1)
    if cap is not None:
        interval = min(interval, cap)

    new_hundredths = max(_MIN_EASINESS_HUNDREDTHS, old_hundredths + _easiness_change_hundredths(q))
    return SM2State(
        repetitions=repetitions,
        easiness=easiness_from_hundredths(new_hundredths),
        interval_days=interval,
    )
