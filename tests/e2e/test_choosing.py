"""Choosing what to study in Chromium: the folded topic picker, one-click topic quizzes,
select all/none, and the daily new-question limit explained with a way past it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from quizapp.banks import Bank
from quizapp.models import Question, StudySessionItem, Topic, User, UserExcludedTopic
from tests.e2e.helpers import (
    QUESTION_URL,
    LiveApp,
    PageGuard,
    answer_with_keys,
    login,
    real_bank,
)
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
    # The banks are folded: each takes a few lines on a phone, however many topics it has
    # (unfolded, the bundled banks' 80+ topics would make the page over 10,000 px tall).
    height = page.evaluate("document.documentElement.scrollHeight")
    banks = page.locator(".bank-topics").count()
    assert banks >= 10 and height < 1000 + 220 * banks, (height, banks)
    page.screenshot(path=str(shots_dir() / f"dashboard-topics-phone-{scheme}.png"), full_page=True)

    # Open one bank and quiz one of its topics with a single click.
    heading = page.get_by_role("heading", name="FastAPI fundamentals")
    bank = page.locator(".bank-topics", has=heading)
    bank.locator("summary").click()
    row = bank.locator(".topic-row").first
    topic = row.locator("label").inner_text().rsplit("(", 1)[0].strip()
    row.locator('button[name="topic"]', has_text=topic).click()
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


@pytest.mark.parametrize(("scheme", "size"), [("light", "phone"), ("dark", "desktop")])
def test_daily_limit_says_what_stopped_the_quiz_and_offers_more(
    new_page: Any, live_app: LiveApp, guard: PageGuard, scheme: str, size: str
) -> None:
    guard.allow(r"/quiz/more-new: Failed to load resource: .* 422")
    email = f"limit-{scheme}@example.com"
    user_id = live_app.make_user(email, new_per_day=1)
    options = PHONE if size == "phone" else {}
    page = new_page(color_scheme=scheme, **options)
    login(page, email)
    bank = page.locator(".bank-topics").nth(2)
    bank.locator("summary").click()
    row = bank.locator(".topic-row").first
    topic = row.locator("label").inner_text().rsplit("(", 1)[0].strip()
    # One new question a day: the first topic quiz has one question; answer it.
    row.locator('button[name="topic"]', has_text=topic).click()
    page.wait_for_url(QUESTION_URL)
    answer_with_keys(page, live_app, right=True)
    # Studying the same topic again: the app says the limit stopped it, with the numbers.
    page.goto("/")
    bank = page.locator(".bank-topics").nth(2)
    bank.locator("summary").click()
    bank.locator('button[name="topic"]', has_text=topic).click()
    page.wait_for_url(re.compile(r"/quiz/new-limit\?topic=\d+$"))
    text = page.locator("main").inner_text()
    assert "You have started your 1 new question for today" in text
    assert re.search(rf"\d+ more (is|are) waiting in {re.escape(topic)}", text), text
    assert "caught up" not in text
    settings = page.get_by_role("link", name="New questions per day in your settings")
    assert settings.get_attribute("href") == "/settings#new_per_day"
    page.screenshot(path=str(shots_dir() / f"new-limit-{size}-{scheme}.png"), full_page=True)

    # A bad number is refused beside the input, and nothing changes.
    page.get_by_label("More new questions today").fill("0")
    page.get_by_role("button", name="Study them now").click()
    page.wait_for_load_state()
    assert page.locator("#more-error").is_visible()
    extra = select(User.extra_new).where(User.id == user_id)
    assert live_app.scalar(extra) == 0

    # Three more today: a quiz of three new questions on that topic; the setting stays 1.
    page.get_by_label("More new questions today").fill("3")
    page.get_by_role("button", name="Study them now").click()
    page.wait_for_url(QUESTION_URL)
    session_id = int(page.url.rsplit("/", 1)[1])
    assert session_topics(live_app, session_id) == {topic}
    kinds = live_app.scalars(
        select(StudySessionItem.kind).where(StudySessionItem.session_id == session_id)
    )
    assert kinds == ["new"] * 3
    assert live_app.scalar(select(User.new_per_day).where(User.id == user_id)) == 1
    assert live_app.scalar(extra) == 3
    # A reload shows the same quiz.
    page.reload()
    assert page.url.endswith(f"/quiz/sessions/{session_id}")


@pytest.mark.parametrize(("scheme", "size"), [("dark", "phone"), ("light", "desktop")])
def test_topic_quiz_asks_before_replacing_the_open_one(
    new_page: Any, live_app: LiveApp, scheme: str, size: str
) -> None:
    email = f"switch-{scheme}@example.com"
    live_app.make_user(email)
    page = new_page(color_scheme=scheme, **(PHONE if size == "phone" else {}))
    login(page, email)
    page.get_by_role("button", name="Start today's quiz").click()
    page.wait_for_url(QUESTION_URL)
    daily = page.url
    answer_with_keys(page, live_app, right=False)
    page.goto("/")
    bank = page.locator(".bank-topics").nth(3)
    bank.get_by_role("button", name="Study this bank").click()
    page.wait_for_url(re.compile(r"/quiz/switch\?"))
    assert "1 of them a question you missed" in page.locator("main").inner_text()
    page.screenshot(path=str(shots_dir() / f"switch-{size}-{scheme}.png"), full_page=True)
    page.get_by_role("link", name="Continue that quiz").click()
    assert page.url == daily
