"""Quiz forms: CSRF-protected; the answer fields vary by question type."""

from __future__ import annotations

import functools
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from quizapp.models.flag import FLAG_REASONS
from quizapp.scheduling.grading import MAX_EXPLAIN_TEXT, MAX_TEXT_ANSWER, Submission
from quizapp.scheduling.sm2 import MAX_GRADE, MIN_GRADE
from quizapp.services.study import MAX_EXTRA_NEW
from quizapp.vocabulary import QuestionType

NOT_A_CHOICE = "That choice is not one of this question's choices."
GRADE_RANGE = f"Choose a grade from {MIN_GRADE} to {MAX_GRADE}."

# The fields that carry the answer to each question type; the others are not read.
ANSWER_FIELDS: dict[QuestionType, tuple[str, ...]] = {
    QuestionType.FLASHCARD: ("grade",),
    QuestionType.SINGLE_CHOICE: ("choice",),
    QuestionType.MULTIPLE_CHOICE: ("choice",),
    QuestionType.TRUE_FALSE: ("truth",),
    QuestionType.SHORT_ANSWER: ("text",),
    QuestionType.NUMERICAL: ("text",),
    QuestionType.MATCHING: ("match",),
    QuestionType.EXPLAIN: ("points", "hesitant", "notes"),
}
_ALL_ANSWER_FIELDS = frozenset(name for names in ANSWER_FIELDS.values() for name in names)


def _whole_number(raw: str, *, signed: bool = False) -> int:
    """A whole number in ASCII digits (at most nine), or ValueError."""
    digits = raw[1:] if signed and raw.startswith("-") else raw
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        raise ValueError(raw)
    return int(raw)


class WholeNumberField(HiddenField):
    """A hidden whole number; empty is None, anything else but ASCII digits is an error."""

    def __init__(self, *args: Any, message: str, signed: bool = False, **kwargs: Any) -> None:
        """``message`` is the error for a value that is not a whole number."""
        super().__init__(*args, **kwargs)
        self.message = message
        self.signed = signed

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the first value strictly (never "" as 0, never "²" or "3.5")."""
        self.data = None
        raw = str(valuelist[0]).strip() if valuelist else ""
        if raw:
            try:
                self.data = _whole_number(raw, signed=self.signed)
            except ValueError:
                raise ValueError(self.message) from None

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class PicksField(Field):
    """Picked choices as their bank indexes; empty values are no pick, never choice 0."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Starts with no choices allowed; ``AnswerForm`` sets how many the question has."""
        super().__init__(*args, **kwargs)
        self.choice_count = 0
        self.single = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Every non-empty value must be a whole number."""
        self.data = []
        for value in valuelist:
            raw = str(value).strip()
            if not raw:
                continue
            try:
                self.data.append(_whole_number(raw))
            except ValueError:
                raise ValueError(NOT_A_CHOICE) from None

    def pre_validate(self, form: Any) -> None:
        """Every pick is one of the question's choices; a single choice is one pick."""
        if self.process_errors:
            raise StopValidation()
        if any(pick >= self.choice_count for pick in self.data or ()):
            raise StopValidation(NOT_A_CHOICE)
        if self.single and len(set(self.data or ())) > 1:
            raise StopValidation("Pick exactly one answer.")


class MatchesField(Field):
    """Matching picks, one per left-hand item in order: an option index, or None when the
    item was left unmatched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Starts with no options; ``AnswerForm`` sets how many the question has."""
        super().__init__(*args, **kwargs)
        self.option_count = 0

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Every non-empty value must be a whole number."""
        self.data = []
        for value in valuelist:
            raw = str(value).strip()
            try:
                self.data.append(_whole_number(raw) if raw else None)
            except ValueError:
                raise ValueError(NOT_A_CHOICE) from None

    def pre_validate(self, form: Any) -> None:
        """Every pick is one of the question's options."""
        if self.process_errors:
            raise StopValidation()
        if any(p is not None and p >= self.option_count for p in self.data or ()):
            raise StopValidation(NOT_A_CHOICE)


