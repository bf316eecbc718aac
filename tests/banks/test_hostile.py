"""Hostile and odd input: size, encodings, YAML tricks, nesting, truncation, odd Unicode."""

from __future__ import annotations

import time

import pytest

from quizapp.banks import MAX_BANK_BYTES, parse_bank
from quizapp.banks.limits import MAX_QUESTIONS
from tests.banks.helpers import EXAMPLE, FIXTURES, error_text, errors, parse

FORMATS_AND_NAMES = [
    ("yaml", "b.yaml"), ("json", "b.json"), ("csv", "b.csv"), ("anki", "b.txt"),
    ("gift", "b.gift"),
]  # fmt: skip

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_fails_fast() -> None:
    started = time.perf_counter()
    result = parse(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5
    assert errors(result) == [
        (1, None, "YAML anchors (&a) are not supported; write the value out in full")
    ]


def test_alias_without_anchor_and_merge_keys_are_refused() -> None:
    assert "YAML aliases (*x) are not supported" in error_text(parse("a: *x\n"))
    assert "anchors" in error_text(parse("base: &b {type: flashcard}\nq:\n  <<: *b\n"))


@pytest.mark.parametrize(
    "text",
    [
        "slug: !!python/object/apply:os.system ['echo pwned']\n",
        "slug: !!python/object:collections.OrderedDict {}\n",
        "slug: !!python/name:os.system\n",
        "!!python/object/new:builtins.dict {}\n",
        "slug: !custom thing\n",
        "slug: !!binary aGVsbG8=\n",
        "slug: !!set {a, b}\n",
    ],
)
def test_object_construction_tags_are_refused(text: str) -> None:
    result = parse(text)
    assert result.bank is None
    assert "is not allowed" in error_text(result)
    assert errors(result)[0][0] == 1


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("[" * 100_000, "yaml"),
        ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 1500)), "yaml"),
        ("[" * 100_000, "json"),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "json"),
    ],
)
def test_deep_nesting_is_an_error_not_a_recursion_error(text: str, fmt: str) -> None:
    result = parse(text, f"deep.{fmt}")
    assert result.bank is None
    assert "nest" in error_text(result)


