"""Account changes, each one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.clock import utcnow
from quizapp.extensions import db
from quizapp.models.user import User, new_session_token, normalize_email

# Checked against when the email is unknown, so both failures take the same time.
_DUMMY_HASH: dict[str, str] = {}


class EmailTaken(Exception):
    """An account with this email already exists."""


def hash_password(password: str) -> str:
    """Hash a password with the configured slow KDF."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASH[method]


def find_user_by_email(email: str) -> User | None:
    """Return the user with this email (any case), or None."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    email: str,
    password: str,
    display_name: str,
    *,
    is_admin: bool = False,
    timezone: str = "UTC",
) -> User:
    """Create an account; raises EmailTaken when the email is in use."""
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        is_admin=is_admin,
        timezone=timezone,
        created_at=utcnow(),
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise EmailTaken(email) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (one answer for both failures)."""
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else _dummy_hash()
    # End the transaction before the deliberately slow hash check: on SQLite a POST's
    # transaction holds the write lock, and other writers must not wait for a KDF.
    db.session.rollback()
    if not check_password_hash(stored, password) or user is None or not user.active:
        return None
    return user


def set_password(user: User, new: str) -> None:
    """Set a new password and end every session of the account (a new session token)."""
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    db.session.commit()


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if the current one is right; ends the user's other sessions."""
    if not check_password_hash(user.password_hash, current):
        return False
    set_password(user, new)
    return True


def end_all_sessions(user: User) -> None:
    """Log the user out everywhere: every session and remember-me cookie names the old token."""
    user.session_token = new_session_token()
    db.session.commit()


def set_admin(email: str, password: str | None) -> tuple[User, bool]:
    """Create an admin or promote an existing user; returns (user, created)."""
    user = find_user_by_email(email)
    if user is None:
        if not password:
            raise ValueError("a password is needed to create a new admin")
        return create_user(email, password, email.split("@", 1)[0], is_admin=True), True
    user.is_admin = True
    if password:
        user.password_hash = hash_password(password)
        user.session_token = new_session_token()
    db.session.commit()
    return user, False


@dataclass(frozen=True)
class SettingsChange:
    """The editable study settings of a user."""

    display_name: str
    timezone: str
    day_start_hour: int
    new_per_day: int
    reviews_per_day: int
    interview_date: date | None
    reminders_enabled: bool
    reminder_hour: int


def set_new_per_day(user: User, new_per_day: int) -> None:
    """Change only the user's new-questions-per-day limit (the interview plan's one click)."""
    user.new_per_day = new_per_day
    db.session.commit()


def update_settings(user: User, change: SettingsChange) -> None:
    """Save a user's settings."""
    user.display_name = change.display_name.strip()
    user.timezone = change.timezone
    user.day_start_hour = change.day_start_hour
    user.new_per_day = change.new_per_day
    user.reviews_per_day = change.reviews_per_day
    user.interview_date = change.interview_date
    user.reminders_enabled = change.reminders_enabled
    user.reminder_hour = change.reminder_hour
    db.session.commit()
