"""The native format's JSON Schema, and its errors translated into friendly problems."""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from quizapp.banks.model import Problem
from quizapp.banks.text import shown
from quizapp.banks.yaml_source import LineMap, Path

SCHEMA_RESOURCE = "bank.schema.json"

_NOUNS = {
    "questions": "question",
    "topics": "topic",
    "choices": "choice",
    "answers": "answer",
    "pairs": "pair",
    "numbers": "number",
    "key_points": "key point",
    "tags": "tag",
}
_KINDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (field: value lines)",
    "null": "empty",
}
# The fields the schema forbids for some question types, with a hint for each.
_FORBIDDEN_HINTS = {
    "answer": "mark the correct choices with 'correct: true' instead",
    "answers": "only short_answer questions list accepted answers",
    "choices": "only single_choice and multiple_choice questions have choices",
    "pairs": "only matching questions have pairs",
    "numbers": "only numerical questions list numbers",
    "key_points": "only explain questions list key points",
}


def schema_text() -> str:
    """Return the schema file shipped in the package (the single source of truth)."""
    return resources.files("quizapp.banks").joinpath(SCHEMA_RESOURCE).read_text("utf-8")


@functools.cache
def bank_schema() -> dict[str, Any]:
    """Return the parsed bank schema."""
    schema: dict[str, Any] = json.loads(schema_text())
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(bank_schema())


def _forbidden_fields(qtype: object) -> set[str]:
    """The fields the schema's if/then rules set to ``false`` for a question type."""
    for rule in bank_schema()["$defs"]["question"]["allOf"]:
        condition = rule["if"]["properties"]["type"]
        if qtype == condition.get("const") or qtype in condition.get("enum", []):
            return {k for k, v in rule["then"].get("properties", {}).items() if v is False}
    return set()


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty"


def _label(path: Path) -> str:
    """Describe a path for a message: ``choice 2: field 'text'`` or ``field 'source.section'``."""
    segments: list[str] = []
    names: list[str] = []
    for part in path:
        if isinstance(part, int):
            noun = _NOUNS.get(names.pop(), "item") if names else "item"
            if names:
                segments.append(f"field '{'.'.join(names)}'")
                names = []
            segments.append(f"{noun} {part + 1}")
        else:
            names.append(part)
    if names:
        segments.append(f"field {shown('.'.join(names))}")
    return ": ".join(segments) or "the file"


def _prefixed(label: str, words: str) -> str:
    """Put words before the last part of a label: ``choice 2: unknown field 'txt'``."""
    head, _, tail = label.rpartition(": ")
    return f"{head}: {words} {tail}" if head else f"{words} {tail}"


def _resolve(data: object, path: Path) -> object:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _within_question(path: Path) -> tuple[int | None, Path]:
    """Split a path into (question index, path inside the question)."""
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        return path[1], path[2:]
    return None, path


def _suggest(name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean {shown(close[0])}?)" if close else ""


def _type_message(label: str, error: ValidationError) -> str:
    expected: Any = error.validator_value
    options = expected if isinstance(expected, list) else [expected]
    wanted = " or ".join(_KINDS.get(str(o), str(o)) for o in options)
    message = f"{label} must be {wanted}, not {_kind_of(error.instance)}"
    if "string" in options and not isinstance(error.instance, list | dict):
        message += " (put the value in quotes)"
    return message


