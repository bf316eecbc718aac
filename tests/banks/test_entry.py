"""parse_bank as the app calls it: formats, extensions, strict mode, and result shape."""

from __future__ import annotations

import pytest

from quizapp.banks import EXTENSIONS, FORMATS, MAX_BANK_BYTES, format_for, parse_bank
from tests.banks.helpers import EXAMPLE, errors, parse


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("bank.yaml", "yaml"), ("bank.YML", "yaml"), ("dir/bank.json", "json"),
        ("C:\\banks\\bank.csv", "csv"), ("export.txt", "anki"), ("quiz.gift", "gift"),
        ("bank.yaml.txt", "anki"), ("bank.docx", None), ("bank", None), ("", None),
        (".csv", "csv"),
    ],
)  # fmt: skip
def test_format_for(filename: str, fmt: str | None) -> None:
    assert format_for(filename) == fmt


def test_public_constants() -> None:
    assert FORMATS == ("yaml", "json", "csv", "anki", "gift")
    assert set(EXTENSIONS.values()) == set(FORMATS)
    assert MAX_BANK_BYTES == 5 * 1024 * 1024


def test_unknown_extension_without_fmt_is_an_error() -> None:
    result = parse_bank(EXAMPLE.read_bytes(), "bank.docx")
    assert result.bank is None
    assert errors(result) == [
        (None, None, "cannot tell the format of 'bank.docx' from its extension (use .yaml, "
         ".yml, .json, .csv, .txt for Anki exports, or .gift)")
    ]  # fmt: skip


def test_fmt_overrides_the_extension() -> None:
    assert parse_bank(EXAMPLE.read_bytes(), "bank.docx", fmt="yaml").ok
    assert not parse_bank(EXAMPLE.read_bytes(), "bank.yaml", fmt="csv").ok


def test_unknown_fmt() -> None:
    result = parse_bank(b"x", "bank.yaml", fmt="xml")
    assert errors(result) == [
        (None, None, "unknown format 'xml' (use one of: yaml, json, csv, anki, gift)")
    ]


def test_result_names_the_file_and_keeps_the_bank_only_without_errors() -> None:
    ok = parse_bank(EXAMPLE.read_bytes(), "question_bank/x.yaml")
    assert ok.file == "question_bank/x.yaml" and ok.bank is not None and ok.ok
    bad = parse("slug: x\n", "question_bank/x.yaml")
    assert bad.file == "question_bank/x.yaml" and bad.bank is None and not bad.ok
    assert all(p.file == "question_bank/x.yaml" for p in bad.problems)


def test_strict_refuses_content_that_would_be_left_out() -> None:
    text = "::a::A?{T}\n\n::b::How are you? {}\n"
    lenient = parse(text, "q.gift")
    assert lenient.ok and lenient.bank is not None and len(lenient.warnings) == 2
    strict = parse(text, "q.gift", strict=True)
    assert strict.bank is None
    # The skipped question is an error; the missing explanation stays a warning.
    assert [p.message.split(" (")[0] for p in strict.errors] == ["skipped an essay question"]
    assert len(strict.warnings) == 1


def test_file_wide_problems_come_first_then_by_line() -> None:
    result = parse("Same?{T}\n\nSame?{F}\n\nMatch {=a -> b =c -> d}\n", "q.gift")
    lines = [p.line for p in result.problems]
    assert lines[0] is None or lines == sorted(lines, key=lambda n: n or 0)
    assert [n for n in lines if n is not None] == sorted(n for n in lines if n is not None)
