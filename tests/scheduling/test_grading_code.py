"""Typed answers about code: spacing, call arguments and qualifiers, on the bundled banks."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from quizapp.banks import parse_bank
from quizapp.scheduling.grading import short_answer_correct

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"


@cache
def accepted_by_key() -> dict[str, tuple[str, ...]]:
    """Every bundled short-answer question's accepted answers, by question key."""
    found = {}
    for path in sorted(BANK_DIR.glob("*.yaml")):
        parsed = parse_bank(path.read_bytes(), path.name)
        assert parsed.bank is not None, path
        for question in parsed.bank.questions:
            if question.type == "short_answer":
                found[question.key] = tuple(question.accepted)
    return found


def spaced_out(answer: str) -> str:
    """The answer with spaces around every sign, as a hurried typist might write it."""
    return re.sub(r"([^\w\s])", r" \1 ", answer)


def natural_variants(answer: str) -> list[str]:
    return [answer, answer.upper(), answer.lower(), f"  {answer} ", spaced_out(answer)]


def test_the_bundled_banks_have_short_answers() -> None:
    assert len(accepted_by_key()) >= 40


@pytest.mark.parametrize("key", sorted(accepted_by_key()))
def test_every_accepted_answer_matches_itself_and_its_natural_variants(key: str) -> None:
    accepted = accepted_by_key()[key]
    for answer in accepted:
        for variant in natural_variants(answer):
            assert short_answer_correct(variant, accepted), (key, variant)


@pytest.mark.parametrize(
    ("key", "response"),
    [
        # The three answers from issue 14 that were graded wrong.
        ("dict-defaultdict-name", "defaultdict(list)"),
        ("map-vs-foreach", "Array.forEach"),
        ("fa-status-code-param", "status_code = 201"),
        # Their neighbours.
        ("dict-defaultdict-name", "collections.defaultdict(int)"),
        ("map-vs-foreach", "items.forEach(render)"),
        ("orm-n-plus-one", "Book.objects.select_related('author', 'publisher')"),
        ("os-makedirs-exist-ok", "exist_ok=True"),
        ("fa-status-code-param", "status_code = status.HTTP_201_CREATED"),
        ("dict-count-with-get", "dict.get"),
        ("sig-receiver-decorator", "@receiver(post_save, sender=Book)"),
        ("attr-getattr-dynamic-name", "getattr( obj , name )"),
        ("fa-pydantic-model-dump", "model_dump(mode='json')"),
        ("m2m-through-attribute", "Course.students.through"),
    ],
)
def test_natural_ways_of_writing_code_are_accepted(key: str, response: str) -> None:
    assert short_answer_correct(response, accepted_by_key()[key])


@pytest.mark.parametrize(
    ("key", "response"),
    [
        # The bank accepts only the bare claim name: another thing called exp is wrong.
        ("auth-jwt-exp", "math.exp"),
        # Only the qualified module is accepted: a different package is wrong.
        ("py314-zstd-import", "foo.zstd"),
        ("py314-interpreters-module", "threading.interpreters"),
        # No call is shown for these: arguments are not waved through.
        ("dp-asgi-callable-name", "application(scope)"),
        ("trg-pg-return-new", "OLD.NEW"),
        ("trg-pg-return-new", "RETURNNEW"),
        # Different values, names or operators.
        ("fa-status-code-param", "status_code = 200"),
        ("fa-status-code-param", "status_code == 201"),
        ("os-makedirs-exist-ok", "exist_ok = False"),
        ("dict-setdefault-name", "dict.get"),
        ("dict-count-with-get", "defaultdict"),
        ("dict-count-with-get", "get.counts"),
        ("dict-defaultdict-name", "defaultdicts(list)"),
        ("map-vs-foreach", "Array.map"),
        ("ws-close-1000", "1001"),
        ("ws-rfc-number", "RFC 6454"),
    ],
)
def test_wrong_answers_stay_wrong(key: str, response: str) -> None:
    assert not short_answer_correct(response, accepted_by_key()[key])


@pytest.mark.parametrize(
    ("response", "accepted", "correct"),
    [
        ("C++", ["C"], False),
        ("C", ["C++"], False),
        ("a == b", ["a = b"], False),
        ("a = b", ["a == b"], False),
        ("a=b", ["a = b"], True),
        ("x -> y", ["x->y"], True),
        ("f(x)", ["f"], False),  # no call shown
        ("f(x)", ["f", "f()"], True),
        ("g(x)", ["f", "f()"], False),
        ("a.f", ["f"], False),  # no qualifier shown
        ("b.f", ["f", "a.f"], True),
        ("b.f", ["a.f"], False),  # the bare name is not accepted
        ("f(g(x))", ["f", "f()"], False),  # nested calls are not unwrapped
        ("422 - Unprocessable Entity", ["422 Unprocessable Entity"], True),
        ("return new", ["RETURN NEW;"], True),
    ],
)
def test_the_documented_rules(response: str, accepted: list[str], correct: bool) -> None:
    assert short_answer_correct(response, accepted) is correct
