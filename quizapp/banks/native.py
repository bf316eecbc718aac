"""Read the native format (YAML or JSON with the structure of bank.schema.json)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from quizapp.banks.errors import SourceError
from quizapp.banks.json_source import load_json
from quizapp.banks.model import Bank, Choice, NumberRange, Pair, Problem, Question, Topic
from quizapp.banks.schema import check_schema
from quizapp.banks.text import clean_line, clean_markdown
from quizapp.banks.validate import Draft
from quizapp.banks.yaml_source import LineMap, load_yaml

_BANK_FIELDS = ("slug", "title", "version", "description", "source", "topics")


def _text(mapping: dict[str, Any], key: str) -> str:
    value = mapping.get(key, "")
    return clean_line(value) if isinstance(value, str) else ""


def _question(raw: dict[str, Any], line: int | None) -> Question:
    """Build a Question from a mapping that passed the schema."""
    answer = raw.get("answer")
    source = raw.get("source", {})
    return Question(
        key=raw["id"],
        topic=raw["topic"],
        type=raw["type"],
        prompt=clean_markdown(raw["prompt"]),
        explanation=clean_markdown(raw["explanation"]),
        difficulty=raw["difficulty"],
        choices=tuple(
            Choice(clean_line(c["text"]), c.get("correct", False)) for c in raw.get("choices", [])
        ),
        answer=clean_markdown(answer) if isinstance(answer, str) else answer,
        accepted=tuple(clean_line(a) for a in raw.get("answers", [])),
        pairs=tuple(
            Pair(clean_line(p["left"]), clean_line(p["right"])) for p in raw.get("pairs", [])
        ),
        numbers=tuple(number_range(n) for n in raw.get("numbers", [])),
        key_points=tuple(clean_line(p) for p in raw.get("key_points", [])),
        tags=tuple(clean_line(t) for t in raw.get("tags", [])),
        source_article=_text(source, "article"),
        source_section=_text(source, "section"),
        line=line,
    )


def _decimal(value: float | int) -> Decimal:
    # Through str: the float 0.1 is written "0.1" in the file and means 0.1, not its binary
    # approximation.
    return Decimal(str(value))


def number_range(raw: dict[str, Any]) -> NumberRange:
    """An accepted range from ``{value}``, ``{value, tolerance}`` or ``{min, max}``."""
    if "value" in raw:
        value, tolerance = _decimal(raw["value"]), _decimal(raw.get("tolerance", 0))
        return NumberRange(value - tolerance, value + tolerance)
    return NumberRange(_decimal(raw["min"]), _decimal(raw["max"]))


def _version(value: object) -> int:
    # The schema has already reported anything that is not a whole number >= 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 1
    if isinstance(value, float) and not value.is_integer():
        return 1
    return max(1, int(value))


def _field_lines(data: dict[str, Any], lines: LineMap) -> dict[str, int]:
    out = {name: lines[(name,)] for name in _BANK_FIELDS if (name,) in lines}
    topics = data.get("topics")
    if isinstance(topics, list):
        for index in range(len(topics)):
            if ("topics", index) in lines:
                out[f"topics[{index}]"] = lines[("topics", index)]
    return out


def read_native(text: str, file: str, fmt: str) -> Draft:
    """Parse and schema-check a native bank; fmt is "yaml" or "json"."""
    try:
        data, lines = (load_json if fmt == "json" else load_yaml)(text)
    except SourceError as exc:
        return Draft(None, [Problem(file, exc.line, None, exc.message)])
    report = check_schema(data, lines, file)
    if not isinstance(data, dict):
        return Draft(None, report.problems)
    # Questions (and topics) that failed the schema are left out of the draft: their problems
    # are already reported, and the common checks would only repeat them.
    raw_topics = data.get("topics")
    topics_ok = report.topics_ok and isinstance(raw_topics, list)
    topics = (
        tuple(
            Topic(clean_line(t["slug"]), clean_line(t["name"]), _text(t, "description"))
            for t in raw_topics
        )
        if topics_ok and isinstance(raw_topics, list)
        else ()
    )
    raw_questions = data.get("questions")
    questions = tuple(
        _question(raw, lines.get(("questions", index)))
        for index, raw in enumerate(raw_questions if isinstance(raw_questions, list) else [])
        if index not in report.bad_questions
    )
    bank = Bank(
        slug=_text(data, "slug"),
        title=_text(data, "title"),
        version=_version(data.get("version")),
        description=_text(data, "description"),
        source=_text(data, "source"),
        topics=topics,
        questions=questions,
    )
    return Draft(
        bank,
        report.problems,
        check_bank_fields=report.bank_fields_ok and topics_ok,
        complete=not report.bad_questions,
        check_topic_references=topics_ok,
        field_lines=_field_lines(data, lines),
    )
