"""Plain question/answer CSV files, as flashcard tools and spreadsheets export them."""

from __future__ import annotations

import pytest

from quizapp.banks import Topic
from tests.banks.helpers import error_text, parse


def cards(text: str, name: str = "deck.csv"):  # type: ignore[no-untyped-def]
    result = parse(text, name)
    assert result.bank is not None, error_text(result)
    return result


@pytest.mark.parametrize(
    "header",
    ["question,answer", "Front,Back", "term,definition", "Question , Answer", "Q,A"],
)
def test_header_shapes(header: str) -> None:
    result = cards(f'{header}\nWhat is 2+2?,4\n"Capital, France",Paris\n')
    prompts = [(q.type, q.prompt, q.answer) for q in result.bank.questions]
    assert prompts == [
        ("flashcard", "What is 2+2?", "4"),
        ("flashcard", "Capital, France", "Paris"),
    ]
    assert result.bank.topics == (Topic("deck", "Deck"),)


def test_optional_topic_tags_and_explanation_columns_in_any_order() -> None:
    text = "tags,Explanation,Front,Topic,Back\npy basics,Because.,What is len([])?,Chapter 1,0\n"
    (q,) = cards(text).bank.questions
    assert (q.prompt, q.answer, q.explanation, q.topic, q.tags) == (
        "What is len(\\[\\])?",  # shows as written: len([])
        "0",
        "Because.",
        "deck-chapter-1",
        ("py", "basics"),
    )


def test_headerless_two_columns_and_extra_columns_as_explanation() -> None:
    result = cards("What is a closure?,A function with its scope\nGIL?,A lock,CPython only\n")
    first, second = result.bank.questions
    assert (first.prompt, first.answer, first.line) == (
        "What is a closure?",
        "A function with its scope",
        1,
    )
    assert second.explanation == "CPython only"


def test_quizlet_tab_export_with_commas_in_definitions() -> None:
    text = "mutable\tcan change, e.g. lists, dicts\nimmutable\tcannot change, e.g. tuples\n"
    first, second = cards(text).bank.questions
    assert (first.prompt, first.answer) == ("mutable", "can change, e.g. lists, dicts")
    assert second.answer == "cannot change, e.g. tuples"


def test_semicolon_spreadsheet_export() -> None:
    (q,) = cards("Frage;Antwort;question;answer\n2*3?;6;x;y\n").bank.questions
    # "question"/"answer" headers win even after columns with other names.
    assert (q.prompt, q.answer) == ("x", "y")


def test_text_is_literal_and_duplicates_get_a_suffix() -> None:
    result = cards("front,back\n2*3*4?,24\n2*3*4?,24\n")
    first, second = result.bank.questions
    assert first.prompt == "2\\*3\\*4?"
    assert second.key == f"{first.key}-2"
    assert any("same id" in w.message for w in result.warnings)


def test_quizapp_layout_is_still_read_as_its_own_format() -> None:
    text = (
        "id,topic,type,difficulty,prompt,answer,explanation\n"
        "q1,basics,flashcard,easy,Front?,Back,Because.\n"
    )
    (q,) = cards(text).bank.questions
    assert (q.key, q.topic, q.difficulty) == ("q1", "basics", "easy")


def test_rows_with_an_empty_side_are_skipped_with_their_lines() -> None:
    result = parse("question,answer\nfine?,yes\nmissing?,\n,orphan\n", "deck.csv")
    assert [q.prompt for q in result.bank.questions] == ["fine?"]
    assert [(w.line, w.message) for w in result.warnings if "skipped" in w.message] == [
        (3, "2 row(s) skipped because the prompt or the answer is empty (lines 3, 4)")
    ]


def test_a_file_that_is_not_question_answer_rows_is_refused() -> None:
    result = parse("slug: x\ntitle: X\nversion: 1\nsource: a, b\ntopics: []\n", "x.csv")
    assert result.bank is None
    assert "this does not look like a question,answer file" in error_text(result)
