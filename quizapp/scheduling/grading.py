"""Mapping an answer to an SM-2 grade: one grading function per question type.

``GRADERS`` maps every ``QuestionType`` to its grader; ``grade_submission`` runs it and turns
its verdict into a grade. A grader checks the response against the question's ``AnswerKey``
and raises ``InvalidSubmission`` (with a message for the user) when there is nothing to
grade.

Checking answers:

- Short answers are compared leniently with ``normalize_answer``: Unicode NFKC (so full-width
  letters and ligatures match plain ones), case folding, no surrounding space, internal runs of
  whitespace collapsed to one space, and punctuation (Unicode categories P*) removed except the
  underscore, which is kept because it is part of identifiers such as ``post_save`` or
  ``__init__``. So ``"vars()"`` matches ``"vars"`` and ``" Post_Save. "`` matches
  ``"post_save"``. Symbols (categories S*, such as ``+``, ``=`` or ``$``) are kept, so
  ``"C++"`` does not match ``"C"`` and ``"=="`` does not match ``"="``; ``#``, ``*`` and ``@``
  are punctuation, so ``"@property"`` matches ``"property"``. Punctuation is removed, not
  turned into a space: ``"don't"`` is ``"dont"``. An answer that normalizes to nothing is never
  correct, and neither is an accepted answer that does.
- Spacing around code does not count (``compact_answer``): a response also matches when the
  two are equal after whitespace next to any punctuation or symbol is removed as well, so
  ``"status_code = 201"`` matches ``"status_code=201"`` and ``"f( x )"`` matches ``"f(x)"``.
  Whitespace between two words still counts: ``"return new"`` is not ``"returnnew"``.
- Names the bank shows as callable or qualifiable match their natural variants. Here a *name*
  is an identifier (letters, digits, underscore; not starting with a digit) and an accepted
  answer *shows* the name ``N`` when it is ``N``, ``.N``, ``@N`` or ``N()``.

  - Call arguments: when the accepted answers show ``N`` and one of them is a call of ``N``
    (``N()``, ``N(...)``, ``x.N()``), a response that calls ``N`` with any arguments matches:
    ``"defaultdict(list)"`` matches ``["defaultdict", "defaultdict()"]``. Only one trailing
    call without nested parentheses is dropped.
  - Qualifiers: when the accepted answers show ``N`` and one of them is a qualified name
    ending in ``.N`` (``arr.forEach``), a response qualified any other way matches too:
    ``"Array.forEach"`` matches ``["forEach", "arr.forEach"]``. A bank that accepts only
    the qualified form (``compression.zstd``) or only the bare name (the JWT claim ``exp``)
    gets no such leniency, so ``"foo.zstd"`` and ``"math.exp"`` stay wrong.

  Both can combine (``"collections.defaultdict(int)"``). Nothing else is relaxed: a different
  name, an extra symbol or a missing part is still wrong.
- Choice questions are right only when the selected set equals the correct set exactly; a
  single-choice answer is exactly one pick, and every pick must be one of the choices.
- True/false answers are right when they equal the key.
- Flashcards are self-graded: the user's 0-5 grade is the grade, and 3 or more counts as right.
  Explain questions are self-graded too, through the table below.
- Matching: every left-hand item needs a pick. All pairs right is right and graded like any
  right answer (4, or 5 within the time threshold); otherwise it is wrong, graded 2 ("almost")
  when at least half the pairs are right and 1 below that.
- Explain: the user answers in their own words (typed or aloud), then reveals the model
  answer, ticks the key points they covered and says whether it came out fluently. The grade
  comes from ``EXPLAIN_GRADES``:

  ====================================  ======  ========
  key points covered                    fluent  hesitant
  ====================================  ======  ========
  all                                   5       4
  at least half (not all)               4       3
  fewer than half, at least one         2       2
  none                                  1       1
  ====================================  ======  ========

  Grades of 3 and above are right. Ticking nothing is a valid answer (grade 1), not an error.
- Numerical: the response is a number (``3.14``, ``-2``, ``1e3``; a comma works as the decimal
  point, ``3,14``, when there is no dot); right when it lies inside one of the accepted ranges,
  ends included.

The automatic grade (``auto_grade``):

- wrong: 1; wrong and the user says "I almost had it": 2;
- right: 4; right within the question's time threshold (``fast_threshold_seconds``): 5;
- right but the user says "I guessed / struggled": 3 (this wins over fast);
- right with no timing (``elapsed_seconds=None``): 4.

The threshold is a base time by question type (true/false 8 s, single choice 15 s, multiple
choice 25 s, short answer 20 s, numerical 20 s, matching 30 s) times a difficulty factor
(easy 1, medium 1.5, hard 2), rounded up. Flashcards and explain questions have no
threshold: their grade comes from the user's own rating. ``guide_seconds`` is the soft time a
mock interview suggests per question: an explain question (or a flashcard) 60 s times the
difficulty factor, any other type twice its threshold.

After seeing the feedback a user may change the automatic grade within
``allowed_adjustments``: a right answer to 3, 4 or 5, a wrong one to 1 or 2, and a
self-graded answer (flashcard, explain) to any grade from 0 to 5.

``validate_grade`` is the one grade check, shared with ``sm2``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Final

from quizapp.scheduling.sm2 import MAX_GRADE, MIN_GRADE, PASSING_GRADE, validate_grade
from quizapp.vocabulary import Difficulty, QuestionType

__all__ = [
    "ADJUSTMENT_LABELS",
    "GRADERS",
    "EXPLAIN_GRADES",
    "MAX_EXPLAIN_TEXT",
    "MAX_TEXT_ANSWER",
    "AnswerKey",
    "Checked",
    "InvalidSubmission",
    "Submission",
    "Verdict",
    "adjusted_verdict",
    "allowed_adjustments",
    "auto_grade",
    "choices_correct",
    "compact_answer",
    "fast_threshold_seconds",
    "grade_submission",
    "guide_seconds",
    "normalize_answer",
    "short_answer_correct",
    "validate_grade",
]

MAX_TEXT_ANSWER: Final = 500
# An explain answer is a few sentences in the user's words; it is kept for them, not graded.
MAX_EXPLAIN_TEXT: Final = 4000
_EXPLAIN_GUIDE_SECONDS: Final = 60

_BASE_SECONDS: Final[Mapping[QuestionType, int]] = {
    QuestionType.TRUE_FALSE: 8,
    QuestionType.SINGLE_CHOICE: 15,
    QuestionType.MULTIPLE_CHOICE: 25,
    QuestionType.SHORT_ANSWER: 20,
    QuestionType.NUMERICAL: 20,
    QuestionType.MATCHING: 30,
}
_DIFFICULTY_FACTOR: Final[Mapping[Difficulty, Fraction]] = {
    Difficulty.EASY: Fraction(1),
    Difficulty.MEDIUM: Fraction(3, 2),
    Difficulty.HARD: Fraction(2),
}

_GRADE_WRONG: Final = 1
_GRADE_ALMOST: Final = 2
_GRADE_STRUGGLED: Final = 3
_GRADE_RIGHT: Final = 4
_GRADE_FAST: Final = 5

_KEPT_PUNCTUATION: Final = frozenset({"_"})

# How the feedback page offers each grade an automatically graded answer can be changed to.
ADJUSTMENT_LABELS: Final[Mapping[int, str]] = {
    _GRADE_WRONG: "I didn't know it",
    _GRADE_ALMOST: "I almost had it",
    _GRADE_STRUGGLED: "I guessed / struggled",
    _GRADE_RIGHT: "I knew it",
    _GRADE_FAST: "That was easy",
}


class InvalidSubmission(ValueError):
    """The response cannot be graded; the message says what the user should do."""


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """What a question accepts as right: the grading side of a stored question."""

    type: QuestionType
    difficulty: Difficulty
    choice_count: int = 0
    correct_choices: frozenset[int] = frozenset()
    truth: bool | None = None
    accepted: tuple[str, ...] = ()
    # Matching: for each left-hand item in order, the index of its right-hand option.
    matches: tuple[int, ...] = ()
    options: int = 0  # how many right-hand options there are (distractors included)
    # Numerical: the accepted (low, high) ranges, ends included.
    ranges: tuple[tuple[Decimal, Decimal], ...] = ()
    # Explain: how many key points the model answer has.
    point_count: int = 0


@dataclass(frozen=True, slots=True)
class Submission:
    """What the user submitted, already parsed: only the fields of the question's type count."""

    grade: int | None = None
    selected: tuple[int, ...] = ()
    text: str | None = None
    truth: bool | None = None
    matches: tuple[int | None, ...] = ()  # per left-hand item; None when left unanswered
    points: tuple[int, ...] = ()  # explain: the key points the user says they covered
    hesitant: bool = False  # explain: the answer did not come out fluently