class AnswerForm(FlaskForm):
    """One answer. Only the fields of the question's type are kept, parsed and required."""

    version = WholeNumberField(message="The page is out of date; reload it and answer again.")
    elapsed_ms = WholeNumberField(message="The answer time is not a number.", signed=True)
    text = StringField(
        "Your answer",
        validators=[DataRequired("Type an answer first."), Length(max=MAX_TEXT_ANSWER)],
    )
    choice = PicksField("Your answer")
    match = MatchesField("Your matches")
    truth = StringField(validators=[DataRequired("Choose true or false.")])
    grade = WholeNumberField(message=GRADE_RANGE)
    # Explain: the key points covered (none is a valid answer), fluency, the user's own words.
    points = PicksField("Key points you covered")
    hesitant = BooleanField("I hesitated or needed several tries")
    notes = TextAreaField(
        "Your answer (type it, or say it aloud and note a few words)",
        validators=[Optional(), Length(max=MAX_EXPLAIN_TEXT)],
    )

    def __init__(self, question_type: QuestionType, choice_count: int = 0, **kwargs: Any) -> None:
        """The answer form for one question (build it with ``answer_form``).

        ``choice_count`` is how many choices, matching options or key points it offers.
        """
        super().__init__(**kwargs)
        kept = ANSWER_FIELDS[question_type]
        self.question_type = question_type
        if "choice" in kept:
            self.choice.choice_count = choice_count
            self.choice.single = question_type == QuestionType.SINGLE_CHOICE
        if "match" in kept:
            self.match.option_count = choice_count
        if "points" in kept:
            self.points.choice_count = choice_count

    def validate_choice(self, field: PicksField) -> None:
        """At least one pick."""
        if not field.data:
            raise ValidationError(
                "Pick an answer first."
                if field.single
                else "Pick at least one answer (every one you think is right)."
            )

    def validate_truth(self, field: StringField) -> None:
        """True or false, nothing else."""
        if (field.data or "").strip().lower() not in ("true", "false"):
            raise ValidationError("Choose true or false.")

    def validate_grade(self, field: WholeNumberField) -> None:
        """A grade from 0 to 5 is required."""
        if field.process_errors:
            raise StopValidation()
        if field.data is None or not MIN_GRADE <= field.data <= MAX_GRADE:
            raise ValidationError(GRADE_RANGE)

    def submission(self) -> Submission:
        """The parsed answer, for the grader (call after ``validate_on_submit``)."""
        match ANSWER_FIELDS[self.question_type][0]:
            case "grade":
                return Submission(grade=self.grade.data)
            case "choice":
                return Submission(selected=tuple(self.choice.data))
            case "truth":
                return Submission(truth=self.truth.data.strip().lower() == "true")
            case "match":
                return Submission(matches=tuple(self.match.data or ()))
            case "points":
                return Submission(
                    points=tuple(self.points.data or ()),
                    hesitant=bool(self.hesitant.data),
                    text=self.notes.data,
                )
            case _:
                return Submission(text=self.text.data)

    def elapsed(self) -> int | None:
        """The answer time in ms; outside a day it is a stale page or a tampered field."""
        elapsed = self.elapsed_ms.data
        return elapsed if elapsed is not None and 0 <= elapsed <= 86_400_000 else None

    @property
    def first_error(self) -> str | None:
        """The first message of a field that is not shown beside an input (stale version)."""
        for name in ("version", "elapsed_ms"):
            errors = self[name].errors
            if errors:
                return str(errors[0])
        return None


@functools.cache
def _answer_form_class(question_type: QuestionType) -> type[AnswerForm]:
    # A field set to None is no field of the subclass: the other types' fields are never
    # bound or processed. Binding all eleven and deleting eight made WTForms 4.5% of an
    # answer cycle's CPU time; with a class per type it is 2.8%.
    dropped = {name: None for name in _ALL_ANSWER_FIELDS - set(ANSWER_FIELDS[question_type])}
    return type(f"{question_type.name.title()}AnswerForm", (AnswerForm,), dropped)


def answer_form(question_type: QuestionType, choice_count: int = 0, **kwargs: Any) -> AnswerForm:
    """The answer form of one question type: only that type's fields are kept and parsed."""
    return _answer_form_class(question_type)(question_type, choice_count, **kwargs)


class AdjustForm(FlaskForm):
    """Change the grade of the last answer."""

    grade = HiddenField()


class TopicsForm(FlaskForm):
    """Which topics to study; topic ids arrive as repeated `topic` values."""


class MoreNewForm(FlaskForm):
    """Study N more new questions today (topic ids arrive as repeated `topic` values)."""

    more = IntegerField(
        "More new questions today",
        validators=[
            InputRequired(message="Say how many more new questions to study today."),
            NumberRange(
                min=1, max=MAX_EXTRA_NEW, message=f"Choose from 1 to {MAX_EXTRA_NEW} at a time."
            ),
        ],
    )


class FlagForm(FlaskForm):
    """Report a question as wrong or unclear."""

    reason = RadioField("What is wrong?", choices=dict(FLAG_REASONS), validators=[DataRequired()])
    comment = TextAreaField("Details (optional)", validators=[Optional(), Length(max=2000)])
    back = HiddenField()
