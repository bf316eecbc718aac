"""Mock interview forms (CSRF-protected)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from quizapp.scheduling.mock import MOCK_LENGTHS


class StartForm(FlaskForm):
    """How long; the topics arrive as repeated `topic` values (none: a mix of the studied)."""

    minutes = RadioField(
        "Length",
        choices={m: f"{m} minutes" for m in MOCK_LENGTHS},
        coerce=int,
        default=MOCK_LENGTHS[0],
        validators=[InputRequired("Choose how long the interview lasts.")],
    )