@dataclass(frozen=True, slots=True)
class Checked:
    """A grader's verdict: right or wrong, the grade when the user gave one, what to log."""

    correct: bool
    logged: dict[str, object]
    self_grade: int | None = None
    almost: bool = False  # wrong, but close (matching: at least half the pairs right)


@dataclass(frozen=True, slots=True)
class Verdict:
    """An answer's SM-2 grade, whether it was right, and the response to log."""

    grade: int
    correct: bool
    logged: dict[str, object]


def _folded(text: str) -> str:
    if not isinstance(text, str):
        raise ValueError(f"answer must be a str, got {text!r}")
    # Casefolding can produce characters that NFKC would rewrite again, hence the second pass.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def _unpunctuated(text: str) -> str:
    kept = "".join(
        char
        for char in text
        if char in _KEPT_PUNCTUATION or not unicodedata.category(char).startswith("P")
    )
    # Removing punctuation can leave a combining mark next to a letter it now composes with.
    return unicodedata.normalize("NFKC", " ".join(kept.split()))


# Whitespace next to a character that is neither a word character nor whitespace.
_SPACE_BY_SIGN: Final = re.compile(r"\s*([^\w\s])\s*")
_NAME: Final = r"[^\W\d]\w*"
# A trailing call with no nested parentheses: the callee and its arguments.
_CALL: Final = re.compile(r"(?P<callee>.*?\w)\((?P<args>[^()]*)\)")
_SHOWN_NAME: Final = re.compile(rf"[.@]?(?P<name>{_NAME})(?:\(\))?")
_QUALIFIED: Final = re.compile(rf"@?(?:{_NAME}\.)+(?P<name>{_NAME})")
_PLAIN: Final = re.compile(rf"[.@]?(?P<name>{_NAME})")


