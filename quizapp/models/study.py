"""Study sessions: the ordered questions a user works through in one sitting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.models.bank import Question
from quizapp.vocabulary import ANSWER_MODES, SessionMode, check_in


class StudySession(db.Model):  # type: ignore[name-defined,misc]
    """A quiz sitting built from the daily queue (or a practice selection)."""

    __tablename__ = "study_sessions"
    __table_args__ = (
        Index("ix_study_sessions_user_day", "user_id", "study_day"),
        CheckConstraint(check_in("mode", SessionMode), name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    study_day: Mapped[date] = mapped_column()
    mode: Mapped[str] = mapped_column(String(10), default=SessionMode.DAILY.value)
    topic_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Mock interviews: the server's deadline, and what the report compares against
    # ({"minutes": 15, "readiness_before": {topic_id: percent}}).
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class StudySessionItem(db.Model):  # type: ignore[name-defined,misc]
    """One presentation of a question within a session."""

    __tablename__ = "study_session_items"
    __table_args__ = (
        Index("ix_study_session_items_session_order", "session_id", "sort_key"),
        # The items still to answer (answered_at IS NULL), in order: the next item is the first
        # entry that is ready and "what remains" counts entries, however long the session
        # already is. (Not a partial index: with two indexes on session_id, SQLite's planner
        # may pick the other one; this one matches two columns and always wins.)
        Index("ix_study_session_items_pending", "session_id", "answered_at", "sort_key", "id"),
        # Every column the progress counts read (study.session_progress), so they come from
        # the index alone.
        Index(
            "ix_study_session_items_counts",
            "session_id",
            "kind",
            "answered_at",
            "origin_item_id",
            "question_id",
        ),
        # An item's answer is logged with its kind as the review mode.
        CheckConstraint(check_in("kind", ANSWER_MODES), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("study_sessions.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    # Float so that a re-asked item can be slotted between two others without renumbering.
    sort_key: Mapped[float] = mapped_column(Float)
    # Seeds the choice shuffle: stable within a presentation, new for the next one.
    shuffle_seed: Mapped[int] = mapped_column(Integer)
    # The failed item this re-ask repeats (SM-2 rule 6); undo removes it with its origin.
    origin_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_session_items.id", ondelete="CASCADE")
    )
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), unique=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A re-ask is not shown before this moment while other items wait (queue.reask_plan).
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship()
