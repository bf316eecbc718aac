"""An admin uploads bank files: preview, then apply or discard; a bad file shows why."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from quizapp.banks import Bank
from quizapp.models import Bank as BankRow
from quizapp.models import PendingImport, Question, User
from tests.e2e.helpers import BANK_DIR, LiveApp, PageGuard, login, real_bank

pytestmark = pytest.mark.e2e

ADMIN = "admin@example.com"
# Two mistakes, on lines 17 and 27; the rest is valid.
BROKEN_YAML = b"""\
slug: broken-bank
title: A broken bank
version: 1
source: Team notes
topics:
  - slug: basics
    name: Basics
questions:
  - id: ok-one
    topic: basics
    type: true_false
    difficulty: easy
    source: {article: Team notes, section: Basics}
    prompt: Python has a GIL.
    answer: true
    explanation: It does.
  - id: no-correct
    topic: basics
    type: single_choice
    difficulty: easy
    source: {article: Team notes, section: Basics}
    prompt: Which one?
    choices:
      - text: A
      - text: B
    explanation: None is right.
  - id: bad-topic
    topic: nowhere
    type: flashcard
    difficulty: medium
    source: {article: Team notes, section: Basics}
    explanation: Because.
    prompt: What?
    answer: This.
"""


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    """One real bank is already loaded."""
    return [real_bank("python-attributes.yaml")]


@pytest.fixture
def admin_page(page: Any, live_app: LiveApp) -> Any:
    """A page logged in as an admin, on /admin/banks."""
    if live_app.count(User, User.email == ADMIN) == 0:
        live_app.make_user(ADMIN, admin=True, name="Admin")
    login(page, ADMIN)
    page.get_by_role("link", name="Admin").click()
    page.goto("/admin/banks")
    return page


def preview_rows(page: Any) -> dict[str, str]:
    """The preview table: change name -> question count."""
    rows = page.locator(".preview tbody tr")
    return {
        rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(1).inner_text()
        for i in range(rows.count())
    }


def upload(page: Any, files: Any) -> None:
    """Choose a file and ask for the preview."""
    page.get_by_label("Bank file").set_input_files(files)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()


def test_upload_new_bank_preview_then_apply(admin_page: Any, live_app: LiveApp) -> None:
    page = admin_page
    assert "python-attributes" in page.locator("table").last.inner_text()
    questions_before = live_app.count(Question)

    upload(page, BANK_DIR / "websockets.yaml")
    assert page.locator("#preview-title").inner_text() == "Preview of websockets.yaml"
    assert "a new bank" in page.locator(".preview").inner_text()
    rows = preview_rows(page)
    assert rows["Added"] == "29" and rows["Updated (progress kept)"] == "0"
    # Nothing is written before the admin confirms; the upload waits, staged.
    assert live_app.scalar(select(BankRow.id).where(BankRow.slug == "websockets")) is None
    assert live_app.count(Question) == questions_before
    assert live_app.count(PendingImport) == 1

    page.get_by_role("button", name="Apply these changes").click()
    page.wait_for_url("**/admin/banks")
    assert page.locator(".flash-success").inner_text().startswith("Imported")
    assert "websockets" in page.locator("table").last.inner_text()
    bank_id = live_app.scalar(select(BankRow.id).where(BankRow.slug == "websockets"))
    assert live_app.count(Question, Question.bank_id == bank_id) == 29
    assert live_app.count(Question) == questions_before + 29
    assert live_app.count(PendingImport) == 0


def test_upload_changed_bank_preview_then_discard(admin_page: Any, live_app: LiveApp) -> None:
    page = admin_page
    original = (BANK_DIR / "python-attributes.yaml").read_text(encoding="utf-8")
    prompt = "Which call correctly checks whether `user` has an attribute called `email`?"
    assert prompt in original
    changed = original.replace("version: 1\n", "version: 2\n", 1).replace(prompt, prompt + " (v2)")
    upload(
        page,
        {
            "name": "python-attributes.yaml",
            "mimeType": "application/yaml",
            "buffer": changed.encode(),
        },
    )
    rows = preview_rows(page)
    assert (rows["Added"], rows["Updated (progress kept)"], rows["Retired (history kept)"]) == (
        "0",
        "1",
        "0",
    )
    assert "attr-hasattr-name-is-string" in page.locator(".preview").inner_text()

    page.get_by_role("button", name="Discard").click()
    page.wait_for_url("**/admin/banks")
    assert "nothing was imported" in page.locator(".flashes").inner_text()
    assert live_app.count(PendingImport) == 0
    stored = live_app.scalar(
        select(Question.prompt).where(Question.key == "attr-hasattr-name-is-string")
    )
    assert "(v2)" not in stored


def test_broken_upload_lists_problems_with_lines_and_writes_nothing(
    admin_page: Any, live_app: LiveApp, guard: PageGuard
) -> None:
    page = admin_page
    questions_before = live_app.count(Question)
    banks_before = live_app.count(BankRow)
    # The preview of a bad file is answered with 422, which Chromium logs as a failed load.
    guard.allow(r"/admin/banks: Failed to load resource: .* status of 422")
    upload(page, {"name": "broken.yaml", "mimeType": "application/yaml", "buffer": BROKEN_YAML})
    preview = page.locator(".preview")
    assert "2 problems found. Nothing will be imported" in preview.inner_text()
    problems = preview.locator("ul.problems li").all_inner_texts()
    assert any(p.startswith("broken.yaml:17:") and "no correct choice" in p for p in problems)
    assert any(p.startswith("broken.yaml:27:") and "'nowhere' is not" in p for p in problems)
    assert page.get_by_role("button", name="Apply these changes").count() == 0
    assert live_app.count(Question) == questions_before
    assert live_app.count(BankRow) == banks_before
    assert live_app.count(PendingImport) == 0
    guard.check("after the broken upload")
