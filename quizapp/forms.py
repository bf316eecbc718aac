"""Forms shared by every blueprint."""

from __future__ import annotations

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state."""
