"""The format-independent bank model every parser produces and the importer consumes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from quizapp.banks.text import shown
from quizapp.vocabulary import CHOICE_TYPES as _CHOICE_TYPES
from quizapp.vocabulary import Difficulty, QuestionType

# The enums' values as plain strings, in declaration order (the schema and messages list them).
QUESTION_TYPES = tuple(t.value for t in QuestionType)
CHOICE_TYPES = tuple(t.value for t in QuestionType if t in _CHOICE_TYPES)
DIFFICULTIES = tuple(d.value for d in Difficulty)

Severity = Literal["error", "warning"]


def _digest(content: object) -> str:
    """Return the sha256 hex digest of ``content`` as canonical JSON."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Choice:
    """One option of a single- or multiple-choice question."""

    text: str
    correct: bool


@dataclass(frozen=True)
class Pair:
    """One pair of a matching question; an empty ``left`` is a distractor: a right-hand
    option that matches nothing."""

    left: str
    right: str


@dataclass(frozen=True)
class NumberRange:
    """An accepted range of a numerical question, inclusive: ``3.14 ± 0.01`` is 3.13..3.15."""

    low: Decimal
    high: Decimal

    def contains(self, value: Decimal) -> bool:
        """True when ``value`` lies in the range (ends included)."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Topic:
    """A group of questions within a bank."""

    slug: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Question:
    """One question; ``line`` is where it starts in the file and is not part of its content."""

    key: str
    topic: str
    type: str
    prompt: str
    explanation: str
    difficulty: str
    choices: tuple[Choice, ...] = ()
    answer: str | bool | None = None
    accepted: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    numbers: tuple[NumberRange, ...] = ()
    key_points: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source_article: str = ""
    source_section: str = ""
    # Excluded from ==: moving a question within its file does not change it.
    line: int | None = field(default=None, compare=False)

    def content(self) -> dict[str, object]:
        """Return the question's content (everything but ``line``) as JSON-ready data."""
        # Matching pairs, number ranges and key points appear only when present, so that adding
        # their question types left every earlier question's content (and hash) as it was.
        extra: dict[str, object] = {}
        if self.pairs:
            extra["pairs"] = [{"left": p.left, "right": p.right} for p in self.pairs]
        if self.numbers:
            extra["numbers"] = [{"low": str(n.low), "high": str(n.high)} for n in self.numbers]
        if self.key_points:
            extra["key_points"] = list(self.key_points)
        return {
            "key": self.key,
            "topic": self.topic,
            "type": self.type,
            "prompt": self.prompt,
            "explanation": self.explanation,
            "difficulty": self.difficulty,
            "choices": [{"text": c.text, "correct": c.correct} for c in self.choices],
            "answer": self.answer,
            "accepted": list(self.accepted),
            "tags": list(self.tags),
            "source_article": self.source_article,
            "source_section": self.source_section,
            **extra,
        }

    def content_hash(self) -> str:
        """Return a sha256 hex digest of the content; it changes exactly when the content does."""
        return _digest(self.content())


@dataclass(frozen=True)
class Bank:
    """A parsed question bank."""

    slug: str
    title: str
    version: int
    description: str
    source: str
    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]

    def content_hash(self) -> str:
        """Return a sha256 hex digest of the whole bank's content (line numbers excluded)."""
        return _digest(
            {
                "slug": self.slug,
                "title": self.title,
                "version": self.version,
                "description": self.description,
                "source": self.source,
                "topics": [[t.slug, t.name, t.description] for t in self.topics],
                "questions": [q.content() for q in self.questions],
            }
        )


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth a warning) in a bank file, located as precisely as possible."""

    file: str
    line: int | None
    question_id: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        """Format as ``bank.yaml:12: question 'q-7': no correct choice``, omitting absent parts."""
        # File names and ids come from uploads: shown() keeps control and bidi characters from
        # rewriting the log line or the page they are printed on.
        location = shown(self.file, quote=False) if self.file else ""
        if self.line is not None:
            location = f"{location}:{self.line}" if location else f"line {self.line}"
        parts = [location] if location else []
        if self.severity == "warning":
            parts.append("warning")
        if self.question_id is not None:
            parts.append(f"question {shown(self.question_id)}")
        parts.append(self.message)
        return ": ".join(parts)


@dataclass
class ParseResult:
    """The outcome of parsing one file: a bank when there were no errors, and all problems."""

    file: str
    bank: Bank | None
    problems: list[Problem]
    format: str | None = None  # the format the file was read as, once known

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the bank from being imported."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems worth reading that do not stop the import."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors
