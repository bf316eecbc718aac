"""Building banks and answers for tests through the same services the app uses."""

from __future__ import annotations

from decimal import Decimal

from quizapp.banks.model import Bank, Choice, NumberRange, Pair, Question, Topic
from quizapp.services.bank_import import apply_import

ARTICLE = "Interview Questions I Faced for a Python Developer"


def question(key: str, type_: str = "single_choice", topic: str = "signals", **fields) -> Question:
    """A valid question of the given type."""
    base = {
        "key": key,
        "topic": topic,
        "type": type_,
        "prompt": fields.pop("prompt", f"Prompt of {key}?"),
        "explanation": fields.pop("explanation", f"Because of {key}."),
        "difficulty": fields.pop("difficulty", "easy"),
        "source_article": ARTICLE,
        "source_section": "1. What is a Django Signal?",
    }
    if type_ == "single_choice":
        base["choices"] = (
            Choice("Right", True),
            Choice("Wrong A", False),
            Choice("Wrong B", False),
        )
    elif type_ == "multiple_choice":
        base["choices"] = (Choice("Right 1", True), Choice("Right 2", True), Choice("Wrong", False))
    elif type_ == "true_false":
        base["answer"] = True
    elif type_ == "short_answer":
        base["accepted"] = ("post_save", "django.db.models.signals.post_save")
    elif type_ == "flashcard":
        base["answer"] = "The **answer**."
    elif type_ == "matching":
        base["pairs"] = (
            Pair("`post_save`", "after save()"),
            Pair("`pre_delete`", "before delete()"),
            Pair("`m2m_changed`", "a many-to-many set changes"),
            Pair("", "on every request"),
        )
    elif type_ == "numerical":
        base["numbers"] = (NumberRange(Decimal("3.13"), Decimal("3.15")),)
    elif type_ == "explain":
        base["answer"] = "Signals **decouple** senders from receivers."
        base["key_points"] = (
            "a sender notifies receivers",
            "receivers are connected with @receiver",
            "post_save runs after Model.save()",
            "bulk_create and update() send no signals",
        )
    base.update(fields)
    return Question(**base)


def bank(
    slug: str = "interview", questions: list[Question] | None = None, topics=None, **fields
) -> Bank:
    """A valid bank."""
    qs = tuple(questions if questions is not None else [question(f"q{i}") for i in range(1, 4)])
    declared = topics or tuple(
        Topic(slug, slug.replace("-", " ").title()) for slug in dict.fromkeys(q.topic for q in qs)
    )
    values = {
        "slug": slug,
        "title": fields.pop("title", "Interview questions"),
        "version": fields.pop("version", 1),
        "description": "",
        "source": ARTICLE,
        "topics": tuple(declared),
        "questions": qs,
    }
    values.update(fields)
    return Bank(**values)


def load(app, parsed: Bank):
    """Import a bank into the app's database."""
    with app.app_context():
        return apply_import(parsed)


def mixed_bank(slug: str = "mixed") -> Bank:
    """One question of every type, in one topic."""
    return bank(
        slug,
        [
            question("sc", "single_choice"),
            question("mc", "multiple_choice"),
            question("tf", "true_false"),
            question("sa", "short_answer"),
            question("fc", "flashcard"),
        ],
    )
