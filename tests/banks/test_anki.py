"""Anki "Notes in Plain Text" exports: headers, separators, quoting, HTML, decks and ids."""

from __future__ import annotations

import pytest

from quizapp.banks import Topic
from quizapp.banks.text import stable_id
from tests.banks.helpers import error_text, errors, fixture, parse

HEADER = "#separator:tab\n#html:false\n"


def anki(body: str, header: str = HEADER) -> str:
    return header + body


def test_fixture_from_a_modern_export() -> None:
    result = fixture("anki-notes.txt")
    assert result.ok, error_text(result)
    bank = result.bank
    assert bank is not None
    assert (bank.slug, bank.title, bank.version) == ("anki-notes", "Anki notes", 1)
    assert bank.topics == (
        Topic("anki-notes-python-basics", "Python / Basics"),
        Topic("anki-notes-sql", "SQL"),
        Topic("anki-notes-python-advanced", "Python / Advanced"),
        Topic("anki-notes-default", "Default"),
    )
    by_key = {q.key: q for q in bank.questions}
    assert set(by_key) == {"b`9DJ+lF!t", "Ot0!9V{g(b", "p.Jz3$KQ/w", "#x7Lq!2@a", "K|h8#~Yq2A-c1",
                           "K|h8#~Yq2A-c2", "n5<aT%Wm0e"}  # fmt: skip
    first = by_key["b`9DJ+lF!t"]
    assert (first.type, first.difficulty, first.explanation) == ("flashcard", "medium", "")
    assert (first.prompt, first.answer, first.tags) == (
        "What does `len([])` return?", "**0**", ("python::lists",)
    )  # fmt: skip
    # Quoted field with doubled quotes and <br>; a list becomes Markdown items.
    copy = by_key["Ot0!9V{g(b"]
    # <br> is a hard line break, not a space.
    assert copy.prompt == 'Name two ways to copy a list\\\n(for example with *"slicing"*):'
    assert copy.answer == "- lst\\[:\\]\n- lst.copy()"
    assert copy.tags == ("python::lists", "copying")
    # Entities decoded, and "<>" kept as text rather than read as a tag.
    assert by_key["p.Jz3$KQ/w"].prompt == "What does <> mean in SQL?"
    assert by_key["p.Jz3$KQ/w"].answer == "Not equal to\\\n(same as `!=`)"
    # A quoted field starting with "#" is data, and a quoted tab stays in the field.
    assert by_key["#x7Lq!2@a"].answer == "HAVING\t(not WHERE)"
    # One card per cloze number, each hiding only its own gaps, the hint shown.
    c1, c2 = by_key["K|h8#~Yq2A-c1"], by_key["K|h8#~Yq2A-c2"]
    assert c1.prompt == "The [...] lets one thread run Python bytecode at a time."
    assert c1.answer == (
        "The **GIL** lets one thread run Python bytecode at a time.\n\nGlobal Interpreter Lock"
    )
    assert c2.prompt == "The GIL lets one thread run [what?] at a time."
    assert c2.answer == (
        "The GIL lets one thread run **Python bytecode** at a time.\n\nGlobal Interpreter Lock"
    )
    assert [q.line for q in bank.questions] == [7, 8, 9, 10, 11, 11, 12]
    assert [(p.line, p.message) for p in result.warnings] == [
        (None, "7 of the 7 flashcards have no explanation (no field after the back), so they "
               "import with an empty one"),
        (12, "1 image or media file(s) removed: media files are not imported (images on the "
             "web are kept as links)"),
    ]  # fmt: skip


def test_legacy_export_without_headers_is_sniffed() -> None:
    result = fixture("anki-legacy.txt")
    bank = result.bank
    assert bank is not None, error_text(result)
    closure, gen, black = bank.questions
    assert closure.key == stable_id(
        "anki",
        "What is a closure?\nA function that remembers variables from the scope where it was "
        "defined.",
    )
    assert closure.topic == "anki-legacy-default"
    # HTML was detected from the fields themselves.
    assert gen.prompt == "What does `yield` make?"
    assert gen.answer == (
        "A generator; calling it returns an iterator.\\\nEach **next()** runs to the next `yield`."
    )
    assert black.prompt == 'Which quote style does "black" prefer?'


@pytest.mark.parametrize(
    ("value", "separator"),
    [
        ("tab", "\t"), ("Tab", "\t"), ("\t", "\t"),
        ("Semicolon", ";"), (";", ";"), ("comma", ","), (",", ","),
        ("Pipe", "|"), ("|", "|"), ("Space", " "), (" ", " "), ("Colon", ":"), (":", ":"),
    ],
)  # fmt: skip
def test_separator_header(value: str, separator: str) -> None:
    text = f"#separator:{value}\n#html:false\nfront{separator}back\n"
    bank = parse(text, "deck.txt").bank
    assert bank is not None
    assert (bank.questions[0].prompt, bank.questions[0].answer) == ("front", "back")


