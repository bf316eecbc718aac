"""The CSV format: metadata lines, columns, list cells, and errors with their line numbers."""

from __future__ import annotations

import pytest

from quizapp.banks import Choice, Topic
from quizapp.banks.csv_format import escape_item, split_items, unescape
from tests.banks.helpers import error_text, fixture, parse

HEADER = "id,topic,type,difficulty,prompt,choices,correct,answer,explanation,tags,source_section\n"
ROW = "q-1,basics,single_choice,easy,Pick one,A|B|C,2,,Because.,,Intro\n"


def csv(*rows: str, meta: str = "", header: str = HEADER) -> str:
    return meta + header + "".join(rows)


def test_fixture_parses_every_type_with_metadata() -> None:
    result = fixture("sql-basics.csv")
    assert result.ok and not result.problems, error_text(result)
    bank = result.bank
    assert bank is not None
    assert (bank.slug, bank.title, bank.version) == ("sql-basics", "SQL basics", 3)
    assert bank.source == "A Gentle Introduction to SQL"
    assert bank.description == (
        "Warm-up questions on SELECT, joins and NULL.\nWritten for the CSV format docs."
    )
    assert bank.topics == (
        Topic("select", "Selecting rows", "SELECT, WHERE and ORDER BY"),
        Topic("joins", "Joins"),
        Topic("nulls", "NULL handling"),
    )
    by_key = {q.key: q for q in bank.questions}
    assert by_key["sql-join-kinds"].choices == (
        Choice("LEFT JOIN", True),
        Choice("INNER JOIN", False),
        Choice("FULL OUTER JOIN", True),
        Choice("CROSS JOIN", False),
    )
    assert by_key["sql-join-kinds"].prompt == (
        "Which joins keep rows that have no match\nin the other table?"
    )
    assert by_key["sql-null-eq"].answer is False
    assert by_key["sql-coalesce"].accepted == ("COALESCE", "coalesce()")
    assert "`'ab' || 'cd'`" in str(by_key["sql-pipe"].answer)
    assert by_key["sql-choice-pipe"].choices[0] == Choice("`||`", True)
    assert by_key["sql-where"].tags == ("where", "filtering")
    assert by_key["sql-where"].source_article == bank.source
    # Physical line where each record starts, after a record spanning two lines.
    assert [q.line for q in bank.questions] == [12, 13, 15, 16, 17, 18]


def test_defaults_without_metadata() -> None:
    result = parse(
        csv(ROW, "q-2,more-stuff,flashcard,hard,Front,,,Back,Why.,,\n"), "My SQL_bank.csv"
    )
    bank = result.bank
    assert bank is not None, error_text(result)
    assert (bank.slug, bank.title, bank.version, bank.source) == (
        "my-sql-bank", "My SQL bank", 1, ""
    )  # fmt: skip
    assert bank.topics == (Topic("basics", "Basics"), Topic("more-stuff", "More Stuff"))
    assert bank.questions[0].choices[1] == Choice("B", True)


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("", []),
        ("a", ["a"]),
        ("a | b|c ", ["a ", " b", "c "]),
        (r"a\|b|c", ["a|b", "c"]),
        (r"a\\|b", ["a\\", "b"]),
        (r"C:\temp|x", ["C:\\temp", "x"]),
        (r"a\nb", ["a\\nb"]),
        ("a||b", ["a", "", "b"]),
    ],
)
def test_split_items(cell: str, items: list[str]) -> None:
    assert split_items(cell) == items


@pytest.mark.parametrize(
    "value", ["plain", "a|b", "a\\", "a\\|b", "\\\\", "C:\\temp\\new", "x\\n", "end\\"]
)
def test_escape_round_trips(value: str) -> None:
    assert split_items(escape_item(value)) == [value]
    multi = value + "\nsecond line"
    assert unescape(escape_item(multi, newlines=True), newlines=True) == multi
    assert "\n" not in escape_item(multi, newlines=True)


