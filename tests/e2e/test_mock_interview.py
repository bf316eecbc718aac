"""A short mock interview taken by keyboard only in a real browser, then its report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from quizapp.banks import Bank
from quizapp.extensions import db
from quizapp.models import Question, Review, StudySessionItem
from tests.e2e.helpers import LiveApp, PageGuard, login
from tests.factories import bank, question

pytestmark = pytest.mark.e2e

EMAIL = "grace@example.com"
MOCK_URL = re.compile(r"/mock/\d+$")
REPORT_URL = re.compile(r"/mock/\d+/report$")


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    """Two explain questions and two typed ones, in two topics."""
    return [
        bank(
            "mock-e2e",
            [
                question("x1", "explain", topic="signals", prompt="Explain Django signals."),
                question("x2", "explain", topic="signals", prompt="When do signals not fire?"),
                question("t1", "short_answer", topic="orm", prompt="Name the post-save signal."),
                question("t2", "short_answer", topic="orm", prompt="Name it once more."),
            ],
            title="Mock drill",
        )
    ]


def shown_question(live: LiveApp, page: Any) -> Question:
    """The question the page asks, from its answer form's item."""
    action = page.locator("#answer-form").get_attribute("action")
    item = int(re.search(r"/quiz/items/(\d+)/answer$", action).group(1))
    return live.query(
        lambda: db.session.scalar(
            select(Question)
            .join(StudySessionItem, StudySessionItem.question_id == Question.id)
            .where(StudySessionItem.id == item)
        )
    )


def test_mock_interview_by_keyboard(page: Any, live_app: LiveApp, guard: PageGuard) -> None:
    live_app.make_user(EMAIL, name="Grace")
    login(page, EMAIL)
    page.goto("/mock")
    # The first length (15 minutes) has the focus; Tab reaches the start button.
    assert page.evaluate("document.activeElement.value") == "15"
    page.keyboard.press("Tab")  # the topics are folded: the next stop is their summary
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Start the interview"
    page.keyboard.press("Enter")
    page.wait_for_url(MOCK_URL)
    assert re.match(r"1[45]:\d\d", page.locator("[data-countdown-text]").inner_text())

    outcome: dict[str, str] = {}
    for _ in range(4):
        asked = shown_question(live_app, page)
        explained = [k for k in outcome if k.startswith("x")]
        typed = [k for k in outcome if k.startswith("t")]
        with page.expect_navigation():
            if asked.type == "explain" and not explained:
                page.keyboard.press("Escape")  # leave the answer box
                page.keyboard.press("s")  # the first explain question is skipped
                outcome[asked.key] = "skipped"
            elif asked.type == "explain":
                page.keyboard.type("A sender notifies receivers connected with @receiver.")
                page.keyboard.press("Escape")
                page.keyboard.press(" ")  # show the key points
                for digit in "1234":
                    page.keyboard.press(digit)
                assert page.locator("input[name=points]:checked").count() == 4
                page.keyboard.press("Enter")
                outcome[asked.key] = "right"
            else:
                page.keyboard.type("pre_save" if typed else "post_save")
                page.keyboard.press("Enter")
                outcome[asked.key] = "wrong" if typed else "right"
    page.wait_for_url(REPORT_URL)
    assert page.locator('[data-figure="score"]').inner_text() == "50%"
    statuses = page.locator("tr[data-status]").evaluate_all(
        "rows => rows.map(r => r.dataset.status)"
    )
    assert sorted(statuses) == sorted(outcome.values())
    assert page.locator('tr[data-topic="Signals"] td').nth(3).inner_text() == "50%"
    assert page.locator('tr[data-topic="Orm"] td').nth(3).inner_text() == "50%"

    # Add what I missed to today's reviews: the report reloads with the count.
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "2 questions added to today's reviews." in page.locator("body").inner_text()
    requeued = live_app.scalars(select(Review.question_id).where(Review.mode == "requeue"))
    keys = set(live_app.scalars(select(Question.key).where(Question.id.in_(requeued))))
    assert keys == {k for k, v in outcome.items() if v != "right"}
    guard.check("during the mock interview")
