"""Explain questions in the native format: read, checked, written back."""

from __future__ import annotations

import pytest

from quizapp.banks import dump_csv, dump_yaml
from tests.banks.helpers import error_text, parse

HEAD = """slug: kinds
title: Kinds
version: 1
source: Interview Questions I Faced for a Python Developer
topics: [{slug: apis, name: APIs}]
questions:
"""
EXPLAIN = """  - id: rest-soap
    topic: apis
    type: explain
    difficulty: medium
    prompt: What is the difference between REST and SOAP?
    answer: |
      SOAP is a protocol: every message is an XML envelope.
      REST is an architectural style over HTTP methods.
    key_points:
      - SOAP is a protocol with an XML envelope
      - REST is an architectural style over HTTP methods
      - WS-Security versus transport TLS
    explanation: Interviewers often follow up on caching.
    source: {article: Interview Questions I Faced for a Python Developer, section: REST vs SOAP}
"""


def test_native_explain_question() -> None:
    result = parse(HEAD + EXPLAIN, "kinds.yaml")
    assert result.ok and not result.problems, error_text(result)
    (question,) = result.bank.questions
    assert question.type == "explain"
    assert question.answer.startswith("SOAP is a protocol")
    assert question.key_points == (
        "SOAP is a protocol with an XML envelope",
        "REST is an architectural style over HTTP methods",
        "WS-Security versus transport TLS",
    )
    assert question.content()["key_points"] == list(question.key_points)


def test_yaml_round_trip_and_no_csv() -> None:
    bank = parse(HEAD + EXPLAIN, "kinds.yaml").bank
    again = parse(dump_yaml(bank), "kinds.yaml")
    assert again.ok and again.bank == bank, error_text(again)
    with pytest.raises(ValueError, match="cannot hold explain questions"):
        dump_csv(bank)


POINTS = """      - SOAP is a protocol with an XML envelope
      - REST is an architectural style over HTTP methods
      - WS-Security versus transport TLS
"""


LONG = POINTS + "      - d4\n      - e5e\n      - f6f\n      - g7g\n"
TWICE = POINTS + "      - rest is an architectural style  over HTTP methods\n"
ANSWER = (
    "    answer: |\n      SOAP is a protocol: every message is an XML envelope.\n"
    "      REST is an architectural style over HTTP methods.\n"
)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            POINTS,
            "      - only one point\n",
            "kinds.yaml:15: question 'rest-soap': field 'key_points' needs at least 2 key points",
        ),
        (POINTS, LONG, "field 'key_points' has 7 items; the limit is 6"),
        (
            POINTS,
            TWICE,
            "the key point 'rest is an architectural style over http methods' is listed twice",
        ),
        (
            POINTS,
            POINTS.replace("WS-Security versus transport TLS", "ok"),
            "kinds.yaml:18: question 'rest-soap': key point 3 is too short",
        ),
        (
            "    key_points:\n" + POINTS,
            "",
            "missing field 'key_points' (explain questions need it)",
        ),
        (ANSWER, "", "missing field 'answer' (explain questions need it)"),
    ],
)
def test_explain_problems(old: str, new: str, message: str) -> None:
    assert old in EXPLAIN
    result = parse(HEAD + EXPLAIN.replace(old, new), "kinds.yaml")
    assert not result.ok
    assert message in error_text(result)


def test_key_points_belong_to_explain_questions_only() -> None:
    text = HEAD + EXPLAIN.replace("type: explain", "type: flashcard")
    result = parse(text, "kinds.yaml")
    assert not result.ok
    assert "only explain questions list key points" in error_text(result)
