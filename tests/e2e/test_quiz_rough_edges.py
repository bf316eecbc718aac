"""Issue 14 in the browser: refused answers beside the input, undo from the text box, and
ending a session early."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from quizapp.banks import Bank
from quizapp.models import Question, Review, StudySession, StudySessionItem
from tests.e2e.helpers import (
    FEEDBACK_URL,
    QUESTION_URL,
    SUMMARY_URL,
    LiveApp,
    PageGuard,
    answer_with_keys,
    login,
)
from tests.factories import bank, question

pytestmark = pytest.mark.e2e

ANSWER_URL = re.compile(r"/quiz/items/\d+/answer$")


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    """A multiple choice first, then a typed answer, then three more."""
    return [
        bank(
            "edges",
            [
                question("edge-mc", "multiple_choice", prompt="Pick both right answers."),
                question("edge-sa", "short_answer", prompt="Name the signal sent after a save."),
                question("edge-sc", "single_choice", prompt="Which one is right?"),
                question("edge-tf", "true_false", prompt="Signals run synchronously."),
                question("edge-fc", "flashcard", prompt="What is a Django signal?"),
            ],
        )
    ]


def begin(page: Any, live: LiveApp, email: str) -> int:
    """A fresh user logs in and starts today's quiz; returns the user's id."""
    user_id = live.make_user(email)
    login(page, email)
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    return user_id


def test_a_refused_answer_shows_the_message_beside_the_choices(
    page: Any, live_app: LiveApp, guard: PageGuard
) -> None:
    guard.allow(r"status of 422")
    begin(page, live_app, "refused@example.com")
    before = live_app.count(Review)
    # Nothing ticked: Enter posts the form, the server refuses it and shows the question again.
    page.keyboard.press("Enter")
    page.wait_for_url(ANSWER_URL)
    error = page.locator("#choice-error")
    assert error.inner_text() == "Pick at least one answer (every one you think is right)."
    assert "Redirecting" not in page.content()
    assert page.locator("fieldset[aria-describedby=choice-error]").count() == 1
    assert live_app.count(Review) == before
    # The page still works: the keys pick, Enter checks.
    answer_with_keys(page, live_app)
    assert page.locator(".verdict").inner_text() == "Correct!"
    assert live_app.count(Review) == before + 1

    # The typed answer is required: an empty box is not sent at all.
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    box = page.locator("input[name=text]")
    assert box.get_attribute("required") is not None
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert QUESTION_URL.search(page.url)
    assert box.evaluate("el => !el.validity.valid")
    assert live_app.count(Review) == before + 1
    guard.check("after a refused answer")


def test_undo_works_from_the_text_box(page: Any, live_app: LiveApp, guard: PageGuard) -> None:
    begin(page, live_app, "undoer@example.com")
    answer_with_keys(page, live_app)
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    box = page.locator("input[name=text]")
    assert box.evaluate("el => el === document.activeElement")
    hints = page.locator("p.keys").last.inner_text()
    assert "Esc then U (or Ctrl+Z in the empty box) undo" in hints
    answered = live_app.count(Review)

    # Esc leaves the box, then U undoes like everywhere else.
    page.keyboard.type("u")
    assert box.input_value() == "u"  # in the box, U is a letter
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    assert not box.evaluate("el => el === document.activeElement")
    page.keyboard.press("u")
    page.wait_for_url(QUESTION_URL)
    assert "Last answer undone." in page.locator(".flashes").inner_text()
    assert live_app.count(Review) == answered - 1
    assert page.locator("input[name=choice]").count() == 3  # the multiple choice again

    # Ctrl+Z in the empty box undoes too; with text in it, Ctrl+Z edits the text.
    answer_with_keys(page, live_app)
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    page.keyboard.type("post")
    page.keyboard.press("Control+z")
    page.wait_for_timeout(300)
    assert QUESTION_URL.search(page.url) and live_app.count(Review) == answered
    page.locator("input[name=text]").fill("")
    page.keyboard.press("Control+z")
    page.wait_for_url(QUESTION_URL)
    assert "Last answer undone." in page.locator(".flashes").inner_text()
    assert live_app.count(Review) == answered - 1
    guard.check("while undoing from the text box")


def test_finish_now_leaves_the_rest_for_another_day(
    page: Any, live_app: LiveApp, guard: PageGuard
) -> None:
    user_id = begin(page, live_app, "finisher@example.com")
    answer_with_keys(page, live_app, right=False)  # the multiple choice, wrong: a re-ask
    failed_feedback = page.url
    assert "later in this session" in page.locator(".feedback").inner_text()
    session_id = live_app.scalar(select(StudySession.id).order_by(StudySession.id.desc()).limit(1))
    assert live_app.count(StudySessionItem, StudySessionItem.session_id == session_id) == 6

    page.get_by_role("button", name="Finish — show the rest tomorrow").click()
    page.wait_for_url(SUMMARY_URL)
    assert "5 unanswered questions left for another day" in page.locator(".flashes").inner_text()
    items = live_app.scalars(
        select(StudySessionItem.answered_at).where(StudySessionItem.session_id == session_id)
    )
    assert len(items) == 1 and items[0] is not None
    assert live_app.scalar(select(StudySession.finished_at).where(StudySession.id == session_id))
    # Nothing was scheduled for the four never shown: they have no card yet.
    shown = live_app.scalars(
        select(Question.key)
        .join(Review, Review.question_id == Question.id)
        .where(Review.user_id == user_id)
    )
    assert shown == ["edge-mc"]

    # The old feedback page tells what happened instead of promising a re-ask.
    page.goto(failed_feedback)
    page.wait_for_url(FEEDBACK_URL)
    text = page.locator(".feedback").inner_text()
    assert "the session ended before it was asked again" in text
    assert "later in this session" not in text
    guard.check("after finishing early")