@pytest.mark.parametrize("separator", ["\t", ";", ",", "|"])
def test_separator_sniffed_without_header(separator: str) -> None:
    bank = parse(f"front one{separator}back one\nfront two{separator}back two\n", "d.txt").bank
    assert bank is not None
    assert [(q.prompt, q.answer) for q in bank.questions] == [
        ("front one", "back one"), ("front two", "back two")
    ]  # fmt: skip


def test_sniffing_prefers_tab_over_semicolon() -> None:
    bank = parse("a; b\tc\n", "d.txt").bank
    assert bank is not None and bank.questions[0].prompt == "a; b"


def test_quoted_fields_with_separators_newlines_and_quotes() -> None:
    text = anki('"a\tb\nc ""d"""\t"x"\n')
    bank = parse(text, "d.txt").bank
    assert bank is not None
    assert (bank.questions[0].prompt, bank.questions[0].answer) == ('a\tb\\\nc "d"', "x")


def test_plain_text_fields_show_as_written() -> None:
    bank = parse(anki("Is <div> a tag?\tYes: &amp; is an entity\n"), "d.txt").bank
    assert bank is not None
    assert bank.questions[0].prompt == "Is &lt;div> a tag?"
    assert bank.questions[0].answer == "Yes: &amp;amp; is an entity"


def test_tags_deck_and_legacy_tags_line() -> None:
    text = "tags:global one\n#separator:tab\n#deck:Lang::Go\n#tags:two\n#tags column:3\n"
    text += "front\tback\tlocal two\n"
    q = parse(text, "d.txt").bank.questions[0]  # type: ignore[union-attr]
    assert (q.topic, q.tags) == ("d-lang-go", ("global", "one", "two", "local"))


def test_columns_header_accepted_and_unknown_headers_warned() -> None:
    text = anki("front\tback\n", "#separator:tab\n#columns:Front\tBack\n#colour:red\n# note\n")
    result = parse(text, "d.txt")
    assert result.ok
    assert (3, "unknown Anki header '#colour:' is ignored") in [
        (p.line, p.message) for p in result.warnings
    ]


def test_comment_lines_between_notes_are_skipped() -> None:
    bank = parse(anki("a\tb\n# comment\nc\td\n"), "d.txt").bank
    assert bank is not None and [q.line for q in bank.questions] == [3, 5]


def test_fields_after_the_back_become_the_explanation() -> None:
    # A Japanese deck: expression, reading, meaning. Nothing is thrown away.
    result = parse(anki("食べる\tたべる\tto eat\tan example\nc\td\n"), "d.txt")
    assert result.ok
    eat, plain = result.bank.questions
    assert (eat.prompt, eat.answer, eat.explanation) == (
        "食べる",
        "たべる",
        "to eat\n\nan example",
    )
    assert plain.explanation == ""
    assert [w.message for w in result.warnings] == [
        "1 of the 2 flashcards have no explanation (no field after the back), so they import "
        "with an empty one"
    ]


def test_no_explanation_warning_is_once_per_file_even_in_strict_mode() -> None:
    result = parse(anki("a\tb\nc\td\ne\tf\n"), "d.txt")
    assert len(result.warnings) == 1
    strict = parse(anki("a\tb\n"), "d.txt", strict=True)
    assert strict.bank is not None and "no explanation" in strict.warnings[0].message


@pytest.mark.parametrize(
    "text",
    [
        anki("a [sound:hello.mp3]\tb\n"),
        anki(
            "g1\tImage Occlusion\tx\ty\nz\tBasic\ta\tb\n",
            "#separator:tab\n#guid column:1\n#notetype column:2\n",
        ),
        anki("a<img src='x.png'>\tb\n", "#separator:tab\n#html:true\n"),
        anki("a\tb\n", "#separator:tab\n#colour:red\n"),
    ],
)
def test_strict_refuses_anki_content_that_would_be_left_out(text: str) -> None:
    assert parse(text, "d.txt").bank is not None
    strict = parse(text, "d.txt", strict=True)
    assert strict.bank is None and len(strict.errors) == 1


