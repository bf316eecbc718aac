"""The interview plan: say when the daily new-question limit cannot cover the banks in time."""

from __future__ import annotations

from datetime import date

import pytest

from quizapp.extensions import db
from quizapp.models import User
from quizapp.scheduling.practice import plan_for_interview
from tests.conftest import make_user
from tests.factories import bank, load, question


@pytest.mark.parametrize(
    ("unseen", "days", "per_day", "covered", "needed", "on_track"),
    [
        (307, 10, 10, 100, 31, False),
        (307, 40, 10, 307, 8, True),
        (0, 5, 10, 0, 0, True),
        (50, 1, 0, 0, 50, False),
        (5000, 2, 10, 20, 1000, False),  # the limit's own maximum
    ],
)
def test_plan_for_interview(unseen, days, per_day, covered, needed, on_track):
    plan = plan_for_interview(unseen, days, per_day)
    assert (plan.covered, plan.needed_per_day, plan.on_track) == (covered, needed, on_track)


def test_no_plan_on_or_after_the_interview_day():
    assert plan_for_interview(10, 0, 10) is None
    assert plan_for_interview(10, -3, 10) is None


@pytest.fixture
def seeker(app):
    load(app, bank("b", [question(f"q{i}") for i in range(30)]))
    # The clock says 2026-03-04: three study days before an interview on 2026-03-07.
    make_user(app, "seeker@example.com", interview_date=date(2026, 3, 7), new_per_day=5)
    client = app.test_client()
    assert client.login("seeker@example.com").status_code == 302
    return client


def test_dashboard_says_the_limit_falls_short_and_one_click_fixes_it(app, seeker):
    page = seeker.get("/").get_data(as_text=True)
    assert "At 5 new questions a day you will meet 15 of the 30 questions" in page
    assert "10 a day would cover them all in the 3 study days left" in page
    assert seeker.get("/plan/adopt").status_code == 405  # nothing changes on GET
    response = seeker.post_form("/plan/adopt")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "seeker@example.com"))
        assert user.new_per_day == 10
    assert "would cover them all" not in seeker.get("/").get_data(as_text=True)


def test_adopting_without_an_interview_changes_nothing(app, auth_client):
    response = auth_client.post_form("/plan/adopt")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User.new_per_day)) == 10
