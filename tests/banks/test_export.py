"""Export: dump_yaml and dump_csv give back the same bank when parsed again."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import HealthCheck, given, settings

from quizapp.banks import Bank, dump_csv, dump_yaml
from quizapp.spreadsheet import FORMULA_STARTS
from tests.banks.helpers import EXAMPLE, error_text, example_bank, fixture, formula_bank, parse
from tests.banks.strategies import banks

ROUND_TRIP = settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_round_trip(bank: Bank, text: str, filename: str) -> None:
    result = parse(text, filename)
    assert result.ok and not result.problems, error_text(result) + "\n---\n" + text
    assert result.bank == bank, text
    assert result.bank.content_hash() == bank.content_hash()


def test_example_round_trips_through_yaml_and_csv() -> None:
    bank = example_bank()
    assert_round_trip(bank, dump_yaml(bank), "again.yaml")
    assert_round_trip(bank, dump_csv(bank), "again.csv")


def test_csv_fixture_round_trips_through_both() -> None:
    bank = fixture("sql-basics.csv").bank
    assert bank is not None
    assert_round_trip(bank, dump_csv(bank), "again.csv")
    # The CSV bank lacks nothing the native format requires, so it is a valid YAML bank too.
    assert_round_trip(bank, dump_yaml(bank), "again.yaml")


@ROUND_TRIP
@given(banks())
def test_generated_banks_round_trip(bank: Bank) -> None:
    assert_round_trip(bank, dump_yaml(bank), "generated.yaml")
    assert_round_trip(bank, dump_csv(bank), "generated.csv")


def test_yaml_is_human_friendly() -> None:
    text = dump_yaml(example_bank())
    keys = [line.split(":")[0].strip() for line in text.splitlines()[:6]]
    assert keys == ["slug", "title", "version", "description", "source", "topics"]
    assert "    prompt: |\n      What does this print" in text  # block scalar for multi-line text
    assert "  - id: attr-getattr-default\n    topic: attributes\n    type: single_choice" in text
    assert "    tags: [getattr]\n" in text
    assert "    answers: [vars, vars()]\n" in text
    assert "      - text: '`free`'\n        correct: true\n" in text
    assert "correct: false" not in text  # the schema default is left out
    assert "\\n" not in text  # no escaped newlines: every multi-line value is a block


def test_yaml_keeps_the_example_files_structure() -> None:
    import yaml

    assert yaml.safe_load(dump_yaml(example_bank())) == yaml.safe_load(EXAMPLE.read_text())


def test_csv_layout() -> None:
    text = dump_csv(example_bank())
    lines = text.splitlines()
    assert lines[:6] == [
        "#slug: example-python-basics",
        "#title: Example — Python basics",
        "#version: 1",
        "#source: How to Check if an Object Has an Attribute in Python",
        "#description: A short bank that shows each question type of the native format.",
        "#topic: attributes | Attribute access | Checking for and reading attributes safely.",
    ]
    assert lines[6] == (
        "id,topic,type,difficulty,prompt,choices,correct,answer,explanation,tags,source_section"
    )


def test_csv_adds_source_article_only_when_needed() -> None:
    bank = example_bank()
    other = bank.questions[0].__class__(**{**bank.questions[0].__dict__, "source_article": "B"})
    changed = Bank(**{**bank.__dict__, "questions": (other, *bank.questions[1:])})
    text = dump_csv(changed)
    assert text.splitlines()[6].endswith(",source_section,source_article")
    assert_round_trip(changed, text, "again.csv")


def test_csv_export_starts_no_cell_with_a_formula_and_round_trips() -> None:
    bank = formula_bank()
    text = dump_csv(bank)
    meta = [line for line in text.splitlines() if line.startswith("#")]
    rows = list(csv.reader(io.StringIO("".join(text.splitlines(True)[len(meta) :]))))
    # Metadata lines are split by spreadsheets themselves, at commas, semicolons and tabs.
    cells = [cell for line in meta for cell in re.split("[,;\t]", line)]
    cells += [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert rows[1][:5] == [
        '\'=HYPERLINK("http://attacker.example")',
        "attributes",
        "single_choice",
        "easy",
        "'=cmd|' /C calc'!A0",
    ]
    assert rows[2][4] == "'\t=1+1 in a code block"
    assert_round_trip(bank, text, "again.csv")


def test_csv_export_quotes_every_question_cell() -> None:
    """A semicolon or tab in a cell cannot start a new cell where it is the separator."""
    lines = dump_csv(formula_bank()).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("id,"))
    assert lines[header + 1].startswith('"\'=HYPERLINK(""http://attacker.example"")","attributes",')
