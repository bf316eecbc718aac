"""Users' reports of wrong or unclear questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.models.bank import Question
from quizapp.models.user import User

FLAG_REASONS = {
    "wrong": "The answer is wrong",
    "unclear": "The question is unclear",
    "other": "Something else",
}


class QuestionFlag(db.Model):  # type: ignore[name-defined,misc]
    """A report on a question, open until an admin resolves it."""

    __tablename__ = "question_flags"
    __table_args__ = (Index("ix_question_flags_open", "resolved_at", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