@pytest.mark.parametrize("name", ["many.json", "many.yaml"])
def test_many_values_are_capped(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real cap (500,000) takes a second to reach; the mechanism is the same at 1,000.
    monkeypatch.setattr("quizapp.banks.json_source.MAX_NODES", 1000)
    monkeypatch.setattr("quizapp.banks.yaml_source.MAX_NODES", 1000)
    result = parse("[" + "1,\n" * 2000 + "1]", name)
    assert errors(result) == [(1000, None, "file has more than 1000 values")]


@pytest.mark.parametrize(("fmt", "name"), FORMATS_AND_NAMES)
def test_file_over_the_size_limit(fmt: str, name: str) -> None:
    started = time.perf_counter()
    result = parse_bank(b"x" * (MAX_BANK_BYTES + 1), name)
    assert time.perf_counter() - started < 0.5
    assert [p.message for p in result.errors] == [
        "file is too large: 5,242,881 bytes; the limit is 5,242,880 (5 MB)"
    ]


def test_file_at_the_size_limit_is_read() -> None:
    body = EXAMPLE.read_bytes()
    padded = body + b"#" * (MAX_BANK_BYTES - len(body))
    assert len(padded) == MAX_BANK_BYTES
    assert parse_bank(padded, "big.yaml").ok


@pytest.mark.parametrize(("fmt", "name"), FORMATS_AND_NAMES)
def test_not_utf8_says_where(fmt: str, name: str) -> None:
    data = b"line one\nline two caf\xe9\n"
    result = parse_bank(data, name)
    assert [(p.line, p.message) for p in result.errors] == [
        (2, "file is not UTF-8 at byte 21 (0xe9); save it as UTF-8")
    ]


def test_utf16_nul_and_empty_files() -> None:
    assert "file is UTF-16; save it as UTF-8" in error_text(
        parse_bank("slug: a".encode("utf-16"), "b.yaml")
    )
    assert "NUL character at byte 8" in error_text(parse_bank(b"slug: a\n\x00", "b.yaml"))
    for data in (b"", b"   \n\n", b"\xef\xbb\xbf"):
        assert errors(parse_bank(data, "b.csv")) == [(None, None, "file is empty")]
    assert "no YAML content" in error_text(parse("# only a comment\n"))


@pytest.mark.parametrize(("fmt", "name"), FORMATS_AND_NAMES)
def test_utf8_bom_is_fine(fmt: str, name: str) -> None:
    sources = {
        "yaml": EXAMPLE, "json": None, "csv": FIXTURES / "sql-basics.csv",
        "anki": FIXTURES / "anki-notes.txt", "gift": FIXTURES / "moodle-examples.gift",
    }  # fmt: skip
    source = sources[fmt]
    if source is None:
        import json

        import yaml

        data = json.dumps(yaml.safe_load(EXAMPLE.read_text())).encode()
    else:
        data = source.read_bytes()
    plain, with_bom = parse_bank(data, name), parse_bank(b"\xef\xbb\xbf" + data, name)
    assert with_bom.ok and with_bom.bank == plain.bank and with_bom.problems == plain.problems


@pytest.mark.parametrize(
    ("name", "text", "line", "fragment"),
    [
        ("cut.csv", "id,topic,type,difficulty,prompt,explanation\nq,t,flashcard,easy,\"Front", 2,
         "closing quote is missing"),
        ("cut.txt", "#separator:tab\nfront\t\"back", 2, "closing quote is missing"),
        ("cut.gift", "::q1::Who? {=a ~b}\n\n::q2::What? {=x\n~y", 3, "'{' is never closed"),
        ("cut.gift", "::q1::Who? {=a ~b}\n\n::q2", 3, "the '::' that starts the title"),
        ("cut.yaml", EXAMPLE.read_text()[:1500] + '"unterminated', 43,
         "found unexpected end of stream (while scanning a quoted scalar)"),
        ("cut.yaml", "slug: a\ntitle: \"Unterminated\n\nversion: 1\n", 5,
         "(while scanning a quoted scalar that starts on line 2)"),
        ("cut.json", '{"slug": "a", "topics": [{"slug": "b"', 1, "malformed JSON"),
    ],
)  # fmt: skip
def test_truncated_files(name: str, text: str, line: int, fragment: str) -> None:
    result = parse(text, name)
    assert result.bank is None
    assert any(p.line == line and fragment in p.message for p in result.errors), error_text(result)


@pytest.mark.parametrize(
    "evil_id",
    ["q\u202e1", "q\u200b1", "\u2066q1", "q1\ufeff", "q\u00a01", "q\u180e1", "q\ue0001"],
)
def test_invisible_characters_in_ids_are_refused(evil_id: str) -> None:
    header = "id,topic,type,difficulty,prompt,answer,explanation\n"
    result = parse(header + f"{evil_id},t,flashcard,easy,Front,Back,Why.\n", "b.csv")
    assert result.bank is None
    assert any("id contains U+" in p.message for p in result.errors), error_text(result)
    # Printed problems show invisible characters escaped, so they cannot reorder the line.
    if not any(c.isspace() for c in evil_id):
        assert all(evil_id not in str(p) for p in result.problems)


def test_odd_but_visible_unicode_is_fine() -> None:
    header = "id,topic,type,difficulty,prompt,answer,explanation\n"
    row = "вопрос-1,t,flashcard,easy,מה זה? 👩‍💻 (ZWJ inside an emoji),ответ,Weil.\n"
    result = parse(header + row, "b.csv")
    assert result.ok, error_text(result)


@pytest.mark.parametrize(
    "filename",
    ["../../etc/passwd.csv", "C:\\Windows\\system32\\bank.csv", ".csv", "\u202egnp.csv",
     "/dev/zero.csv", "a" * 5000 + ".csv"],
)  # fmt: skip
def test_file_names_are_labels_never_paths(filename: str) -> None:
    header = "id,topic,type,difficulty,prompt,answer,explanation\n"
    result = parse_bank((header + "q,t,flashcard,easy,F,B,W\n").encode(), filename)
    assert result.file == filename
    assert result.bank is not None, error_text(result)
    assert "/" not in result.bank.slug and "\\" not in result.bank.slug


@pytest.mark.parametrize(
    ("name", "head", "row"),
    [
        ("many.gift", "", "Q{n}?{{T####Yes.}}\n\n"),
        ("many.csv", "id,topic,type,difficulty,prompt,answer,explanation\n",
         "q{n},t,flashcard,easy,F{n},B,W\n"),
        ("many.txt", "", "front {n}\tback\n"),
    ],
)  # fmt: skip
def test_too_many_questions_stops_early(name: str, head: str, row: str) -> None:
    text = head + "".join(row.format(n=n) for n in range(MAX_QUESTIONS + 50))
    started = time.perf_counter()
    result = parse(text, name)
    assert time.perf_counter() - started < 5
    assert result.bank is None
    assert result.errors[0].line is None  # file-wide, so the problem cap never hides it
    assert "more than 10,000 questions" in result.errors[0].message


def test_problem_list_is_capped() -> None:
    header = "id,topic,type,difficulty,prompt,answer,explanation\n"
    result = parse(header + "q,t,essay,easy,F,B,W\n" * 500, "b.csv")
    assert len(result.problems) == 201
    assert result.problems[-1].message.endswith("more problems not shown; fix the ones above "
                                                 "and check again")  # fmt: skip