# (rows or full text, line, question id, message fragment)
ERROR_CASES = [
    (csv(ROW.replace("single_choice", "essay")), 2, "q-1", "unknown type 'essay'"),
    (csv(ROW.replace(",2,", ",,")), 2, "q-1", "no correct choice"),
    (csv(ROW.replace(",2,", ",1|2,")), 2, "q-1", "single_choice has 2 correct choices (1, 2)"),
    (csv(ROW, ROW), 3, "q-1", "duplicate id (first used on line 2)"),
    (csv(ROW.replace("A|B|C", "A|B|A")), 2, "q-1", "duplicate choice text 'A' (choices 1 and 3)"),
    (csv("q-1,basics,flashcard,easy,Front,,,,Why.,,\n"), 2, "q-1", "missing answer"),
    (csv("q-1,basics,true_false,easy,Front,,,,Why.,,\n"), 2, "q-1", "missing answer"),
    (csv("q-1,basics,short_answer,easy,Front,,,,Why.,,\n"), 2, "q-1", "missing accepted answers"),
    (csv(ROW.replace("Pick one", '"  "')), 2, "q-1", "prompt is empty"),
    (csv(ROW.replace("Because.", "")), 2, "q-1", "explanation is empty"),
    (csv(ROW.replace("easy", "extreme")), 2, "q-1", "unknown difficulty 'extreme'"),
    (csv(ROW.replace(",easy,", ",,")), 2, "q-1", "difficulty is empty"),
    (csv(ROW.replace(",2,", ",5,")), 2, "q-1", "correct: there is no choice 5 (this row has 3)"),
    (csv(ROW.replace(",2,", ",b,")), 2, "q-1", "correct: 'b' is not a choice number"),
    (csv("q-1,basics,true_false,easy,Front,,yes,,Why.,,\n"), 2, "q-1",
     "correct must be true or false, not 'yes'"),
    (csv("q-1,basics,true_false,easy,Front,,,true,Why.,,\n"), 2, "q-1",
     "true_false questions take true or false in the correct column"),
    (csv("q-1,basics,flashcard,easy,Front,,1,Back,Why.,,\n"), 2, "q-1",
     "the correct column is only for choice and true_false questions"),
    (csv("q-1,basics,flashcard,easy,Front,A|B,,Back,Why.,,\n"), 2, "q-1",
     "flashcard questions take no choices"),
    (csv(ROW.replace(",,Because", ",x,Because")), 2, "q-1",
     "single_choice questions take no single answer"),
    (csv(ROW, meta="#topic: other\n"), 3, "q-1", "topic 'basics' is not declared in the bank"),
    (csv(ROW.replace("basics", "Basic Stuff")), 2, "q-1", "topic 'Basic Stuff' is not a slug"),
    (csv(ROW.replace("A|B|C,2", "A,1")), 2, "q-1", "needs at least 2 choices (has 1)"),
    (csv(ROW.replace("A|B|C", "|".join("abcdefghij"))), 2, "q-1", "has 10 choices; the limit is 9"),
    (csv(ROW.replace("Because.", "Because.,extra")), 2, None,
     "row has 12 cells but the header has 11 columns"),
    (csv(ROW, header=HEADER.replace("tags", "tag")), 1, None,
     "unknown column 'tag' (did you mean 'tags'?)"),
    (csv(ROW, header="id,topic,type,prompt\n"), 1, None,
     "missing columns difficulty, explanation"),
    (csv(ROW, header=HEADER.replace("choices", "topic")), 1, None, "column 'topic' appears twice"),
    (csv(ROW, meta="#version: two\n"), 1, None, "'#version:' must be a whole number"),
    (csv(ROW, meta="#version: \u00b2\n"), 1, None, "'#version:' must be a whole number"),
    (csv(ROW.replace(",2,", ",\u0662,")), 2, "q-1", "correct: '\u0662' is not a choice number"),
    (csv(ROW, meta="#slug: a\n#slug: b\n"), 2, None, "'#slug:' is given twice (first on line 1)"),
    (csv(ROW, meta="#titel: x\n"), 1, None,
     "unknown metadata line '#titel:' (did you mean '#title:'?)"),
    (csv(ROW, meta="#slug: Not A Slug\n"), 1, None, "bank slug 'Not A Slug' is not valid"),
    (csv(ROW, meta="#topic: basics | A | B | C\n"), 1, None, "'#topic:' has more than three parts"),
    (csv(ROW.replace("q-1", "q\u200b1")), 2, "q\u200b1", "id contains U+200B ZERO WIDTH SPACE"),
    (csv(ROW.replace("q-1", "q\u202e1")), 2, "q\u202e1",
     "id contains U+202E RIGHT-TO-LEFT OVERRIDE"),
    (csv(ROW.replace("q-1", "q 1")), 2, "q 1", "id contains U+0020 SPACE"),
    (csv('q-1,basics,flashcard,easy,"Front\nstill front,,,Back,Why.,,\n'), 2, None,
     "malformed CSV: a quoted field starts here but its closing quote is missing"),
    (csv(ROW, 'q-2,basics,flashcard,easy,"Front" x,,,Back,Why.,,\n'), 3, None,
     "malformed CSV: unexpected text after a closing quote"),
    ("#slug: only-metadata\n", None, None, "no header row"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "question_id", "message"), ERROR_CASES)