def normalize_answer(text: str) -> str:
    """Return ``text`` normalized for lenient comparison (see the module docstring)."""
    return _unpunctuated(_folded(text))


def compact_answer(text: str) -> str:
    """Like ``normalize_answer``, but whitespace next to punctuation or symbols is dropped too."""
    return _unpunctuated(_SPACE_BY_SIGN.sub(r"\1", _folded(text)))


@dataclass(frozen=True, slots=True)
class _Names:
    """What the accepted answers show: bare names, names called, names qualified."""

    shown: frozenset[str]
    called: frozenset[str]
    qualified: frozenset[str]


def _names(accepted: Iterable[str]) -> _Names:
    shown, called, qualified = set(), set(), set()
    for answer in accepted:
        compact = _SPACE_BY_SIGN.sub(r"\1", _folded(answer))
        if match := _SHOWN_NAME.fullmatch(compact):
            shown.add(match["name"])
        callee = compact
        if call := _CALL.fullmatch(compact):
            callee = call["callee"]
            if name := _PLAIN.fullmatch(callee) or _QUALIFIED.fullmatch(callee):
                called.add(name["name"])
        if match := _QUALIFIED.fullmatch(callee):
            qualified.add(match["name"])
    return _Names(frozenset(shown), frozenset(called), frozenset(qualified))


def _variant_name(response: str, names: _Names) -> str | None:
    """The name a called or qualified response stands for, when the bank allows it."""
    compact = _SPACE_BY_SIGN.sub(r"\1", _folded(response))
    callee = compact
    if call := _CALL.fullmatch(compact):
        callee = call["callee"]
    plain = _PLAIN.fullmatch(callee)
    qualified = None if plain else _QUALIFIED.fullmatch(callee)
    found = plain or qualified
    if found is None or found["name"] not in names.shown:
        return None
    name = found["name"]
    if call is not None and name not in names.called:
        return None
    if qualified is not None and name not in names.qualified:
        return None
    return name


def short_answer_correct(response: str, accepted: Iterable[str]) -> bool:
    """Return True if ``response`` matches one of the ``accepted`` answers (module docstring)."""
    answers = list(accepted)
    given, compact = normalize_answer(response), compact_answer(response)
    if not given:
        return False
    for answer in answers:
        key = normalize_answer(answer)
        if key and (given == key or compact == compact_answer(answer)):
            return True
    return _variant_name(response, _names(answers)) is not None


def choices_correct(selected: Collection[int], correct: Collection[int]) -> bool:
    """Return True if the selected choice indexes are exactly the correct ones."""
    if not correct:
        raise ValueError("a choice question needs at least one correct choice")
    return set(selected) == set(correct)


