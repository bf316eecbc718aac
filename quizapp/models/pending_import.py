"""Uploaded bank files waiting for an admin's confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import UTCDateTime
from quizapp.extensions import db


class PendingImport(db.Model):  # type: ignore[name-defined,misc]
    """An upload previewed but not yet applied; the bytes are parsed again on confirm."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Shown to the admin only; never used as a path.
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(10))
    strict: Mapped[bool] = mapped_column(default=False)
    # Anki exports: which fields are the prompt, answer and explanation ("1,3,2"); "" = default.
    fields: Mapped[str] = mapped_column(String(60), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