def _messages(error: ValidationError, data: object) -> list[tuple[Path, str]]:
    """Translate one schema error into (path, message) pairs; paths point at the culprit."""
    path: Path = tuple(error.absolute_path)
    index, inner = _within_question(path)
    label = _label(path) if index is None else (_label(inner) if inner else "the question")
    instance = error.instance
    validator = error.validator
    # Typed loosely by jsonschema; here it is the keyword's value from our own schema.
    expected: Any = error.validator_value
    if validator == "required" and isinstance(instance, dict):
        pairs = []
        for name in expected:
            if name in instance:
                continue
            where = _label((*inner, name) if index is not None else (*path, name))
            if "then" in error.schema_path:
                qtype = shown(instance.get("type"), quote=False)
                pairs.append((path, f"{_prefixed(where, 'missing')} ({qtype} questions need it)"))
            else:
                pairs.append((path, _prefixed(where, "missing required")))
        return pairs
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
        return [
            (
                (*path, name),
                _prefixed(_label((*inner, name) if index is not None else (*path, name)), "unknown")
                + _suggest(name, allowed),
            )
            for name in instance
            if name not in allowed
        ]
    if validator is None:
        # A `false` subschema: a field this question type must not have. jsonschema reports it
        # at the question, so find the field by identity among those the schema can forbid.
        question = _resolve(data, path)
        if isinstance(question, dict):
            qtype = shown(question.get("type"), quote=False)
            return [
                (
                    (*path, name),
                    f"{_label((*inner, name))} is not allowed in {qtype} questions; "
                    + _FORBIDDEN_HINTS.get(name, "remove it"),
                )
                for name, value in question.items()
                if value is instance and name in _forbidden_fields(question.get("type"))
            ]
    if validator == "type":
        if not path:
            return [(path, "the file must hold a mapping with the bank's fields at the top level")]
        return [(path, _type_message(label, error))]
    if validator == "enum":
        field_name = path[-1] if path else ""
        options = ", ".join(str(o) for o in expected)
        if field_name in ("type", "difficulty"):
            return [(path, f"unknown {field_name} {shown(instance)} (use one of: {options})")]
        return [(path, f"{label} must be one of: {options}")]
    if validator == "minLength":
        if expected == 1:
            return [(path, f"{label} is empty")]
        return [(path, f"{label} is too short")]
    if validator == "maxLength" and isinstance(instance, str):
        limit = expected
        return [(path, f"{label} is too long ({len(instance)} characters; the limit is {limit})")]
    if validator == "pattern":
        if path and path[-1] == "id":
            return [(path, f"id {shown(instance)} must be 1 to 100 characters without spaces")]
        return [
            (
                path,
                f"{label} {shown(instance)} is not a valid slug (use lowercase letters and digits "
                "joined by single hyphens, e.g. 'sql-joins')",
            )
        ]
    if validator == "minItems":
        noun = _NOUNS.get(str(path[-1]), "item") if path else "item"
        return [(path, f"{label} needs at least {expected} {noun}{'s' if expected != 1 else ''}")]
    if validator == "maxItems" and isinstance(instance, list):
        limit = expected
        return [(path, f"{label} has {len(instance)} items; the limit is {limit}")]
    if validator == "minimum":
        return [(path, f"{label} must be at least {expected}")]
    if validator == "oneOf" and len(path) >= 2 and path[-2] == "numbers":
        return [(path, f"{label}: write {{value}}, {{value, tolerance}} or {{min, max}}")]
    return [(path, f"{label}: {shown(error.message, quote=False, limit=200)}")]


def _line(path: Path, lines: LineMap) -> int | None:
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


@dataclass
class SchemaReport:
    """Schema problems, and which parts of the document are well-formed enough to use."""

    problems: list[Problem] = field(default_factory=list)
    bad_questions: set[int] = field(default_factory=set)
    bank_fields_ok: bool = True
    topics_ok: bool = True


def check_schema(data: object, lines: LineMap, file: str) -> SchemaReport:
    """Validate native data against the schema; messages name the line and the question id."""
    report = SchemaReport()
    seen: set[tuple[Path, str]] = set()
    for error in _validator().iter_errors(data):
        for path, message in _messages(error, data):
            if (path, message) in seen:
                continue
            seen.add((path, message))
            index, _ = _within_question(path)
            question_id: str | None = None
            if index is not None:
                report.bad_questions.add(index)
                raw_id = _resolve(data, ("questions", index, "id"))
                if isinstance(raw_id, str) and raw_id:
                    question_id = raw_id
                else:
                    message = f"question {index + 1}: {message}"
            elif path[:1] == ("topics",):
                report.topics_ok = False
            else:
                report.bank_fields_ok = False
            report.problems.append(Problem(file, _line(path, lines), question_id, message))
    return report