def test_csv_errors(text: str, line: int | None, question_id: str | None, message: str) -> None:
    result = parse(text, "bank.csv")
    assert result.bank is None
    found = [(p.line, p.question_id) for p in result.errors if message in p.message]
    assert (line, question_id) in found, error_text(result)


def test_line_numbers_count_embedded_newlines() -> None:
    rows = [
        'q-1,basics,flashcard,easy,"Line one\nline two\nline three",,,Back,Why.,,\n',
        "\n",
        "q-2,basics,essay,easy,Front,,,Back,Why.,,\n",
    ]
    result = parse(csv(*rows), "bank.csv")
    assert [(p.line, p.question_id) for p in result.errors] == [(6, "q-2")], error_text(result)


def test_semicolon_and_tab_delimiters() -> None:
    for delimiter in (";", "\t"):
        text = csv(ROW.replace(",", delimiter), header=HEADER.replace(",", delimiter))
        result = parse(text, "bank.csv")
        assert result.ok, error_text(result)


def test_header_names_are_forgiving() -> None:
    header = HEADER.replace("source_section", "Source Section").replace("id,", " ID ,")
    assert parse(csv(ROW, header=header), "bank.csv").ok


def test_fewer_cells_are_empty_trailing_cells() -> None:
    result = parse(csv("q-1,basics,flashcard,easy,Front,,,Back,Why.\n"), "bank.csv")
    assert result.ok, error_text(result)


def test_correct_accepts_commas_and_spaces() -> None:
    row = ROW.replace("single_choice", "multiple_choice").replace(",2,", ',"1, 3",')
    bank = parse(csv(row), "bank.csv").bank
    assert bank is not None
    assert [c.correct for c in bank.questions[0].choices] == [True, False, True]


def test_source_article_column_overrides_the_bank_source() -> None:
    header = HEADER.replace("\n", ",source_article\n")
    rows = [ROW.replace("\n", ",Other article\n"), ROW.replace("q-1", "q-2").replace("\n", ",\n")]
    bank = parse(csv(*rows, meta="#source: Main\n", header=header), "bank.csv").bank
    assert bank is not None
    assert [q.source_article for q in bank.questions] == ["Other article", "Main"]


def test_comments_and_blank_lines_before_the_header() -> None:
    meta = "\n# a comment: not metadata\n\n#title: With comments\n\n"
    result = parse(csv(ROW, meta=meta), "bank.csv")
    assert result.bank is not None and result.bank.title == "With comments"
    assert [q.line for q in result.bank.questions] == [7]


def test_bom_and_crlf() -> None:
    text = "\ufeff" + csv(ROW).replace("\n", "\r\n")
    result = parse(text, "bank.csv")
    assert result.ok, error_text(result)
    assert result.bank is not None and result.bank.questions[0].line == 2


def test_rejected_rows_do_not_cause_bank_wide_noise() -> None:
    # The only row is rejected by the CSV reader: no "no questions"/"unused topic" on top.
    result = parse(csv(ROW.replace(",2,", ",9,"), meta="#topic: basics\n"), "bank.csv")
    assert [p.message for p in result.problems] == [
        "correct: there is no choice 9 (this row has 3)"
    ]
