"""CLI commands: clear errors and correct results through the runner."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.spreadsheet import FORMULA_STARTS
from tests.banks.helpers import formula_bank
from tests.factories import bank, load


@pytest.mark.parametrize(
    "args",
    [["banks", "list"], ["banks", "import", "question_bank", "--dry-run"], ["reviews", "verify"]],
)
def test_commands_on_an_unmigrated_database_say_what_to_do(app, runner, args):
    with app.app_context():
        db.drop_all()
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "db upgrade" in result.output
    assert "Traceback" not in result.output


def test_create_admin_creates_then_promotes(app, runner, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "a long admin password")
    result = runner.invoke(
        args=["users", "create-admin", "Boss@Example.com", "--password-env", "ADMIN_PASSWORD"]
    )
    assert result.exit_code == 0 and "Created admin boss@example.com" in result.output
    result = runner.invoke(args=["users", "create-admin", "boss@example.com"])
    assert result.exit_code == 0 and "Promoted" in result.output
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert [(u.email, u.is_admin) for u in users] == [("boss@example.com", True)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create-admin", "not-an-email", "--password-env", "X"], "not an email address"),
        (
            ["users", "create-admin", "a@example.com", "--password-env", "UNSET_VAR"],
            "empty or not set",
        ),
    ],
)
def test_create_admin_rejects_bad_input(app, runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_create_admin_prompts_and_checks_length(app, runner):
    result = runner.invoke(args=["users", "create-admin", "a@example.com"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    result = runner.invoke(
        args=["users", "create-admin", "a@example.com"], input="long enough pw\nlong enough pw\n"
    )
    assert result.exit_code == 0


def test_banks_list_and_export_round_trip(app, runner, tmp_path):
    load(app, bank("interview"))
    listing = runner.invoke(args=["banks", "list"])
    assert "interview" in listing.output and "3 questions" in listing.output
    out = tmp_path / "b.yaml"
    assert runner.invoke(args=["banks", "export", "interview", "-o", str(out)]).exit_code == 0
    again = runner.invoke(args=["banks", "import", str(out)])
    assert again.exit_code == 0 and "0 added, 0 updated, 0 retired, 3 unchanged" in again.output
    csv_out = runner.invoke(args=["banks", "export", "interview", "--format", "csv"])
    assert csv_out.exit_code == 0
    rows = list(
        csv.DictReader(line for line in io.StringIO(csv_out.output) if not line.startswith("#"))
    )
    assert [row["id"] for row in rows] == ["q1", "q2", "q3"]
    assert {row["type"] for row in rows} == {"single_choice"}
    missing = runner.invoke(args=["banks", "export", "nope"])
    assert missing.exit_code == 1 and "no bank with slug" in missing.output


def test_banks_import_reports_errors_with_lines_and_writes_nothing(app, runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "slug: x\ntitle: X\nversion: 1\nsource: S\ntopics: [{slug: t, name: T}]\n"
        "questions:\n  - id: q\n    topic: t\n    type: nope\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["banks", "import", str(broken), str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
    assert "broken.yaml:7" in result.output
    assert "missing.yaml: no such file or folder" in result.output
    assert runner.invoke(args=["banks", "list"]).output.startswith("No banks yet")


def test_banks_import_fields_chooses_the_anki_prompt_answer_and_explanation(app, runner, tmp_path):
    from quizapp.models import Question

    deck = tmp_path / "japanese.txt"
    deck.write_text("#separator:tab\n#html:false\n食べる\tto eat\tたべる\n", encoding="utf-8")
    bad = runner.invoke(args=["banks", "import", str(deck), "--fields", "1,1"])
    assert bad.exit_code == 1 and "each field can be used once" in bad.output
    result = runner.invoke(args=["banks", "import", str(deck), "--fields", "1,3,2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        (question,) = db.session.scalars(select(Question)).all()
        assert (question.prompt, question.answer, question.explanation) == (
            "食べる",
            "たべる",
            "to eat",
        )


def test_banks_export_csv_is_safe_in_spreadsheets_and_imports_unchanged(app, runner, tmp_path):
    load(app, formula_bank())
    out = tmp_path / "formulas.csv"
    result = runner.invoke(args=["banks", "export", "example-python-basics", "--format", "csv",
                                 "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    meta = [line for line in text.splitlines() if line.startswith("#")]
    body = "".join(text.splitlines(True)[len(meta) :])
    cells = [cell for line in meta for cell in re.split("[,;\t]", line)]
    cells += [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert "'=cmd|' /C calc'!A0" in cells
    again = runner.invoke(args=["banks", "import", str(out)])
    assert again.exit_code == 0, again.output
    count = len(formula_bank().questions)
    assert f"0 added, 0 updated, 0 retired, {count} unchanged" in again.output
