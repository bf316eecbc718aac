"""Accounts."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import UTCDateTime
from quizapp.extensions import db

DEFAULT_DAY_START_HOUR = 4
DEFAULT_NEW_PER_DAY = 10
DEFAULT_REVIEWS_PER_DAY = 200


def new_session_token() -> str:
    """Return a fresh random token that identifies a user's current log-ins."""
    return secrets.token_urlsafe(24)


def normalize_email(email: str) -> str:
    """Return the canonical, case-insensitive form of an email address."""
    return email.strip().lower()


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A job seeker or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("day_start_hour BETWEEN 0 AND 23", name="day_start_hour_range"),
        CheckConstraint("new_per_day BETWEEN 0 AND 1000", name="new_per_day_range"),
        CheckConstraint("reviews_per_day BETWEEN 0 AND 10000", name="reviews_per_day_range"),
        CheckConstraint("reminder_hour BETWEEN 0 AND 23", name="reminder_hour_range"),
        CheckConstraint("extra_new BETWEEN 0 AND 100000", name="extra_new_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (lower-case), so the unique index is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    day_start_hour: Mapped[int] = mapped_column(Integer, default=DEFAULT_DAY_START_HOUR)
    new_per_day: Mapped[int] = mapped_column(Integer, default=DEFAULT_NEW_PER_DAY)
    reviews_per_day: Mapped[int] = mapped_column(Integer, default=DEFAULT_REVIEWS_PER_DAY)
    interview_date: Mapped[date | None] = mapped_column(Date)
    # "Study N more new questions today": extra new questions allowed on `extra_new_day` only,
    # on top of new_per_day (the setting itself is not changed).
    extra_new_day: Mapped[date | None] = mapped_column(Date)
    extra_new: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_hour: Mapped[int] = mapped_column(Integer, default=18)
    # Part of the log-in cookie: rotating it ends every other session (password change).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login: deactivated users cannot log in and are logged out."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login: the id stored in the session cookie."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserExcludedTopic(db.Model):  # type: ignore[name-defined,misc]
    """A topic a user chose not to study; everything else is studied by default."""

    __tablename__ = "user_excluded_topics"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
