"""The native format (YAML and JSON): parsing, and every error with its line and question."""

from __future__ import annotations

import json

import pytest
import yaml

from quizapp.banks import Choice, parse_bank
from tests.banks.helpers import EXAMPLE, error_text, errors, example_bank, parse

BASE = """\
slug: demo
title: Demo bank
version: 1
source: An article
topics:
  - slug: basics
    name: Basics
questions:
  - id: q-1
    topic: basics
    type: single_choice
    difficulty: easy
    prompt: Pick the right one.
    choices:
      - text: Right
        correct: true
      - text: Wrong
    explanation: Because.
    source: {article: An article, section: One}
  - id: q-2
    topic: basics
    type: flashcard
    difficulty: medium
    prompt: Front
    answer: Back
    explanation: Because.
    source: {article: An article, section: Two}
"""


def mutate(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_base_is_valid() -> None:
    result = parse(BASE)
    assert result.ok and not result.problems, error_text(result)
    assert result.bank is not None
    q1, q2 = result.bank.questions
    assert (q1.line, q2.line) == (9, 20)
    assert q1.choices == (Choice("Right", True), Choice("Wrong", False))
    assert q2.answer == "Back" and q2.source_section == "Two"


def test_example_bank_parses_with_every_type() -> None:
    bank = example_bank()
    assert bank.slug == "example-python-basics" and bank.version == 1
    assert {q.type for q in bank.questions} == {
        "flashcard", "single_choice", "multiple_choice", "true_false", "short_answer"
    }  # fmt: skip
    by_key = {q.key: q for q in bank.questions}
    assert by_key["attr-hasattr-true-false"].answer is True
    assert by_key["attr-dunder-dict"].accepted == ("vars", "vars()")
    assert by_key["attr-getattr-default"].tags == ("getattr",)
    # Block scalars lose their final newline; inner line breaks and code fences stay.
    prompt = by_key["attr-getattr-default"].prompt
    assert prompt.startswith("What does this print") and prompt.endswith("```")
    assert [q.line for q in bank.questions] == [13, 33, 49, 59, 69]


# (old text, new text, line, question id, message fragment)
ERROR_CASES = [
    ("type: flashcard", "type: essay", 22, "q-2", "unknown type 'essay' (use one of: flashcard"),
    ("        correct: true\n", "", 9, "q-1", "no correct choice"),
    ("      - text: Wrong", "      - text: Wrong\n        correct: true", 9, "q-1",
     "single_choice has 2 correct choices (1, 2)"),
    ("id: q-2", "id: q-1", 20, "q-1", "duplicate id (first used on line 9)"),
    ("text: Wrong", "text: ' Right'", 9, "q-1", "duplicate choice text 'Right' (choices 1 and 2)"),
    ("    answer: Back\n", "", 20, "q-2", "missing field 'answer' (flashcard questions need it)"),
    ("prompt: Front", "prompt: ''", 24, "q-2", "field 'prompt' is empty"),
    ("prompt: Front", 'prompt: "  \\t "', 20, "q-2", "prompt is empty"),
    ("    answer: Back", "    answer: Back\n    hint: x", 26, "q-2", "unknown field 'hint'"),
    ("    explanation: Because.\n    source: {article: An article, section: Two}",
     "    explenation: Because.\n    source: {article: An article, section: Two}", 26, "q-2",
     "unknown field 'explenation' (did you mean 'explanation'?)"),
    ("    topic: basics\n    type: flashcard", "    topic: advanced\n    type: flashcard", 20,
     "q-2", "topic 'advanced' is not declared in the bank (declared: basics)"),
    ("version: 1", "version: one", 3, None,
     "field 'version' must be a whole number, not text"),
    ("prompt: Front", "prompt: 42", 24, "q-2",
     "field 'prompt' must be text, not a number (put the value in quotes)"),
    ("    answer: Back", "    answer: yes", 25, "q-2",
     "field 'answer' must be text, not true/false (put the value in quotes)"),
    ("    answer: Back", "    answer: Back\n    tags: python", 26, "q-2",
     "field 'tags' must be a list, not text"),
    ("difficulty: medium", "difficulty: extreme", 23, "q-2",
     "unknown difficulty 'extreme' (use one of: easy, medium, hard)"),
    ("    answer: Back", "    answer: Back\n    choices: [{text: a}, {text: b}]", 26, "q-2",
     "field 'choices' is not allowed in flashcard questions"),
    ("source: An article\n", "", 1, None, "missing required field 'source'"),
    ("slug: demo", "slug: Demo Bank", 1, None, "field 'slug' 'Demo Bank' is not a valid slug"),
    ("      - text: Wrong", "      - txt: Wrong", 17, "q-1", "choice 2: unknown field 'txt'"),
    ("      - text: Wrong", "      - txt: Wrong", 17, "q-1",
     "choice 2: missing required field 'text'"),
    ("      - text: Wrong\n", "", 14, "q-1", "field 'choices' needs at least 2 choices"),
    ("version: 1", "version: 0", 3, None, "field 'version' must be at least 1"),
    ("id: q-2", "id: q 2", 20, "q 2", "id 'q 2' must be 1 to 100 characters without spaces"),
    ("id: q-2", "id: \"q\\u200b2\"", 20, "q\u200b2", "id contains U+200B ZERO WIDTH SPACE"),
    ("id: q-2", "id: \"q\\u202e2\"", 20, "q\u202e2", "id contains U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("id: q-2", "id: \"\\uff51-1\"", 20, "\uff51-1",
     "duplicate id: it is the same as 'q-1' (line 9) once Unicode is normalised"),
    ("prompt: Front", 'prompt: "a\\x07b"', 20, "q-2", "prompt contains U+0007"),
    ("  - slug: basics\n    name: Basics\n",
     "  - slug: basics\n    name: Basics\n  - slug: basics\n    name: Again\n", 8, None,
     "topic 'basics' is declared twice"),
    ("type: single_choice", "type: true_false", 14, "q-1",
     "field 'choices' is not allowed in true_false questions"),
    ("    answer: Back", "    answer: Back\n    answers:", 26, "q-2",
     "field 'answers' is not allowed in flashcard questions; only short_answer questions"),
    ("type: single_choice", "type: short_answer", 9, "q-1",
     "missing field 'answers' (short_answer questions need it)"),
    ("    prompt: Front", "    prompt: Front: bad", 24, None,
     "malformed YAML at column 18: mapping values are not allowed"),
    ("    prompt: Front", "\tprompt: Front", 24, None, "malformed YAML"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "line", "question_id", "message"), ERROR_CASES)
def test_yaml_errors(old: str, new: str, line: int, question_id: str | None, message: str) -> None:
    result = parse(mutate(old, new))
    assert result.bank is None
    found = [(p.line, p.question_id) for p in result.errors if message in p.message]
    assert (line, question_id) in found, error_text(result)


def test_forbidden_null_field_is_named_precisely() -> None:
    result = parse(mutate("    answer: Back", "    answer:\n    choices:"))
    messages = [p.message for p in result.errors]
    assert (
        "field 'choices' is not allowed in flashcard questions; only single_choice and "
        "multiple_choice questions have choices" in messages
    )
    assert not any("'answer' is not allowed" in m for m in messages)


def test_one_error_per_problem_not_a_cascade() -> None:
    result = parse(mutate("type: flashcard", "type: essay"))
    assert len(result.errors) == 1, error_text(result)


def test_unused_topic_is_a_warning_even_in_strict_mode() -> None:
    text = mutate("    name: Basics\n", "    name: Basics\n  - slug: spare\n    name: Spare\n")
    result = parse(text)
    assert result.ok and result.bank is not None
    assert [(p.line, p.message) for p in result.warnings] == [(8, "topic 'spare' has no questions")]
    # Strict refuses content that would be lost; an unused topic loses nothing.
    strict = parse(text, strict=True)
    assert strict.bank is not None and strict.problems == result.problems


def test_top_level_must_be_a_mapping() -> None:
    result = parse("- just\n- a list\n")
    assert errors(result) == [
        (1, None, "the file must hold a mapping with the bank's fields at the top level")
    ]


def test_question_that_is_not_a_mapping() -> None:
    result = parse(mutate("  - id: q-2\n", "  - just text\n  - id: q-2\n"))
    assert (20, None, "question 2: the question must be a mapping (field: value lines), not "
            "text") in errors(result)  # fmt: skip


def test_errors_in_a_question_without_an_id_name_its_position() -> None:
    result = parse(mutate("  - id: q-2\n    topic", "  - topic"))
    assert (20, None, "question 2: missing required field 'id'") in errors(result)


def test_sorted_by_line() -> None:
    text = mutate("type: flashcard", "type: essay").replace("version: 1", "version: x")
    lines = [p.line for p in parse(text).problems]
    assert lines == sorted(lines)


def json_base() -> dict[str, object]:
    data = yaml.safe_load(BASE)
    assert isinstance(data, dict)
    return data


def test_json_same_structure_with_lines() -> None:
    text = json.dumps(json_base(), indent=2)
    result = parse(text, "demo.json")
    assert result.bank is not None and result.bank == parse(BASE).bank
    lines = text.splitlines()
    after = lines.index('  "questions": [')
    assert [q.line for q in result.bank.questions] == [
        i + 1 for i, line in enumerate(lines) if line == "    {" and i > after
    ]


def test_json_errors_have_lines() -> None:
    data = json_base()
    questions = data["questions"]
    assert isinstance(questions, list)
    questions[1]["type"] = "essay"
    text = json.dumps(data, indent=2)
    result = parse(text, "demo.json")
    line = next(i + 1 for i, t in enumerate(text.splitlines()) if '"essay"' in t)
    assert (line, "q-2") in [(p.line, p.question_id) for p in result.errors]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"slug": "a",\n "slug": "b"}', 2, "duplicate field 'slug' (first on line 1)"),
        ('{"slug": "a",\n "title": }', 2, "malformed JSON at column 11: expected a value"),
        ('{"slug": "a"', 1, "malformed JSON at column 13: expected ',' or '}'"),
        ('{"slug": "a"}\n{}', 2, "unexpected text after the end of the JSON document"),
        ('{"version": NaN}', 1, "expected a value, found 'N'"),
    ],
)
def test_malformed_json(text: str, line: int, message: str) -> None:
    result = parse(text, "bank.json")
    assert any(p.line == line and message in p.message for p in result.errors), error_text(result)


