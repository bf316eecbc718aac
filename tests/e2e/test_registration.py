"""Registration in a real browser: the time zone comes from the browser and can be searched."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from quizapp.models import User
from tests.e2e.helpers import PASSWORD, LiveApp, PageGuard

pytestmark = pytest.mark.e2e


def _fill(page: Any, email: str) -> None:
    page.goto("/register")
    page.fill("#email", email)
    page.fill("#display_name", "Priya")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)


def test_the_browsers_time_zone_is_preselected_and_saved(new_page: Any, live_app: LiveApp) -> None:
    page = new_page(timezone_id="Asia/Kolkata")
    _fill(page, "priya@example.com")
    # Chromium reports India's zone by its older name, Asia/Calcutta; both are in the list
    # and mean the same rules.
    detected = page.input_value("#timezone")
    assert detected in ("Asia/Kolkata", "Asia/Calcutta")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    zone = live_app.scalar(select(User.timezone).where(User.email == "priya@example.com"))
    assert zone == detected


def test_the_zone_list_is_searchable_and_a_made_up_zone_is_refused(
    new_page: Any, live_app: LiveApp, guard: PageGuard
) -> None:
    guard.allow(r"status of 422")  # the refused zone is answered with the form at 422
    page = new_page(timezone_id="Europe/Berlin")
    _fill(page, "kai@example.com")
    # The box offers the zone list as suggestions: all 597, filtered as one types.
    assert page.locator("#timezones option").count() > 500
    assert page.get_attribute("#timezone", "list") == "timezones"
    page.fill("#timezone", "Mars/Olympus_Mons")
    page.click("button[type=submit]")
    assert "Unknown time zone" in page.locator(".field.has-error").inner_text()
    assert live_app.count(User, User.email == "kai@example.com") == 0
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.fill("#timezone", "America/Sao_Paulo")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    zone = live_app.scalar(select(User.timezone).where(User.email == "kai@example.com"))
    assert zone == "America/Sao_Paulo"
