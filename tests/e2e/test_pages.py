"""Every page in a real browser: no script errors or CSP violations, phone layout, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from quizapp.banks import Bank
from tests.e2e.helpers import (
    DASHBOARD_URL,
    QUESTION_URL,
    SUMMARY_URL,
    LiveApp,
    PageGuard,
    answer_with_keys,
    login,
    real_bank,
    wider_than_viewport,
    widths,
)

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Pages that are files, or that only exist to redirect, are not worth a browser visit.
SKIP_ENDPOINTS = re.compile(r"^(static|static_pygments)$|export|\.csv$")


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    """A real bank: code blocks, long prompts and every question type."""
    return [real_bank("python-attributes.yaml")]


def shots_dir() -> Path:
    """Where screenshots for people go: E2E_SHOTS_DIR, else test-artifacts/screenshots."""
    out = Path(os.environ.get("E2E_SHOTS_DIR") or "test-artifacts/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def page_urls(live: LiveApp) -> list[str]:
    """Every GET URL of the app that takes no argument."""
    urls = {
        rule.rule
        for rule in live.app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments
        if not SKIP_ENDPOINTS.search(rule.endpoint) and not SKIP_ENDPOINTS.search(rule.rule)
    }
    return sorted(urls)


def test_every_page_is_free_of_script_errors_and_csp_violations(
    page: Any, live_app: LiveApp, guard: PageGuard
) -> None:
    urls = page_urls(live_app)
    assert {"/", "/login", "/register", "/settings", "/admin/banks"} <= set(urls)
    for url in ("/", "/login", "/register"):
        assert page.goto(url).status == 200, url
        guard.check(f"on {url} (visitor)")

    live_app.make_user("sweep@example.com", admin=True, name="Sweep", new_per_day=4)
    login(page, "sweep@example.com")
    # The daily quiz: question, feedback (right and wrong), re-ask, summary.
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    right = False
    while not SUMMARY_URL.search(page.url):
        answer_with_keys(page, live_app, right=right)
        guard.check(f"on the feedback page {page.url}")
        right = True
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/quiz/sessions/\d+(/summary)?$"))
        guard.check(f"on {page.url}")

    for url in urls:
        # Downloads (CSV, JSON exports) are not pages; the request shares the page's cookies.
        probe = page.request.get(url)
        assert probe.status < 400, f"{url}: HTTP {probe.status}"
        if not probe.headers.get("content-type", "").startswith("text/html"):
            continue
        response = page.goto(url)
        assert response.status < 400, f"{url}: HTTP {response.status}"
        guard.check(f"on {url}")


def test_phone_sized_question_pages_do_not_scroll_sideways(
    new_page: Any, live_app: LiveApp
) -> None:
    page = new_page(**PHONE)
    live_app.make_user("phone@example.com", new_per_day=12)
    login(page, "phone@example.com")

    def fits(what: str) -> None:
        scroll, client = widths(page)
        assert client == 390, f"{what}: viewport is {client} px (is the meta viewport set?)"
        assert scroll <= client, f"{what} is {scroll} px wide: {wider_than_viewport(page)}"

    fits("the dashboard")
    page.get_by_role("button", name="Start today's quiz").tap()
    page.wait_for_url(QUESTION_URL)
    seen: set[str] = set()
    while not SUMMARY_URL.search(page.url):
        fits(f"question page {page.url}")
        first = not seen
        if first:
            page.screenshot(path=shots_dir() / "phone-question.png", full_page=True)
        kind = answer_with_keys(page, live_app)
        seen.add(kind)
        fits(f"feedback page for a {kind} question")
        if first:
            page.screenshot(path=shots_dir() / "phone-feedback.png", full_page=True)
        page.locator("#next").tap()
        page.wait_for_url(re.compile(r"/quiz/sessions/\d+(/summary)?$"))
    fits("the summary")
    # The first 12 questions of the bank cover every type, code blocks included.
    assert seen == {"single_choice", "multiple_choice", "true_false", "short_answer", "flashcard"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_quiz(new_page: Any, live_app: LiveApp, scheme: str) -> None:
    """Dashboard, question, feedback and summary, for people to look at (E2E_SHOTS_DIR)."""
    out = shots_dir()
    page = new_page(color_scheme=scheme, viewport={"width": 1100, "height": 800})
    live_app.make_user(f"shots-{scheme}@example.com", name="Grace", new_per_day=3)
    login(page, f"shots-{scheme}@example.com")
    page.screenshot(path=out / f"{scheme}-dashboard.png", full_page=True)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
    assert (red + green + blue < 3 * 128) == (scheme == "dark"), background

    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    page.screenshot(path=out / f"{scheme}-question.png", full_page=True)
    answer_with_keys(page, live_app, right=False)
    page.screenshot(path=out / f"{scheme}-feedback-wrong.png", full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    answer_with_keys(page, live_app)
    page.screenshot(path=out / f"{scheme}-feedback-right.png", full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(QUESTION_URL)
    while not SUMMARY_URL.search(page.url):
        answer_with_keys(page, live_app)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/quiz/sessions/\d+(/summary)?$"))
    page.screenshot(path=out / f"{scheme}-summary.png", full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(DASHBOARD_URL)
    if page.goto("/progress/").status == 200:
        page.screenshot(path=out / f"{scheme}-progress.png", full_page=True)