def test_yml_extension_and_json_override() -> None:
    assert parse(BASE, "demo.yml").ok
    as_json = json.dumps(json_base())
    assert parse(as_json, "demo.data", fmt="json").ok
    # JSON is (nearly) a subset of YAML, so a .yaml file holding JSON also works.
    assert parse(as_json, "demo.yaml").ok


def test_values_are_normalised() -> None:
    text = mutate("prompt: Front", "prompt: |\n\n      Front  \n\n").replace(
        "text: Wrong", "text: '  Wrong '"
    )
    bank = parse(text).bank
    assert bank is not None
    assert bank.questions[1].prompt == "Front"
    assert bank.questions[0].choices[1].text == "Wrong"


def test_dates_and_yaml_1_1_booleans_in_text_fields() -> None:
    # A plain date stays text; "yes" becomes a boolean, which the schema then rejects.
    ok = parse(mutate("title: Demo bank", "title: 2024-01-01"))
    assert ok.bank is not None and ok.bank.title == "2024-01-01"
    bad = parse(mutate("title: Demo bank", "title: yes"))
    assert "field 'title' must be text, not true/false (put the value in quotes)" in error_text(bad)


def test_docs_example_is_the_file_under_test() -> None:
    assert parse_bank(EXAMPLE.read_bytes(), str(EXAMPLE)).ok