ERROR_CASES = [
    (anki("a\t\"unterminated\nstill going\n"), 3,
     "malformed Anki export: a quoted field starts here but its closing quote is missing"),
    (anki("x\ty\n", "#separator:weird\n"), 1, "unknown separator 'weird'"),
    (anki("x\ty\n", "#separator:tab\n#html:maybe\n"), 2, "'#html:' must be true or false"),
    (anki("x\ty\n", "#separator:tab\n#guid column:zero\n"), 2,
     "'#guid column:' must be a column number from 1"),
    (anki("x\ty\n", "#separator:tab\n#tags column:\u00b2\n"), 2,
     "'#tags column:' must be a column number from 1, not '\u00b2'"),
        (anki("q\u202e1\tx\ty\n", "#separator:tab\n#guid column:1\n"), 3,
     "id contains U+202E RIGHT-TO-LEFT OVERRIDE"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "message"), ERROR_CASES)
def test_anki_errors(text: str, line: int, message: str) -> None:
    result = parse(text, "deck.txt")
    assert result.bank is None
    assert any(p.line == line and message in p.message for p in result.errors), error_text(result)


def test_ids_from_fields_are_stable_under_whitespace_edits() -> None:
    one = parse(anki("What  is\tx\n"), "d.txt").bank
    two = parse(anki("What is \tx\n"), "d.txt").bank
    assert one is not None and two is not None
    assert one.questions[0].key == two.questions[0].key


def test_notes_with_the_same_front_are_kept_apart_by_their_backs() -> None:
    result = parse(anki("same\tone\nsame \ttwo\nsame\tone\n"), "deck.txt")
    assert result.ok
    first, second, third = (q.key for q in result.bank.questions)
    assert len({first, second}) == 2 and third == f"{first}-2"
    assert [(w.line, w.question_id) for w in result.warnings if "same id" in w.message] == [
        (5, first)
    ]


def test_sounds_are_removed_and_image_occlusion_skipped_with_warnings() -> None:
    result = parse(anki("Say [sound:hi.mp3] it\tback\n"), "d.txt")
    assert result.bank.questions[0].prompt == "Say  it"
    assert any("1 [sound:...] reference(s) removed" in w.message for w in result.warnings)
    occlusion = parse(
        anki("g1\tImage Occlusion\tx\ty\nz\tBasic\ta\tb\n",
             "#separator:tab\n#guid column:1\n#notetype column:2\n"),
        "d.txt",
    )  # fmt: skip
    assert [q.key for q in occlusion.bank.questions] == ["z"]
    assert [
        (w.line, w.question_id) for w in occlusion.warnings if "image-occlusion" in w.message
    ] == [(4, "g1")]


def test_guid_column_beyond_the_row_means_no_guid() -> None:
    result = parse(anki("front\tback\n", "#separator:tab\n#guid column:9\n"), "d.txt")
    assert result.bank is not None
    assert result.bank.questions[0].key == stable_id("anki", "front\nback")


def test_notes_with_an_empty_side_are_skipped_with_one_warning() -> None:
    result = parse(anki("front only\n\tback only\nfine\tyes\n"), "deck.txt")
    assert [q.prompt for q in result.bank.questions] == ["fine"]
    assert [w.message for w in result.warnings if "skipped" in w.message] == [
        "2 note(s) skipped because the prompt or the answer is empty (lines 3, 4)"
    ]
    only = parse(anki("front only\n"), "deck.txt")
    assert only.bank is None and "nothing to import" in only.errors[0].message


def test_lenient_quotes_as_anki_reads_them() -> None:
    text = '#separator:;\n#html:false\nhello; "this is\na two line answer"\n"Cracked" dev; ok\n'
    result = parse(text, "deck.txt")
    assert [(q.prompt, q.answer) for q in result.bank.questions] == [
        ("hello", "this is\\\na two line answer"),
        ('"Cracked" dev', "ok"),
    ]


def test_errors_name_the_file() -> None:
    assert errors(parse(anki('x\t"cut\n'), "deck.txt"))[0][0] == 3


def test_the_admin_chooses_which_field_is_which() -> None:
    text = anki("食べる\tto eat\tたべる\tnote\n")
    (default,) = parse(text, "d.txt").bank.questions
    assert (default.prompt, default.answer, default.explanation) == (
        "食べる",
        "to eat",
        "たべる\n\nnote",
    )
    result = parse(text, "d.txt", fields="1,3,2")
    (chosen,) = result.bank.questions
    assert (chosen.prompt, chosen.answer, chosen.explanation) == ("食べる", "たべる", "to eat")
    assert any("field(s) 4 of the notes are not imported" in w.message for w in result.warnings)
    for bad in ("1", "0,2", "1,1", "a,b", "1,99"):
        refused = parse(text, "d.txt", fields=bad)
        assert refused.bank is None and "field" in refused.errors[0].message, bad
    assert parse("q,a\n", "x.csv", fields="1,2").errors[0].message == (
        "choosing fields applies to Anki exports only"
    )
