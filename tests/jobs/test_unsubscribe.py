"""Opting in and out: the settings page, and the signed one-click unsubscribe link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from itsdangerous import URLSafeSerializer

from quizapp.extensions import db
from quizapp.jobs import reminders
from quizapp.jobs.registry import run_job
from quizapp.models import User
from tests.jobs.helpers import give_due_cards, load_questions, record_mail, reminder_user

LINK = re.compile(r"http://localhost:5000(/reminders/unsubscribe/[\w.-]+)")


def enabled(app, user_id: int) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).reminders_enabled


def token_for(app, user_id: int) -> str:
    with app.app_context():
        return reminders.unsubscribe_token(user_id)


def settings_form(**changes) -> dict:
    form = {
        "display_name": "user",
        "timezone": "Europe/Berlin",
        "day_start_hour": "4",
        "new_per_day": "10",
        "reviews_per_day": "200",
        "interview_date": "",
        "reminder_hour": "19",
    }
    form.update(changes)
    return form


def test_opt_in_get_the_reminder_at_the_hour_and_unsubscribe_from_its_link(
    app, clock, auth_client, user_id
):
    """The whole story, as a user lives it."""
    give_due_cards(app, user_id, load_questions(app)[:4], date(2026, 3, 4))
    recorder = record_mail(app)
    # Opt in on /settings: 19:00 in Berlin is 18:00 UTC in March.
    response = auth_client.post_form("/settings", settings_form(reminders_enabled="y"))
    assert response.status_code == 302
    assert enabled(app, user_id)
    clock.set(datetime(2026, 3, 4, 17, 55, tzinfo=UTC))
    with app.app_context():
        run_job("reminders")
    assert recorder.sent == []
    clock.set(datetime(2026, 3, 4, 18, 0, tzinfo=UTC))
    with app.app_context():
        run_job("reminders")
    [(to, subject, body, list_unsubscribe)] = recorder.sent
    assert (to, subject) == ("user@example.com", "4 reviews due")
    path = LINK.search(body).group(1)
    assert list_unsubscribe == f"<http://localhost:5000{path}>"

    # The link works without a log-in; GET only asks.
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Stop the daily study reminders sent to <strong>u…@example.com</strong>" in page.text
    assert enabled(app, user_id)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    done = visitor.post(path, data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(path)
    assert not enabled(app, user_id)
    after = visitor.get(path)
    assert "Reminders are off. You will get no more reminder emails." in after.text
    assert "are off. No more reminder emails will be sent." in after.text

    # No reminder the next day.
    clock.set(datetime(2026, 3, 5, 18, 0, tzinfo=UTC))
    with app.app_context():
        run_job("reminders")
    assert len(recorder.sent) == 1


def test_opting_out_in_settings_stops_reminders(app, clock, auth_client, user_id):
    give_due_cards(app, user_id, load_questions(app)[:1], date(2026, 3, 4))
    recorder = record_mail(app)
    auth_client.post_form("/settings", settings_form(reminders_enabled="y", reminder_hour="9"))
    auth_client.post_form("/settings", settings_form(reminder_hour="9"))  # box unticked
    assert not enabled(app, user_id)
    with app.app_context():
        run_job("reminders")
    assert recorder.sent == []


def test_get_changes_nothing(app, client):
    uid = reminder_user(app, "keep@example.com")
    for _ in range(2):
        assert client.get(f"/reminders/unsubscribe/{token_for(app, uid)}").status_code == 200
    assert enabled(app, uid)


def _tampered(app, uid: int) -> dict[str, str]:
    good = token_for(app, uid)
    other = reminder_user(app, "other@example.com")
    secret = app.config["SECRET_KEY"]
    return {
        "changed character": good[:-1] + ("A" if good[-1] != "A" else "B"),
        "cut off": good[: len(good) // 2],
        "payload of another user with this signature": token_for(app, other).split(".")[0]
        + "."
        + good.split(".")[1],
        "other salt": URLSafeSerializer(secret, salt="something-else").dumps(uid),
        "other secret": URLSafeSerializer("x" * 48, salt=reminders.UNSUBSCRIBE_SALT).dumps(uid),
        "not a user id": URLSafeSerializer(secret, salt=reminders.UNSUBSCRIBE_SALT).dumps("1"),
        "no such user": URLSafeSerializer(secret, salt=reminders.UNSUBSCRIBE_SALT).dumps(999),
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_tampered_tokens_get_a_clear_error_and_change_nothing(app, client, method):
    uid = reminder_user(app, "victim@example.com")
    for name, token in _tampered(app, uid).items():
        url = f"/reminders/unsubscribe/{token}"
        response = client.get(url) if method == "GET" else client.post_form(url)
        assert response.status_code == 400, name
        assert "This unsubscribe link is not valid" in response.text, name
        assert "Nothing was changed" in response.text, name
    with app.app_context():
        assert all(u.reminders_enabled for u in db.session.scalars(db.select(User)))


def test_a_post_without_csrf_changes_nothing(app, client):
    uid = reminder_user(app, "csrf@example.com")
    response = client.post(f"/reminders/unsubscribe/{token_for(app, uid)}", data={})
    assert response.status_code == 400
    assert enabled(app, uid)


def test_unsubscribing_twice_is_harmless(app, client):
    uid = reminder_user(app, "twice@example.com")
    url = f"/reminders/unsubscribe/{token_for(app, uid)}"
    assert client.post_form(url).status_code == 302
    assert client.post_form(url).status_code == 302
    assert not enabled(app, uid)
    assert "are off" in client.get(url).text
