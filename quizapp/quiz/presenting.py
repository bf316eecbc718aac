"""How a question is shown: the choice order of one presentation, and answer feedback."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from quizapp.models import CardState, Question, Review, StudySessionItem
from quizapp.scheduling.sm2 import needs_reask


@dataclass(frozen=True)
class ShownChoice:
    """A choice as displayed: its number on screen and its index in the bank."""

    number: int
    index: int
    text: str
    correct: bool


def shown_choices(question: Question, item: StudySessionItem) -> list[ShownChoice]:
    """The question's choices shuffled by the item's seed: stable within one presentation."""
    order = list(range(len(question.choices)))
    # Not for security: only varies the order between presentations.
    random.Random(item.shuffle_seed).shuffle(order)  # noqa: S311
    return [
        ShownChoice(
            number,
            index,
            question.choices[index]["text"],
            bool(question.choices[index].get("correct")),
        )
        for number, index in enumerate(order, start=1)
    ]


def expected_answer(question: Question) -> str | None:
    """The expected answer as text for true/false and short answers (Markdown for flashcards)."""
    if question.type == "true_false":
        return "True" if question.answer else "False"
    if question.type == "short_answer":
        return " / ".join(question.accepted)
    if question.type == "flashcard":
        return str(question.answer)
    return None


def comes_back(review: Review, today: date) -> str:
    """When the card is due again, in words ("in 6 days")."""
    if needs_reask(review.grade):
        return "later in this session, then " + _days(review.due_after, today)
    return _days(review.due_after, today)


def _days(due: date, today: date) -> str:
    days = (due - today).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def card_version(card: CardState | None) -> int:
    """The version an answer form carries (0 for a question never answered)."""
    return card.version if card else 0
