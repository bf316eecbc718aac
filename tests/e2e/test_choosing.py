"""Choosing what to study in Chromium: the folded topic picker, one-click topic quizzes,
select all/none, and the daily new-question limit explained with a way past it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from quizapp.banks import Bank
from quizapp.models import Question, StudySessionItem, Topic, UserExcludedTopic
from tests.e2e.helpers import QUESTION_URL, LiveApp, login, real_bank
from tests.e2e.test_pages import PHONE, shots_dir

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    """Every bundled bank: the 51 topics a new user sees."""
    from tests.e2e.helpers import BANK_DIR

    return [real_bank(path.name) for path in sorted(BANK_DIR.glob("*.yaml"))]


def session_topics(live: LiveApp, session_id: int) -> set[str]:
    """The topic names a session's items come from."""
    return set(
        live.scalars(
            select(Topic.name)
            .join(Question, Question.topic_id == Topic.id)
            .join(StudySessionItem, StudySessionItem.question_id == Question.id)
            .where(StudySessionItem.session_id == session_id)
        )
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_dashboard_is_short_and_one_topic_is_one_click(
    new_page: Any, live_app: LiveApp, scheme: str
) -> None:
    email = f"picker-{scheme}@example.com"
    user_id = live_app.make_user(email)
    page = new_page(color_scheme=scheme, **PHONE)
    login(page, email)
    # The banks are folded: the page stays a few screens tall on a phone, not 10,000 px.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height
    page.screenshot(path=str(shots_dir() / f"dashboard-topics-phone-{scheme}.png"), full_page=True)

    # Open one bank and quiz one of its topics with a single click.
    heading = page.get_by_role("heading", name="FastAPI fundamentals")
    bank = page.locator(".bank-topics", has=heading)
    bank.locator("summary").click()
    row = bank.locator(".topic-row").first
    topic = row.locator("label").inner_text().rsplit("(", 1)[0].strip()
    row.get_by_role("button", name=f"Study this: {topic}").click()
    page.wait_for_url(QUESTION_URL)
    session_id = int(page.url.rsplit("/", 1)[1])
    assert session_topics(live_app, session_id) == {topic}
    assert live_app.count(UserExcludedTopic, UserExcludedTopic.user_id == user_id) == 0


def test_select_none_then_one_topic_saves_just_that_topic(page: Any, live_app: LiveApp) -> None:
    user_id = live_app.make_user("ticks@example.com")
    login(page, "ticks@example.com")
    boxes = page.locator('input[name="topic"][type="checkbox"]')
    total = boxes.count()
    assert total > 40 and page.locator('input[name="topic"]:checked').count() == total
    page.get_by_role("button", name="Select none").click()
    assert page.locator('input[name="topic"]:checked').count() == 0
    bank = page.locator(".bank-topics").first
    bank.locator("summary").click()
    bank.locator('input[name="topic"]').first.check()
    page.get_by_role("button", name="Save as the topics I study").click()
    page.wait_for_load_state()
    assert live_app.count(UserExcludedTopic, UserExcludedTopic.user_id == user_id) == total - 1
    page.get_by_role("button", name="Select all").click()
    assert page.locator('input[name="topic"]:checked').count() == total
    page.screenshot(path=str(shots_dir() / "dashboard-topics-desktop.png"), full_page=True)
