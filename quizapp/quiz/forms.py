"""Quiz forms: CSRF-protected; the answer fields vary by question type."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quizapp.models.flag import FLAG_REASONS
from quizapp.services.study import MAX_EXTRA_NEW


class AnswerForm(FlaskForm):
    """One answer. Choices arrive as repeated `choice` values (original indexes)."""

    version = HiddenField()
    elapsed_ms = HiddenField()
    text = StringField("Your answer", validators=[Optional(), Length(max=500)])
    truth = HiddenField()
    grade = HiddenField()


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
