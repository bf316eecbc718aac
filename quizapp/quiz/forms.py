"""Quiz forms: CSRF-protected; the answer fields vary by question type."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.models.flag import FLAG_REASONS


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


class FlagForm(FlaskForm):
    """Report a question as wrong or unclear."""

    reason = RadioField("What is wrong?", choices=dict(FLAG_REASONS), validators=[DataRequired()])
    comment = TextAreaField("Details (optional)", validators=[Optional(), Length(max=2000)])
    back = HiddenField()
