"""Mapping an answer to an SM-2 grade.

Checking answers:

- Short answers are compared leniently with ``normalize_answer``: Unicode NFKC (so full-width
  letters and ligatures match plain ones), case folding, no surrounding space, internal runs of
  whitespace collapsed to one space, and punctuation (Unicode categories P*) removed except the
  underscore, which is kept because it is part of identifiers such as ``post_save`` or
  ``__init__``. So ``"vars()"`` matches ``"vars"`` and ``" Post_Save. "`` matches
  ``"post_save"``. Symbols (categories S*, such as ``+`` or ``$``) are kept, so ``"C++"`` does
  not match ``"C"``; ``#``, ``*`` and ``@`` are punctuation, so ``"@property"`` matches
  ``"property"``. Punctuation is removed, not turned into a space: ``"don't"`` is ``"dont"``.
  An answer that normalizes to nothing is never correct.
- Choice questions are right only when the selected set equals the correct set exactly.

The automatic grade (``auto_grade``):

- wrong: 1; wrong and the user says "I almost had it": 2;
- right: 4; right within the question's time threshold (``fast_threshold_seconds``): 5;
- right but the user says "I guessed / struggled": 3 (this wins over fast);
- right with no timing (``elapsed_seconds=None``): 4.

The threshold is a base time by question type (true/false 8 s, single choice 15 s, multiple
choice 25 s, short answer 20 s) times a difficulty factor (easy 1, medium 1.5, hard 2), rounded
up. Flashcards have no threshold: the user grades them directly.

After seeing the feedback a user may change the automatic grade within
``allowed_adjustments``: a right answer to 3, 4 or 5, a wrong one to 1 or 2, and a flashcard
(no automatic verdict, ``correct=None``) to any grade from 0 to 5.

``validate_grade`` is the one grade check, shared with ``sm2``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Iterable
from fractions import Fraction
from typing import Final

from quizapp.scheduling.sm2 import MAX_GRADE, MIN_GRADE, validate_grade

__all__ = [
    "QUESTION_TYPES",
    "SELF_GRADED_TYPES",
    "allowed_adjustments",
    "auto_grade",
    "choices_correct",
    "fast_threshold_seconds",
    "normalize_answer",
    "short_answer_correct",
    "validate_grade",
]

QUESTION_TYPES: Final = frozenset(
    {"flashcard", "single_choice", "multiple_choice", "true_false", "short_answer"}
)
SELF_GRADED_TYPES: Final = frozenset({"flashcard"})

_BASE_SECONDS: Final[dict[str, int]] = {
    "true_false": 8,
    "single_choice": 15,
    "multiple_choice": 25,
    "short_answer": 20,
}
_DIFFICULTY_FACTOR: Final[dict[str, Fraction]] = {
    "easy": Fraction(1),
    "medium": Fraction(3, 2),
    "hard": Fraction(2),
}

_GRADE_WRONG: Final = 1
_GRADE_ALMOST: Final = 2
_GRADE_STRUGGLED: Final = 3
_GRADE_RIGHT: Final = 4
_GRADE_FAST: Final = 5

_KEPT_PUNCTUATION: Final = frozenset({"_"})


def normalize_answer(text: str) -> str:
    """Return ``text`` normalized for lenient comparison (see the module docstring)."""
    if not isinstance(text, str):
        raise ValueError(f"answer must be a str, got {text!r}")
    # Casefolding can produce characters that NFKC would rewrite again, hence the second pass.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(
        char
        for char in folded
        if char in _KEPT_PUNCTUATION or not unicodedata.category(char).startswith("P")
    )
    # Removing punctuation can leave a combining mark next to a letter it now composes with.
    return unicodedata.normalize("NFKC", " ".join(kept.split()))


def short_answer_correct(response: str, accepted: Iterable[str]) -> bool:
    """Return True if ``response`` matches one of the ``accepted`` answers after normalizing."""
    given = normalize_answer(response)
    if not given:
        return False
    return any(given == normalize_answer(answer) for answer in accepted)


def choices_correct(selected: Collection[int], correct: Collection[int]) -> bool:
    """Return True if the selected choice indexes are exactly the correct ones."""
    if not correct:
        raise ValueError("a choice question needs at least one correct choice")
    return set(selected) == set(correct)


def fast_threshold_seconds(question_type: str, difficulty: str) -> int:
    """Return the seconds within which a right answer counts as given without hesitation."""
    if question_type in SELF_GRADED_TYPES:
        raise ValueError(f"{question_type!r} questions are self-graded and have no threshold")
    if question_type not in _BASE_SECONDS:
        raise ValueError(f"unknown question type: {question_type!r}")
    if difficulty not in _DIFFICULTY_FACTOR:
        raise ValueError(f"difficulty must be easy, medium or hard, got {difficulty!r}")
    return math.ceil(_BASE_SECONDS[question_type] * _DIFFICULTY_FACTOR[difficulty])


def auto_grade(
    correct: bool,
    elapsed_seconds: float | None,
    threshold_seconds: int,
    *,
    guessed: bool = False,
    almost: bool = False,
) -> int:
    """Return the SM-2 grade for an automatically checked answer (see the module docstring)."""
    if isinstance(threshold_seconds, bool) or not isinstance(threshold_seconds, int):
        raise ValueError(f"threshold_seconds must be an int, got {threshold_seconds!r}")
    if threshold_seconds < 0:
        raise ValueError(f"threshold_seconds must not be negative, got {threshold_seconds}")
    if elapsed_seconds is not None:
        if isinstance(elapsed_seconds, bool) or not isinstance(elapsed_seconds, int | float):
            raise ValueError(f"elapsed_seconds must be a number, got {elapsed_seconds!r}")
        if not math.isfinite(elapsed_seconds) or elapsed_seconds < 0:
            raise ValueError(f"elapsed_seconds must be finite and >= 0, got {elapsed_seconds}")

    if not correct:
        # "I guessed" says nothing more about a wrong answer; only "almost" does.
        return _GRADE_ALMOST if almost else _GRADE_WRONG
    if guessed:
        return _GRADE_STRUGGLED
    if elapsed_seconds is not None and elapsed_seconds <= threshold_seconds:
        return _GRADE_FAST
    return _GRADE_RIGHT


def allowed_adjustments(correct: bool | None) -> tuple[int, ...]:
    """Return the grades a user may pick after feedback; ``None`` means a self-graded flashcard."""
    if correct is None:
        return tuple(range(MIN_GRADE, MAX_GRADE + 1))
    if correct:
        return (_GRADE_STRUGGLED, _GRADE_RIGHT, _GRADE_FAST)
    return (_GRADE_WRONG, _GRADE_ALMOST)
