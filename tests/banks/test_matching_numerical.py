"""Matching and numerical questions in the native format: read, checked, written back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizapp.banks import dump_csv, dump_yaml
from quizapp.banks.model import NumberRange, Pair
from tests.banks.helpers import error_text, parse

HEAD = """slug: kinds
title: Kinds
version: 1
source: Interview Questions I Faced for a Python Developer
topics: [{slug: http, name: HTTP}]
questions:
"""
MATCHING = """  - id: codes
    topic: http
    type: matching
    difficulty: medium
    prompt: Match each status code with its meaning.
    pairs:
      - {left: "`201`", right: Created}
      - {left: "`204`", right: No Content}
      - {left: "`409`", right: Conflict}
      - {left: "", right: Gone}
    explanation: Codes from RFC 9110.
    source: {article: Interview Questions I Faced for a Python Developer, section: Status codes}
"""
NUMERICAL = """  - id: ports
    topic: http
    type: numerical
    difficulty: easy
    prompt: Which TCP port does HTTPS use by default?
    numbers:
      - {value: 443}
      - {value: 3.14, tolerance: 0.01}
      - {min: -1.5, max: 2}
    explanation: HTTPS listens on 443 unless told otherwise.
    source: {article: Interview Questions I Faced for a Python Developer, section: Ports}
"""


def test_native_matching_and_numerical_questions() -> None:
    result = parse(HEAD + MATCHING + NUMERICAL, "kinds.yaml")
    assert result.ok and not result.problems, error_text(result)
    codes, ports = result.bank.questions
    assert codes.pairs == (
        Pair("`201`", "Created"),
        Pair("`204`", "No Content"),
        Pair("`409`", "Conflict"),
        Pair("", "Gone"),
    )
    assert ports.numbers == (
        NumberRange(Decimal("443"), Decimal("443")),
        NumberRange(Decimal("3.13"), Decimal("3.15")),
        NumberRange(Decimal("-1.5"), Decimal("2")),
    )


def test_yaml_round_trip_of_the_new_types() -> None:
    bank = parse(HEAD + MATCHING + NUMERICAL, "kinds.yaml").bank
    again = parse(dump_yaml(bank), "kinds.yaml")
    assert again.ok and again.bank == bank, error_text(again)
    with pytest.raises(ValueError, match="cannot hold matching or numerical questions"):
        dump_csv(bank)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('      - {left: "`204`", right: No Content}\n', ""), None),
        (
            ('      - {left: "`409`", right: Conflict}\n', '      - {left: "`201`", right: X}\n'),
            "the left-hand item '`201`' appears in two pairs",
        ),
        (
            ("    type: matching\n", "    type: single_choice\n"),
            "only matching questions have pairs",
        ),
        (("right: Created}", "right: ''}"), "pair 1: field 'right' is empty"),
    ],
)
def test_matching_rules(change: tuple[str, str], message: str | None) -> None:
    result = parse(HEAD + MATCHING.replace(*change), "kinds.yaml")
    if message is None:
        assert result.ok, error_text(result)
        return
    assert not result.ok and message in error_text(result), error_text(result)


def test_a_matching_question_needs_two_real_pairs() -> None:
    one_pair = MATCHING.replace('      - {left: "`204`", right: No Content}\n', "").replace(
        '      - {left: "`409`", right: Conflict}\n', ""
    )
    result = parse(HEAD + one_pair, "kinds.yaml")
    assert "needs at least 2 pairs with a left-hand item" in error_text(result)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{min: -1.5, max: 2}", "{min: 3, max: 2}"), "the range 3..2 is empty"),
        (
            ("{value: 443}", "{value: 443, min: 1, max: 2}"),
            "number 1: write {value}, {value, tolerance} or {min, max}",
        ),
        (("{value: 443}", "{value: '443'}"), "number"),
        (("{value: 3.14, tolerance: 0.01}", "{value: 3.14, tolerance: -1}"), "tolerance"),
        (("    numbers:\n", "    answers: [443]\n    numbers:\n"), "answers"),
    ],
)
def test_numerical_rules(change: tuple[str, str], message: str) -> None:
    result = parse(HEAD + NUMERICAL.replace(*change), "kinds.yaml")
    assert not result.ok and message in error_text(result), error_text(result)
