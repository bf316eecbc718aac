"""Account forms."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from quizapp.scheduling.studyday import is_valid_timezone
from quizapp.security import invisible_char

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def _visible(form: FlaskForm, field: StringField) -> None:
    # Others see display names (admins, in flags): no hidden or direction-changing characters.
    if invisible_char(field.data or ""):
        raise ValidationError("Use visible characters only: no control or invisible characters.")


def _timezone(form: FlaskForm, field: StringField) -> None:
    if not is_valid_timezone((field.data or "").strip()):
        raise ValidationError(
            "Unknown time zone; type a city such as Europe/Berlin and pick it from the list."
        )


def _zone_field() -> StringField:
    # A text box with the zone list as suggestions (a datalist): typing "kol" finds
    # Asia/Kolkata among 597 zones, where a select would need scrolling.
    return StringField(
        "Time zone", validators=[DataRequired(), _timezone], filters=[lambda v: (v or "").strip()]
    )


class RegisterForm(FlaskForm):
    """Create an account."""

    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=80), _visible]
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    # Filled in from the browser's own zone by app.js; the server checks it like any input.
    timezone = _zone_field()


class LoginForm(FlaskForm):
    """Log in."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField("Remember me")


class ResetForm(FlaskForm):
    """Choose a new password from a reset link."""

    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class PasswordForm(ResetForm):
    """Change the password; asks for the current one as well."""

    current = PasswordField("Current password", validators=[DataRequired()])


class SettingsForm(FlaskForm):
    """Study preferences."""

    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=80), _visible]
    )
    timezone = _zone_field()
    day_start_hour = IntegerField(
        "Study day starts at (hour, 0–23)",
        validators=[InputRequired(), NumberRange(min=0, max=23)],
    )
    new_per_day = IntegerField(
        "New questions per day", validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    reviews_per_day = IntegerField(
        "Maximum reviews per day", validators=[InputRequired(), NumberRange(min=0, max=10000)]
    )
    interview_date = DateField("Interview date (optional)", validators=[Optional()])

    def __init__(self, *args: object, today: date | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_interview_date(self, field: DateField) -> None:
        """An interview date must be today or later in the user's own calendar."""
        if field.data is not None and self.today is not None and field.data < self.today:
            raise ValidationError(
                f"That day has passed (today is {self.today.isoformat()}): pick the day of your "
                "interview, or leave it empty."
            )

    reminders_enabled = BooleanField("Email me a daily reminder when questions are due")
    reminder_hour = IntegerField(
        "Reminder hour (local, 0–23)", validators=[InputRequired(), NumberRange(min=0, max=23)]
    )


class ForgotForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
