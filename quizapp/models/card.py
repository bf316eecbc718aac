"""A user's SM-2 state for one question."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.models.bank import Question


class CardState(db.Model):  # type: ignore[name-defined,misc]
    """SM-2 state of one question for one user; written only by the review service."""

    __tablename__ = "card_states"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_card_states_user_question"),
        # The daily queue: a user's due cards by study day, with every column the queue reads,
        # so it is built from this index alone (queue_data.due_cards).
        Index(
            "ix_card_states_queue",
            "user_id",
            "due_day",
            "suspended",
            "question_active",
            "interval_days",
            "easiness",
            "question_id",
            "topic_id",
        ),
        # A question's cards, for a re-import that moves or retires it.
        Index("ix_card_states_question", "question_id"),
        # New cards introduced today count against the new-per-day limit.
        Index("ix_card_states_user_introduced", "user_id", "introduced_day"),
        CheckConstraint("easiness >= 130", name="easiness_floor"),
        CheckConstraint("repetitions >= 0 AND interval_days >= 0", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    # Copies of the question's topic and active flag, so the queue never reads the questions
    # table; written with the card and by the import that changes them (bank_import).
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    question_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    repetitions: Mapped[int] = mapped_column(Integer, default=0)
    # Easiness factor in hundredths (250 = 2.50): exact, never a binary float.
    easiness: Mapped[int] = mapped_column(Integer, default=250)
    interval_days: Mapped[int] = mapped_column(Integer, default=0)
    due_day: Mapped[date] = mapped_column(Date)
    introduced_day: Mapped[date] = mapped_column(Date)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    # Incremented by every write; updates are conditional on it (optimistic concurrency).
    version: Mapped[int] = mapped_column(Integer, default=0)

    question: Mapped[Question] = relationship()
