"""Write a bank as native YAML or as CSV; parsing the output gives the same bank back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import yaml

from quizapp.banks.csv_format import COLUMNS, escape_item
from quizapp.banks.model import CHOICE_TYPES, Bank, NumberRange, Question
from quizapp.spreadsheet import protect, protect_line

_STR_TAG = "tag:yaml.org,2002:str"


class _Dumper(yaml.SafeDumper):
    """SafeDumper with block scalars for multi-line text and flow style on request."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("topics:\n  - slug: ..."), as people write YAML.
        super().increase_indent(flow, False)


class _FlowList(list[Any]):
    """A list written inline, like ``[a, b]``."""


class _FlowMap(dict[str, Any]):
    """A mapping written inline, like ``{article: ..., section: ...}``."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        # The trailing newline gives "|" rather than "|-"; readers strip it again. PyYAML
        # falls back to a quoted style by itself when a literal block cannot hold the text.
        return dumper.represent_scalar(_STR_TAG, data + "\n", style="|")
    return dumper.represent_scalar(_STR_TAG, data)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_decimal(dumper: yaml.SafeDumper, data: Decimal) -> yaml.ScalarNode:
    # Written out in full ("0.00001", never "1E-5", which YAML would read as text).
    text = format(data, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(_FlowList, _represent_flow_list)
_Dumper.add_representer(_FlowMap, _represent_flow_map)


def _question_data(q: Question) -> dict[str, Any]:
    """The question's fields in schema order, leaving out those the type does not use."""
    data: dict[str, Any] = {
        "id": q.key,
        "topic": q.topic,
        "type": q.type,
        "difficulty": q.difficulty,
        "prompt": q.prompt,
    }
    if q.choices:
        data["choices"] = [
            {"text": c.text, "correct": True} if c.correct else {"text": c.text} for c in q.choices
        ]
    if q.answer is not None:
        data["answer"] = q.answer
    if q.accepted:
        data["answers"] = _FlowList(q.accepted)
    if q.pairs:
        data["pairs"] = [_FlowMap(left=p.left, right=p.right) for p in q.pairs]
    if q.numbers:
        data["numbers"] = [_number_data(n) for n in q.numbers]
    if q.key_points:
        data["key_points"] = list(q.key_points)
    data["explanation"] = q.explanation
    if q.tags:
        data["tags"] = _FlowList(q.tags)
    if q.source_article or q.source_section:
        data["source"] = _FlowMap(article=q.source_article, section=q.source_section)
    return data


def _number_data(number: NumberRange) -> _FlowMap:
    if number.low == number.high:
        return _FlowMap(value=number.low)
    return _FlowMap(min=number.low, max=number.high)


def dump_yaml(bank: Bank) -> str:
    """Return the bank as a native YAML document (keys in schema order, block text)."""
    data: dict[str, Any] = {"slug": bank.slug, "title": bank.title, "version": bank.version}
    if bank.description:
        data["description"] = bank.description
    data["source"] = bank.source
    data["topics"] = [
        {
            "slug": t.slug,
            "name": t.name,
            **({"description": t.description} if t.description else {}),
        }
        for t in bank.topics
    ]
    data["questions"] = [_question_data(q) for q in bank.questions]
    # A huge width keeps PyYAML from folding long lines of prose.
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)


def _items(values: tuple[str, ...] | list[str]) -> str:
    return "|".join(escape_item(v) for v in values)


def _csv_row(q: Question, columns: list[str]) -> list[str]:
    correct = ""
    if q.type in CHOICE_TYPES:
        correct = "|".join(str(n) for n, c in enumerate(q.choices, start=1) if c.correct)
    elif isinstance(q.answer, bool):
        correct = "true" if q.answer else "false"
    answer = _items(q.accepted) if q.type == "short_answer" else q.answer
    cells = {
        "id": q.key,
        "topic": q.topic,
        "type": q.type,
        "difficulty": q.difficulty,
        "prompt": q.prompt,
        "choices": _items([c.text for c in q.choices]),
        "correct": correct,
        "answer": answer if isinstance(answer, str) else "",
        "explanation": q.explanation,
        "tags": _items(q.tags),
        "source_section": q.source_section,
        "source_article": q.source_article,
    }
    return [protect(cells[c]) for c in columns]


def dump_csv(bank: Bank) -> str:
    """Return the bank as CSV: ``#key: value`` metadata lines, a header, one row per question.

    Safe to open in a spreadsheet: no cell starts a formula (quizapp.spreadsheet), and every
    question cell is quoted, so a semicolon or tab inside one cannot start a new cell in
    spreadsheets that split on those. read_csv() undoes the escaping. Raises ValueError
    for a bank holding question types the CSV layout has no columns for.
    """
    unsupported = sorted({q.type for q in bank.questions if q.pairs or q.numbers or q.key_points})
    if unsupported:
        raise ValueError(
            f"the CSV layout cannot hold {' or '.join(unsupported)} questions; export as YAML"
        )
    out = io.StringIO()
    meta = [("slug", bank.slug), ("title", bank.title), ("version", str(bank.version))]
    meta += [(k, v) for k, v in (("source", bank.source), ("description", bank.description)) if v]
    for key, value in meta:
        out.write(f"#{key}: {protect_line(escape_item(value, newlines=True))}\n")
    for topic in bank.topics:
        parts = [topic.slug, topic.name] + ([topic.description] if topic.description else [])
        line = " | ".join(escape_item(p, newlines=True) for p in parts)
        out.write(f"#topic: {protect_line(line)}\n")
    # The source_article column is only needed when a question cites another article.
    columns = [c for c in COLUMNS if c != "source_article"]
    if any(q.source_article != bank.source for q in bank.questions):
        columns.append("source_article")
    csv.writer(out, lineterminator="\n").writerow(columns)
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for q in bank.questions:
        writer.writerow(_csv_row(q, columns))
    return out.getvalue()
