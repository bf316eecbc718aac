"""The append-only log of answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.vocabulary import ReviewMode, check_in


class Review(db.Model):  # type: ignore[name-defined,misc]
    """One answer, with the card state before and after it."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_user_time", "user_id", "reviewed_at"),
        Index("ix_reviews_user_day", "user_id", "study_day"),
        Index("ix_reviews_user_question_time", "user_id", "question_id", "reviewed_at"),
        Index("ix_reviews_question", "question_id"),
        CheckConstraint("grade BETWEEN 0 AND 5", name="grade_range"),
        # "reset" rows record a user starting a card over; statistics count ANSWER_MODES only.
        CheckConstraint(check_in("mode", ReviewMode), name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The user's study day at answer time (their zone and day-start hour then).
    study_day: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(10))
    grade: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    repetitions_before: Mapped[int] = mapped_column(Integer)
    easiness_before: Mapped[int] = mapped_column(Integer)
    interval_before: Mapped[int] = mapped_column(Integer)
    due_before: Mapped[date | None] = mapped_column(Date)
    lapses_before: Mapped[int] = mapped_column(Integer)
    repetitions_after: Mapped[int] = mapped_column(Integer)
    easiness_after: Mapped[int] = mapped_column(Integer)
    interval_after: Mapped[int] = mapped_column(Integer)
    due_after: Mapped[date] = mapped_column(Date)
    lapses_after: Mapped[int] = mapped_column(Integer)
