"""Question banks, their topics and questions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.banks.model import NumberRange, Pair
from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.rendering import RENDERER_VERSION, inline_html, markdown_html
from quizapp.scheduling.queue import DIFFICULTY_ORDER
from quizapp.vocabulary import Difficulty, QuestionType, check_in

DIFFICULTY_RANK_SQL = (
    "CASE difficulty "
    + " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in DIFFICULTY_ORDER.items())
    + " END"
)


class Bank(db.Model):  # type: ignore[name-defined,misc]
    """An imported question bank."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    topics: Mapped[list[Topic]] = relationship(
        back_populates="bank", order_by="Topic.position", cascade="all, delete-orphan"
    )


class Topic(db.Model):  # type: ignore[name-defined,misc]
    """A topic declared by a bank; slugs are unique across banks."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    bank: Mapped[Bank] = relationship(back_populates="topics")


class Question(db.Model):  # type: ignore[name-defined,misc]
    """One question; edited in place on re-import and retired, never deleted."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "key", name="uq_questions_bank_key"),
        # A topic's active questions, in the queue's bank order: a walk that stops at the first
        # few the user has not seen (queue_data.new_cards).
        Index("ix_questions_new_order", "topic_id", "active", "difficulty_rank", "position", "id"),
        CheckConstraint(check_in("type", QuestionType), name="type_known"),
        CheckConstraint(check_in("difficulty", Difficulty), name="difficulty_known"),
        CheckConstraint(f"difficulty_rank = {DIFFICULTY_RANK_SQL}", name="difficulty_rank_matches"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    type: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    # Choice types: [{"text": ..., "correct": bool}, ...]; empty otherwise.
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Flashcard: the answer text; explain: the model answer (Markdown); true/false: a boolean;
    # matching: [{"left", "right"}, ...]; numerical: [{"low", "high"}, ...] with decimal
    # strings; others: null.
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    # Short answer: accepted answers.
    accepted: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Explain: the key points an interviewer listens for, in bank order.
    key_points: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    explanation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[str] = mapped_column(String(10))
    # The difficulty as its place in the queue's order (easy 0, medium 1, hard 2), so an index
    # can hold that order; the CHECK above keeps it equal to `difficulty`.
    difficulty_rank: Mapped[int] = mapped_column(SmallInteger)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_article: Mapped[str] = mapped_column(String(300), default="")
    source_section: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Bumped on every edit.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The Markdown parts as sanitised HTML (rendering.question_html), written with the text by
    # the import so that pages insert them instead of rendering them (a tenth of a question
    # page's CPU). None, or another renderer version, means they are rendered on display.
    rendered: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bank: Mapped[Bank] = relationship()
    topic: Mapped[Topic] = relationship()

    def _stored_html(self, part: str) -> Any:
        stored = self.rendered
        if isinstance(stored, dict) and stored.get("v") == RENDERER_VERSION:
            return stored.get(part)
        return None

    def html(self, part: str) -> Markup:
        """The prompt, explanation or text answer ("prompt", ...) as sanitised HTML."""
        stored = self._stored_html(part)
        if isinstance(stored, str):
            return Markup(stored)  # noqa: S704 - rendering.question_html's sanitised output
        text = getattr(self, part)
        return markdown_html(text) if isinstance(text, str) and text else Markup("")

    def choice_html(self, index: int) -> Markup:
        """Choice ``index`` (bank order) as sanitised inline HTML."""
        stored = self._stored_html("choices")
        if isinstance(stored, list) and len(stored) == len(self.choices):
            return Markup(stored[index])  # noqa: S704 - sanitised when stored
        return inline_html(self.choices[index]["text"])

    def left_html(self, index: int) -> Markup:
        """Left-hand item ``index`` of a matching question (bank order) as inline HTML."""
        pairs = self.matching_pairs()
        stored = self._stored_html("lefts")
        if isinstance(stored, list) and len(stored) == len(pairs):
            return Markup(stored[index])  # noqa: S704 - sanitised when stored
        return inline_html(pairs[index].left)

    def matching_pairs(self) -> tuple[Pair, ...]:
        """A matching question's pairs (empty for other types)."""
        if self.type != QuestionType.MATCHING or not isinstance(self.answer, list):
            return ()
        return tuple(Pair(p["left"], p["right"]) for p in self.answer)

    def number_ranges(self) -> tuple[NumberRange, ...]:
        """A numerical question's accepted ranges (empty for other types)."""
        if self.type != QuestionType.NUMERICAL or not isinstance(self.answer, list):
            return ()
        return tuple(NumberRange(Decimal(n["low"]), Decimal(n["high"])) for n in self.answer)
