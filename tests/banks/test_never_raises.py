"""Whatever bytes arrive, parse_bank returns problems instead of raising."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks import FORMATS, ParseResult, parse_bank
from quizapp.banks.parse import INTERNAL_ERROR
from tests.banks.helpers import EXAMPLE, FIXTURES

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [
    EXAMPLE.read_bytes(),
    (FIXTURES / "sql-basics.csv").read_bytes(),
    (FIXTURES / "anki-notes.txt").read_bytes(),
    (FIXTURES / "anki-legacy.txt").read_bytes(),
    (FIXTURES / "moodle-examples.gift").read_bytes(),
]
# Characters that mean something to one of the formats, so mutations hit real code paths.
SYNTAX = list(b"\n\r\t ,;|:#\"'{}[]=~%-\\&<>*!") + [0xC3, 0xFF]


def check(result: ParseResult) -> None:
    """A result must be well-formed and never the catch-all for a crashed reader."""
    assert isinstance(result, ParseResult)
    assert all(p.message != INTERNAL_ERROR for p in result.problems), result.problems
    assert (result.bank is None) == bool(result.errors)
    for problem in result.problems:
        str(problem)


@FUZZ
@given(data=st.binary(max_size=400), fmt=st.sampled_from(FORMATS))
def test_random_bytes(data: bytes, fmt: str) -> None:
    check(parse_bank(data, "fuzz", fmt=fmt))


@FUZZ
@given(
    text=st.text(
        st.sampled_from("{}[]=~#:%\\\n\t ,;|\"'-aZ1\u00b2\u0662\u202e\u00e9&<>!*"), max_size=300
    ),
    fmt=st.sampled_from(FORMATS),
)
def test_syntax_soup(text: str, fmt: str) -> None:
    check(parse_bank(text.encode("utf-8"), "fuzz", fmt=fmt))


# Line starts that each format gives a meaning to; what follows them is arbitrary Unicode.
KEYWORDS = [
    "#version: ", "#slug: ", "#topic: ", "#separator:", "#html:", "#tags column:",
    "#guid column:", "#deck:", "tags:", "$CATEGORY: ", "::", "// ", "{=", "{~%", "{T#", "{#",
    "####", "[html]", "<code>", "{{c1::", "- id: ", "  type: ", "questions:", "\t", ";", '"',
    "id,topic,type,difficulty,prompt,explanation,choices,correct,answer,tags",
    "q,t,single_choice,easy,p,e,", "",
]  # fmt: skip
KEYWORD_LINES = st.tuples(
    st.sampled_from(KEYWORDS), st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
).map("".join)


@FUZZ
@given(lines=st.lists(KEYWORD_LINES, max_size=12), fmt=st.sampled_from(FORMATS))
def test_keyword_lines_with_arbitrary_values(lines: list[str], fmt: str) -> None:
    check(parse_bank("\n".join(lines).encode("utf-8"), "fuzz", fmt=fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_real_files(fmt: str) -> None:
    rng = random.Random(f"mutations-{fmt}")
    for _ in range(120):
        data = bytearray(rng.choice(SEEDS))
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(len(data) + 1)
            action = rng.random()
            if action < 0.4:
                data[position:position] = bytes([rng.choice(SYNTAX)])
            elif action < 0.7 and position < len(data):
                del data[position : position + rng.randint(1, 20)]
            elif position < len(data):
                data[position] = rng.choice(SYNTAX)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data) + 1)]  # truncated
        check(parse_bank(bytes(data), "mutated", fmt=fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_fixture_through_every_reader(fmt: str) -> None:
    for seed in SEEDS:
        check(parse_bank(seed, "cross", fmt=fmt))
