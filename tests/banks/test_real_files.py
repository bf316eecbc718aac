"""The importers on real files written by other people (tests/fixtures/real, SOURCES.md).

expected.json holds counts established by hand, by reading each file (not by running an
importer): how many questions, notes or rows it has and of which kinds, and whether Moodle or
Anki would import it. Every question, note or row must be accounted for: imported, or named
in a warning that says why it was left out. Files their own tool refuses fail here with a
message naming the line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from quizapp.banks import parse_bank
from quizapp.rendering import render_markdown

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
SKIPPED_ROWS = re.compile(r"^(\d+) (?:note|row)\(s\) skipped because")
GIFT_KINDS = ("single_choice", "multiple_choice", "true_false", "short_answer", "matching",
              "numerical")  # fmt: skip


def parse(entry):  # type: ignore[no-untyped-def]
    path = REAL / entry["file"]
    return parse_bank(path.read_bytes(), path.name, fmt=entry["format"], fields=entry.get("fields"))


def expected_units(entry) -> int:  # type: ignore[no-untyped-def]
    kinds = entry["kinds"]
    return entry["questions"] - kinds.get("cloze_notes", 0) + kinds.get("cloze_cards", 0)


def accounted(result) -> int:  # type: ignore[no-untyped-def]
    imported = len(result.bank.questions) if result.bank else 0
    left_out = 0
    for warning in result.warnings:
        if warning.message.startswith("skipped"):
            left_out += 1  # one question each
        elif match := SKIPPED_ROWS.match(warning.message):
            left_out += int(match.group(1))
    return imported + left_out


def test_the_corpus_is_large_and_sourced():
    formats = Counter(entry["format"] for entry in EXPECTED)
    assert len(EXPECTED) >= 40 and formats["gift"] >= 20 and formats["anki"] >= 10
    assert formats["csv"] >= 6
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    for entry in EXPECTED:
        assert (REAL / entry["file"]).is_file(), entry["file"]
        assert entry["file"] in sources, f"{entry['file']} has no source and licence"


@pytest.mark.parametrize("entry", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_every_real_file_is_imported_or_refused_as_its_own_tool_would(entry):
    result = parse(entry)
    if not entry["accepted_by_origin"]:
        assert result.bank is None
        assert any(p.line is not None for p in result.errors), [str(p) for p in result.errors]
        return
    # Nothing is lost silently: each question, note or row is imported or named in a warning.
    assert accounted(result) == expected_units(entry), [str(p) for p in result.problems]
    if result.bank is None:
        # Only when every question is of a kind quizapp cannot grade faithfully.
        assert [p.message for p in result.errors] == [
            "nothing to import: every question in the file was skipped (the warnings say why)"
        ]
        return
    assert result.ok
    if entry["format"] == "gift" and not any(
        w.message.startswith("skipped") for w in result.warnings
    ):
        types = Counter(q.type for q in result.bank.questions)
        assert {k: types[k] for k in GIFT_KINDS} == {k: entry["kinds"][k] for k in GIFT_KINDS}


def _one(entry_file: str):  # type: ignore[no-untyped-def]
    (entry,) = [e for e in EXPECTED if e["file"] == entry_file]
    result = parse(entry)
    assert result.bank is not None
    return result


def test_moodle_examples_partial_credit_duplicate_titles_and_new_kinds():
    result = _one("gift/moodle_examples.txt")
    hometown = [q for q in result.bank.questions if q.key.startswith("jesus-hometown")]
    # ~%25%Bethlehem ~%50%Galilee =Nazareth: only the full-credit answer is right.
    assert [[c.text for c in q.choices if c.correct] for q in hometown if q.choices] == [
        ["Nazareth"]
    ]
    # The second ::Jesus' hometown:: gets a suffix and a warning instead of refusing the file.
    assert {q.key for q in hometown} >= {"jesus-hometown", "jesus-hometown-2"}
    assert any("same id" in w.message for w in result.warnings)
    short = next(q for q in hometown if q.type == "short_answer" and "Nazereth" not in q.accepted)
    assert "Nazareth" in short.accepted and "Bethlehem" not in short.accepted
    kinds = Counter(q.type for q in result.bank.questions)
    assert (kinds["matching"], kinds["numerical"]) == (3, 8)


def test_html_line_breaks_and_web_images_in_a_real_anki_deck():
    result = _one("anki/strus_All_Decks.txt")
    chleb = next(q for q in result.bank.questions if "chleb" in q.prompt)
    html = render_markdown(chleb.prompt)
    assert "<strong>chleb</strong>" in html and 'href="https://images.pexels.com/' in html
    devops = _one("anki/bmaupin_devops.csv")
    first = render_markdown(devops.bank.questions[0].answer)
    assert first.count("<br") >= 2  # <br> lines stay lines


def test_fields_after_the_back_become_the_explanation_in_a_real_deck():
    result = _one("csv/jlpt_n5.csv")  # expression, reading, meaning, tags, guid
    first = result.bank.questions[0]
    assert (first.prompt, first.answer, first.explanation) == ("ああ", "Ah!, Oh!", "ああ")
    assert first.key == "HI-.Ij?HS~"  # the guid column is the id


def test_two_real_files_without_categories_import_side_by_side(app):
    from tests.factories import load

    for name in ("gift/rgmf_test4.txt", "gift/rgmf_test5.txt"):
        result = _one(name)
        load(app, result.bank)


def test_right_answers_written_tilde_equals_in_a_real_gift_file():
    result = _one("gift/gl02_EM-U5-p34-Voc.gift")  # ~=vegetarian, {~=high-fat ...
    right = {q.key: [c.text for c in q.choices if c.correct] for q in result.bank.questions}
    assert right == {
        "em-u5-p34-voc1-1": ["vegetarian"],
        "em-u5-p34-voc1-2": ["high-fat"],
        "em-u5-p34-voc1-3": ["well-balanced"],
        "em-u5-p34-voc1-4": ["vitamins"],
        "em-u5-p34-voc1-5": ["low-salt"],
    }
    as_like = _one("gift/gl02_U3-p33-Gra-As_like.gift")
    # {~=as~=like} marks both answers right: not a single-choice question, so it is skipped.
    assert "u3-p33-gra-as-like-6-2" not in {q.key for q in as_like.bank.questions}
    assert any("u3-p33-gra-as-like-6-2" in str(w) for w in as_like.warnings)
    matching = next(q for q in as_like.bank.questions if q.type == "matching")
    assert len(matching.pairs) == 8


def test_one_card_per_cloze_number_in_a_real_anki_file():
    result = _one("anki/itsl_05-resampling.csv")  # 7 notes using c1 and c2 -> 11 cards
    keys = [q.key for q in result.bank.questions]
    assert len(keys) == len(set(keys)) == 11
    assert sum(key.endswith("-c2") for key in keys) == 4
    for question in result.bank.questions:
        assert "{{c" not in question.prompt  # every deletion is shown or blanked, never raw


def test_every_real_file_imports_into_one_database_without_topic_or_id_clashes(app):
    """Made-up topics (GIFT's default category, Anki's "Default" deck) belong to their bank."""
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import Bank, Question
    from tests.factories import load

    banks = [result.bank for result in map(parse, EXPECTED) if result.bank is not None]
    for bank in banks:
        load(app, bank)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == len(banks)
        stored = db.session.scalar(select(func.count()).select_from(Question))
    assert stored == sum(len(bank.questions) for bank in banks)


def test_the_preview_of_a_real_file_marks_only_the_full_credit_answer(app, admin_client):
    from tests.admin.test_upload_preview import details
    from tests.security.test_hostile_banks import upload

    data = (REAL / "gift" / "moodle_examples.txt").read_bytes()
    page = upload(admin_client, data, "moodle_examples.txt").get_data(as_text=True)
    hometown = details(page, "jesus-hometown")
    right = re.findall(r'class="choice correct">.*?<span class="prose">([^<]+)', hometown, re.S)
    assert right == ["Nazareth"]
    assert "Galilee" in hometown  # the partial-credit choices are shown, not marked right


@pytest.mark.parametrize(
    "entry",
    [e for e in EXPECTED if e["file"].endswith(".txt") and e["accepted_by_origin"]],
    ids=lambda e: e["file"],
)
def test_a_txt_file_is_read_as_gift_or_anki_by_its_content(entry):
    """Moodle saves GIFT as .txt and Anki exports notes as .txt: the upload needs no format."""
    path = REAL / entry["file"]
    guessed = parse_bank(path.read_bytes(), path.name, fields=entry.get("fields"))
    told = parse(entry)
    assert [p.message for p in guessed.problems] == [p.message for p in told.problems]
    assert (guessed.bank is None) == (told.bank is None)
    if told.bank is not None:
        assert [q.key for q in guessed.bank.questions] == [q.key for q in told.bank.questions]