def _picks(key: AnswerKey, given: Submission) -> frozenset[int]:
    if not given.selected:
        raise InvalidSubmission("Pick an answer first.")
    if any(i < 0 or i >= key.choice_count for i in given.selected):
        raise InvalidSubmission("That choice is not one of this question's choices.")
    return frozenset(given.selected)


def grade_flashcard(key: AnswerKey, given: Submission) -> Checked:
    """A flashcard: the user's own grade from 0 to 5."""
    if given.grade is None:
        raise InvalidSubmission("Choose a grade from 0 to 5.")
    try:
        grade = validate_grade(given.grade)
    except ValueError as exc:
        raise InvalidSubmission("A grade is a whole number from 0 to 5.") from exc
    return Checked(grade >= PASSING_GRADE, {"grade": grade}, self_grade=grade)


def grade_single_choice(key: AnswerKey, given: Submission) -> Checked:
    """Exactly one pick, right when it is the correct choice."""
    picks = _picks(key, given)
    if len(picks) != 1:
        raise InvalidSubmission("Pick exactly one answer.")
    return Checked(choices_correct(picks, key.correct_choices), {"selected": sorted(picks)})


def grade_multiple_choice(key: AnswerKey, given: Submission) -> Checked:
    """One or more picks, right when they are exactly the correct choices."""
    picks = _picks(key, given)
    return Checked(choices_correct(picks, key.correct_choices), {"selected": sorted(picks)})


def grade_true_false(key: AnswerKey, given: Submission) -> Checked:
    """True or false, right when it equals the key."""
    if given.truth is None:
        raise InvalidSubmission("Choose true or false.")
    return Checked(given.truth is key.truth, {"answer": given.truth})


def grade_short_answer(key: AnswerKey, given: Submission) -> Checked:
    """Typed text, right when it matches an accepted answer leniently (``normalize_answer``)."""
    text = (given.text or "").strip()
    if not text:
        raise InvalidSubmission("Type an answer first.")
    if len(text) > MAX_TEXT_ANSWER:
        raise InvalidSubmission(f"Answers are at most {MAX_TEXT_ANSWER} characters.")
    return Checked(short_answer_correct(text, key.accepted), {"text": text})


def grade_matching(key: AnswerKey, given: Submission) -> Checked:
    """Every left-hand item matched; right when all pairs are (partial credit: module doc)."""
    picks = given.matches
    if len(picks) != len(key.matches) or any(p is None for p in picks):
        raise InvalidSubmission("Match every item.")
    if any(p is not None and not 0 <= p < key.options for p in picks):
        raise InvalidSubmission("That option is not one of this question's options.")
    right = sum(1 for pick, want in zip(picks, key.matches, strict=True) if pick == want)
    return Checked(
        right == len(key.matches),
        {"matches": list(picks), "right": right},
        almost=2 * right >= len(key.matches),
    )


_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def parse_number(text: str) -> Decimal | None:
    """A typed number as a Decimal (see the module docstring); None when it is not one."""
    text = "".join(text.split())
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None
    return value if value.is_finite() else None


def grade_numerical(key: AnswerKey, given: Submission) -> Checked:
    """A number, right when it lies in one of the accepted ranges."""
    text = (given.text or "").strip()
    if not text:
        raise InvalidSubmission("Type a number first.")
    value = parse_number(text[:MAX_TEXT_ANSWER])
    if value is None:
        raise InvalidSubmission("Type a number, for example 3.14 or -2.")
    return Checked(any(low <= value <= high for low, high in key.ranges), {"number": text})


class Coverage(StrEnum):
    """How many of an explain question's key points an answer covered."""

    ALL = "all"
    HALF = "at least half"
    SOME = "fewer than half"
    NONE = "none"

    @classmethod
    def of(cls, covered: int, total: int) -> Coverage:
        """The coverage of ``covered`` points out of ``total``."""
        if covered >= total:
            return cls.ALL
        if 2 * covered >= total:
            return cls.HALF
        return cls.SOME if covered else cls.NONE


# (coverage, hesitant) -> grade: the table in the module docstring.
EXPLAIN_GRADES: Final[Mapping[tuple[Coverage, bool], int]] = {
    (Coverage.ALL, False): _GRADE_FAST,
    (Coverage.ALL, True): _GRADE_RIGHT,
    (Coverage.HALF, False): _GRADE_RIGHT,
    (Coverage.HALF, True): _GRADE_STRUGGLED,
    (Coverage.SOME, False): _GRADE_ALMOST,
    (Coverage.SOME, True): _GRADE_ALMOST,
    (Coverage.NONE, False): _GRADE_WRONG,
    (Coverage.NONE, True): _GRADE_WRONG,
}


