"""Outgoing mail: written first, sent afterwards by the sender, so no message is lost or doubled."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.vocabulary import OutboxStatus, check_in


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """One message to one user, or the decision not to send one for a study day."""

    __tablename__ = "outbox"
    __table_args__ = (
        # One reminder per user per study day, whatever runs or processes try to insert it.
        UniqueConstraint("kind", "user_id", "study_day", name="uq_outbox_kind_user_day"),
        # The sender's queue and the nightly purge.
        Index("ix_outbox_status_id", "status", "id"),
        # A skipped row (the day's decision was "no message") is kept so the user is not looked
        # at again that day.
        CheckConstraint(check_in("status", OutboxStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The user's study day the message is for (NULL for kinds that are not daily).
    study_day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING.value)
    # Why a day was skipped, or the summary line of a message.
    reason: Mapped[str] = mapped_column(String(200), default="")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.kind} user={self.user_id} {self.study_day} {self.status}>"
