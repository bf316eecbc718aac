"""Grading tables: answer checking, time thresholds, automatic grades and adjustments."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling import grading, sm2
from quizapp.scheduling.grading import (
    AnswerKey,
    InvalidSubmission,
    Submission,
    Verdict,
    adjusted_verdict,
    allowed_adjustments,
    auto_grade,
    choices_correct,
    fast_threshold_seconds,
    grade_submission,
    normalize_answer,
    short_answer_correct,
    validate_grade,
)
from quizapp.vocabulary import Difficulty, QuestionType


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("vars()", "vars"),
        (" Post_Save. ", "post_save"),
        ("__init__", "__init__"),
        ("  Hello,   World!  ", "hello world"),
        ("VARS", "vars"),
        ("\uff36\uff21\uff32\uff33", "vars"),  # full-width letters
        ("\ufb01le", "file"),  # the "fi" ligature
        ("Stra\u00dfe", "strasse"),
        ("don't", "dont"),
        ("*args", "args"),
        ("**kwargs", "kwargs"),
        ("@property", "property"),
        ("C++", "c++"),
        ("C#", "c"),
        ("$HOME", "$home"),
        ("hasattr / getattr", "hasattr getattr"),
        ("\u00bfQu\u00e9?", "qu\u00e9"),
        ("Que\u0301", "qu\u00e9"),  # NFKC composes e + combining acute
        ("\u00abquoted\u00bb", "quoted"),
        ("x\u2014y", "xy"),
        ("a\u00a0b", "a b"),  # no-break space
        ("tab\tand\nnewline", "tab and newline"),
        ("", ""),
        ("...", ""),
        ("   ", ""),
    ],
)
def test_normalize_answer(text: str, normalized: str) -> None:
    assert normalize_answer(text) == normalized


def test_normalize_answer_rejects_non_strings() -> None:
    with pytest.raises(ValueError):
        normalize_answer(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("response", "accepted", "correct"),
    [
        ("vars", ["vars", "vars()"], True),
        ("VARS()", ["vars"], True),
        ("  vars  ", ["vars()"], True),
        ("var", ["vars", "vars()"], False),
        ("post_save", [" Post_Save. "], True),
        ("postsave", ["post_save"], False),
        ("hash table", ["hash table"], True),
        ("", ["vars"], False),
        ("   ", ["vars"], False),
        ("...", ["..."], False),
        ("vars", [], False),
        ("getattr", ["hasattr", "getattr()"], True),
    ],
)
def test_short_answer_correct(response: str, accepted: list[str], correct: bool) -> None:
    assert short_answer_correct(response, accepted) is correct


def test_short_answer_accepts_any_iterable() -> None:
    assert short_answer_correct("vars", (answer for answer in ["nope", "Vars"]))


@pytest.mark.parametrize(
    ("selected", "correct", "result"),
    [
        ({0}, {0}, True),
        ([1, 2], {2, 1}, True),
        ({1}, {1, 2}, False),
        ({1, 2, 3}, {1, 2}, False),
        (set(), {1}, False),
        ({0}, {1}, False),
    ],
)
def test_choices_correct(selected: set[int], correct: set[int], result: bool) -> None:
    assert choices_correct(selected, correct) is result


def test_choices_need_a_correct_choice() -> None:
    with pytest.raises(ValueError):
        choices_correct(set(), set())


@pytest.mark.parametrize(
    ("question_type", "difficulty", "seconds"),
    [
        ("true_false", "easy", 8),
        ("true_false", "medium", 12),
        ("true_false", "hard", 16),
        ("single_choice", "easy", 15),
        ("single_choice", "medium", 23),  # 22.5 rounded up
        ("single_choice", "hard", 30),
        ("multiple_choice", "easy", 25),
        ("multiple_choice", "medium", 38),  # 37.5 rounded up
        ("multiple_choice", "hard", 50),
        ("short_answer", "easy", 20),
        ("short_answer", "medium", 30),
        ("short_answer", "hard", 40),
    ],
)
def test_fast_threshold_seconds(question_type: str, difficulty: str, seconds: int) -> None:
    assert fast_threshold_seconds(question_type, difficulty) == seconds


@pytest.mark.parametrize(
    ("question_type", "difficulty"),
    [("flashcard", "easy"), ("essay", "easy"), ("single_choice", "extreme"), ("", "")],
)
def test_fast_threshold_rejects(question_type: str, difficulty: str) -> None:
    with pytest.raises(ValueError):
        fast_threshold_seconds(question_type, difficulty)


def test_question_types() -> None:
    assert {t for t in QuestionType if t.self_graded} == {
        QuestionType.FLASHCARD,
        QuestionType.EXPLAIN,
    }
    for question_type in QuestionType:
        if not question_type.self_graded:
            assert fast_threshold_seconds(question_type, "easy") > 0


@pytest.mark.parametrize(
    ("correct", "elapsed", "threshold", "guessed", "almost", "grade"),
    [
        (False, 3.0, 15, False, False, 1),
        (False, 3.0, 15, False, True, 2),
        (False, None, 15, False, False, 1),
        (False, 3.0, 15, True, False, 1),  # "guessed" adds nothing to a wrong answer
        (False, 3.0, 15, True, True, 2),
        (True, 3.0, 15, False, False, 5),
        (True, 0.0, 15, False, False, 5),
        (True, 15.0, 15, False, False, 5),  # the threshold itself is still fast
        (True, 15.01, 15, False, False, 4),
        (True, 90, 15, False, False, 4),
        (True, None, 15, False, False, 4),  # no timing: plain right
        (True, 3.0, 15, True, False, 3),  # guessed wins over fast
        (True, 90.0, 15, True, False, 3),
        (True, None, 15, True, False, 3),
        (True, 3.0, 15, False, True, 5),  # "almost" only applies to wrong answers
        (True, 0, 0, False, False, 5),
    ],
)
def test_auto_grade(
    correct: bool,
    elapsed: float | None,
    threshold: int,
    guessed: bool,
    almost: bool,
    grade: int,
) -> None:
    assert auto_grade(correct, elapsed, threshold, guessed=guessed, almost=almost) == grade


@pytest.mark.parametrize(
    ("elapsed", "threshold"),
    [
        (-1.0, 15),
        (math.nan, 15),
        (math.inf, 15),
        ("3", 15),
        (True, 15),
        (3.0, -1),
        (3.0, 1.5),
        (3.0, True),
    ],
)
def test_auto_grade_rejects(elapsed: object, threshold: object) -> None:
    with pytest.raises(ValueError):
        auto_grade(True, elapsed, threshold)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question_type", "correct", "grades"),
    [
        (QuestionType.SINGLE_CHOICE, True, (3, 4, 5)),
        (QuestionType.SHORT_ANSWER, False, (1, 2)),
        (QuestionType.FLASHCARD, True, (0, 1, 2, 3, 4, 5)),
        (QuestionType.FLASHCARD, False, (0, 1, 2, 3, 4, 5)),
    ],
)
def test_allowed_adjustments(
    question_type: QuestionType, correct: bool, grades: tuple[int, ...]
) -> None:
    assert allowed_adjustments(question_type, correct) == grades


def test_validate_grade_is_shared_with_sm2() -> None:
    assert validate_grade is sm2.validate_grade
    assert "validate_grade" in grading.__all__


@given(
    st.booleans(),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
    st.integers(min_value=0, max_value=100),
    st.booleans(),
    st.booleans(),
)
def test_auto_grade_is_always_an_allowed_adjustment(
    correct: bool, elapsed: float | None, threshold: int, guessed: bool, almost: bool
) -> None:
    grade = auto_grade(correct, elapsed, threshold, guessed=guessed, almost=almost)
    assert validate_grade(grade) == grade
    assert grade in allowed_adjustments(QuestionType.TRUE_FALSE, correct)
    assert (grade >= sm2.PASSING_GRADE) is correct


@given(st.text())
def test_normalize_answer_is_idempotent(text: str) -> None:
    once = normalize_answer(text)
    assert normalize_answer(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text())
def test_an_answer_matches_itself_unless_it_is_empty(text: str) -> None:
    assert short_answer_correct(text, [text]) is bool(normalize_answer(text))


CHOICE_KEY = AnswerKey(
    QuestionType.MULTIPLE_CHOICE, Difficulty.EASY, choice_count=4, correct_choices=frozenset({0, 2})
)
SINGLE_KEY = AnswerKey(
    QuestionType.SINGLE_CHOICE, Difficulty.EASY, choice_count=3, correct_choices=frozenset({1})
)
TF_KEY = AnswerKey(QuestionType.TRUE_FALSE, Difficulty.MEDIUM, truth=False)
SHORT_KEY = AnswerKey(QuestionType.SHORT_ANSWER, Difficulty.HARD, accepted=("post_save",))
CARD_KEY = AnswerKey(QuestionType.FLASHCARD, Difficulty.EASY)


@pytest.mark.parametrize(
    ("key", "given", "elapsed", "grade", "correct", "logged"),
    [
        (CHOICE_KEY, Submission(selected=(2, 0)), 3.0, 5, True, {"selected": [0, 2]}),
        (CHOICE_KEY, Submission(selected=(0,)), 3.0, 1, False, {"selected": [0]}),
        (SINGLE_KEY, Submission(selected=(1,)), 100.0, 4, True, {"selected": [1]}),
        (SINGLE_KEY, Submission(selected=(0,)), None, 1, False, {"selected": [0]}),
        (TF_KEY, Submission(truth=False), 12.0, 5, True, {"answer": False}),
        (TF_KEY, Submission(truth=True), 1.0, 1, False, {"answer": True}),
        (SHORT_KEY, Submission(text=" Post_Save. "), None, 4, True, {"text": "Post_Save."}),
        (CARD_KEY, Submission(grade=2), 1.0, 2, False, {"grade": 2}),
        (CARD_KEY, Submission(grade=3), None, 3, True, {"grade": 3}),
    ],
)
def test_each_type_is_graded_by_its_grader(key, given, elapsed, grade, correct, logged) -> None:
    verdict = grade_submission(key, given, elapsed)
    assert (verdict.grade, verdict.correct, verdict.logged) == (grade, correct, logged)


@pytest.mark.parametrize(
    ("key", "given"),
    [
        (CHOICE_KEY, Submission()),
        (CHOICE_KEY, Submission(selected=(4,))),
        (CHOICE_KEY, Submission(selected=(-1,))),
        (SINGLE_KEY, Submission(selected=(0, 1))),
        (TF_KEY, Submission()),
        (SHORT_KEY, Submission(text="   ")),
        (SHORT_KEY, Submission(text="x" * 501)),
        (CARD_KEY, Submission()),
        (CARD_KEY, Submission(grade=6)),
        # Only the fields of the question's own type count.
        (TF_KEY, Submission(selected=(0,), text="false")),
    ],
)
def test_ungradable_submissions_say_why(key, given) -> None:
    with pytest.raises(InvalidSubmission) as raised:
        grade_submission(key, given, None)
    assert str(raised.value)


@pytest.mark.parametrize(
    ("question_type", "before", "grade", "after"),
    [
        (QuestionType.SINGLE_CHOICE, Verdict(5, True, {}), 3, Verdict(3, True, {})),
        (QuestionType.SHORT_ANSWER, Verdict(1, False, {}), 2, Verdict(2, False, {})),
        (QuestionType.FLASHCARD, Verdict(2, False, {}), 4, Verdict(4, True, {})),
        (QuestionType.FLASHCARD, Verdict(4, True, {}), 0, Verdict(0, False, {})),
    ],
)
def test_adjusted_verdict(question_type, before, grade, after) -> None:
    assert adjusted_verdict(question_type, before, grade) == after


@pytest.mark.parametrize(
    ("question_type", "before", "grade"),
    [
        (QuestionType.SINGLE_CHOICE, Verdict(5, True, {}), 2),  # a right answer stays passing
        (QuestionType.SHORT_ANSWER, Verdict(1, False, {}), 4),  # a wrong one stays failing
        (QuestionType.FLASHCARD, Verdict(1, False, {}), 6),
    ],
)
def test_adjusted_verdict_refuses_other_grades(question_type, before, grade) -> None:
    with pytest.raises(InvalidSubmission):
        adjusted_verdict(question_type, before, grade)


def _explain(points: int = 4) -> AnswerKey:
    return AnswerKey(type=QuestionType.EXPLAIN, difficulty=Difficulty.MEDIUM, point_count=points)


@pytest.mark.parametrize(
    ("total", "ticked", "hesitant", "grade"),
    [
        # The documented table: all points fluent 5, hesitant 4; at least half 4 / 3;
        # fewer than half but some 2; none 1.
        (4, (0, 1, 2, 3), False, 5),
        (4, (0, 1, 2, 3), True, 4),
        (4, (0, 1, 2), False, 4),
        (4, (1, 3), False, 4),
        (4, (1, 3), True, 3),
        (5, (0, 1), False, 2),
        (5, (4,), True, 2),
        (4, (), False, 1),
        (4, (), True, 1),
        (2, (1,), False, 4),
        (2, (0, 1), True, 4),
        (6, (0, 1, 2), True, 3),
        (6, (5, 5, 5, 5), False, 2),  # a repeated tick counts once
    ],
)
def test_explain_grade_table(
    total: int, ticked: tuple[int, ...], hesitant: bool, grade: int
) -> None:
    verdict = grade_submission(
        _explain(total), Submission(points=ticked, hesitant=hesitant, text=" my words "), 1.0
    )
    assert verdict.grade == grade
    assert verdict.correct is (grade >= 3)
    assert verdict.logged == {
        "points": sorted(set(ticked)),
        "hesitant": hesitant,
        "text": "my words",
    }


def test_explain_rejects_unknown_points_and_long_text() -> None:
    with pytest.raises(InvalidSubmission, match="not one of this question's key points"):
        grade_submission(_explain(3), Submission(points=(3,)), None)
    with pytest.raises(InvalidSubmission, match="at most 4000"):
        grade_submission(_explain(3), Submission(points=(0,), text="x" * 4001), None)
    # No typed words is fine: the answer may have been said aloud.
    assert "text" not in grade_submission(_explain(3), Submission(points=(0,)), None).logged


def test_explain_adjustments_are_any_grade() -> None:
    assert allowed_adjustments(QuestionType.EXPLAIN, False) == (0, 1, 2, 3, 4, 5)


@pytest.mark.parametrize(
    ("question_type", "difficulty", "seconds"),
    [
        ("explain", "easy", 60),
        ("explain", "medium", 90),
        ("explain", "hard", 120),
        ("flashcard", "hard", 120),
        ("true_false", "easy", 16),
        ("short_answer", "medium", 60),
    ],
)
def test_guide_seconds(question_type: str, difficulty: str, seconds: int) -> None:
    assert grading.guide_seconds(QuestionType(question_type), Difficulty(difficulty)) == seconds
