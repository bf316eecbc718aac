"""The examples in docs/bank-format.md parse as the text around them says."""

from __future__ import annotations

import re

from tests.banks.helpers import DOCS, error_text, parse

FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    text = (DOCS / "bank-format.md").read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def test_native_example() -> None:
    (example,) = blocks("yaml")
    result = parse(example, "sql-basics.yaml")
    assert result.ok and not result.problems, error_text(result)


def test_plain_csv_example() -> None:
    _layout, plain = blocks("csv")
    result = parse(plain, "terms.csv")
    assert result.bank is not None, error_text(result)
    assert [(q.type, q.prompt) for q in result.bank.questions] == [("flashcard", "mutable")]


def test_csv_example() -> None:
    example, _plain = blocks("csv")
    result = parse(example, "sql-basics.csv")
    assert result.ok and not result.problems, error_text(result)
    assert result.bank is not None
    assert [q.type for q in result.bank.questions] == [
        "single_choice", "true_false", "short_answer", "flashcard"
    ]  # fmt: skip


def test_anki_example() -> None:
    (example,) = [b for b in blocks("text") if b.startswith("#separator")]
    result = parse(example, "python.txt")
    assert result.bank is not None, error_text(result)
    assert [q.topic for q in result.bank.questions] == [
        "python-python-basics",
        "python-python-advanced",  # a cloze note with two gaps: one card each
        "python-python-advanced",
    ]


def test_gift_example() -> None:
    (example,) = [b for b in blocks("text") if b.startswith("//")]
    result = parse(example, "grant.gift")
    assert result.ok, error_text(result)
    # Four of the examples carry no feedback, which the docs say gives one warning.
    assert [p.message.split(" have")[0] for p in result.warnings] == ["4 question(s)"]
    assert result.bank is not None
    assert result.bank.questions[0].key == "grant-tomb"
    assert result.bank.questions[-1].explanation.startswith("Ulysses S. Grant and his wife")
    assert [q.type for q in result.bank.questions] == [
        "single_choice", "true_false", "true_false", "short_answer", "single_choice",
        "multiple_choice",
    ]  # fmt: skip