def grade_explain(key: AnswerKey, given: Submission) -> Checked:
    """Key points ticked and a fluency rating, graded by ``EXPLAIN_GRADES``."""
    if key.point_count < 1:
        raise InvalidSubmission("This question has no key points to tick.")
    if any(not 0 <= p < key.point_count for p in given.points):
        raise InvalidSubmission("That key point is not one of this question's key points.")
    text = (given.text or "").strip()
    if len(text) > MAX_EXPLAIN_TEXT:
        raise InvalidSubmission(f"Answers are at most {MAX_EXPLAIN_TEXT} characters.")
    points = sorted(set(given.points))
    grade = EXPLAIN_GRADES[Coverage.of(len(points), key.point_count), given.hesitant]
    logged: dict[str, object] = {"points": points, "hesitant": given.hesitant}
    if text:
        logged["text"] = text
    return Checked(grade >= PASSING_GRADE, logged, self_grade=grade)


Grader = Callable[[AnswerKey, Submission], Checked]

GRADERS: Final[Mapping[QuestionType, Grader]] = {
    QuestionType.FLASHCARD: grade_flashcard,
    QuestionType.SINGLE_CHOICE: grade_single_choice,
    QuestionType.MULTIPLE_CHOICE: grade_multiple_choice,
    QuestionType.TRUE_FALSE: grade_true_false,
    QuestionType.SHORT_ANSWER: grade_short_answer,
    QuestionType.MATCHING: grade_matching,
    QuestionType.NUMERICAL: grade_numerical,
    QuestionType.EXPLAIN: grade_explain,
}


def grade_submission(key: AnswerKey, given: Submission, elapsed_seconds: float | None) -> Verdict:
    """Check a submission with its type's grader and give it an SM-2 grade."""
    checked = GRADERS[key.type](key, given)
    if checked.self_grade is not None:
        return Verdict(checked.self_grade, checked.correct, checked.logged)
    threshold = fast_threshold_seconds(key.type, key.difficulty)
    grade = auto_grade(checked.correct, elapsed_seconds, threshold, almost=checked.almost)
    return Verdict(grade, checked.correct, checked.logged)


def fast_threshold_seconds(question_type: str, difficulty: str) -> int:
    """Return the seconds within which a right answer counts as given without hesitation."""
    if question_type not in set(QuestionType):
        raise ValueError(f"unknown question type: {question_type!r}")
    if QuestionType(question_type).self_graded:
        raise ValueError(f"{question_type!r} questions are self-graded and have no threshold")
    if difficulty not in set(Difficulty):
        raise ValueError(f"difficulty must be easy, medium or hard, got {difficulty!r}")
    seconds = (
        _BASE_SECONDS[QuestionType(question_type)] * _DIFFICULTY_FACTOR[Difficulty(difficulty)]
    )
    return math.ceil(seconds)


def guide_seconds(question_type: QuestionType, difficulty: Difficulty) -> int:
    """The soft time a mock interview suggests for one question (module docstring)."""
    if question_type in (QuestionType.EXPLAIN, QuestionType.FLASHCARD):
        return math.ceil(_EXPLAIN_GUIDE_SECONDS * _DIFFICULTY_FACTOR[difficulty])
    return 2 * fast_threshold_seconds(question_type, difficulty)


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


def allowed_adjustments(question_type: QuestionType, correct: bool) -> tuple[int, ...]:
    """Return the grades a user may pick after feedback on an answer to this question type."""
    if question_type.self_graded:
        return tuple(range(MIN_GRADE, MAX_GRADE + 1))
    if correct:
        return (_GRADE_STRUGGLED, _GRADE_RIGHT, _GRADE_FAST)
    return (_GRADE_WRONG, _GRADE_ALMOST)


def adjusted_verdict(question_type: QuestionType, verdict: Verdict, grade: int) -> Verdict:
    """The verdict after the user changes its grade; raises InvalidSubmission if not allowed."""
    allowed = allowed_adjustments(question_type, verdict.correct)
    if grade not in allowed:
        raise InvalidSubmission(f"That grade is not available here (choose from {list(allowed)}).")
    # A self-graded answer is right when its new grade passes; otherwise rightness stays.
    correct = grade >= PASSING_GRADE if question_type.self_graded else verdict.correct
    return Verdict(grade, correct, verdict.logged)
