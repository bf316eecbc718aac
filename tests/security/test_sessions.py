"""Sessions: cookie flags, no fixation, log-out and password change end copied cookies."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import make_client

NEW_PASSWORD = "a brand new secret"


def set_cookie_header(response, name: str) -> str:
    """The Set-Cookie header for one cookie."""
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[-1]


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def replay(app, *, session_cookie=None, remember_cookie=None, https=False):
    """A new browser holding only copies of the given cookies."""
    thief = make_client(app, https=https)
    if session_cookie:
        thief.set_cookie("session", session_cookie)
    if remember_cookie:
        thief.set_cookie("remember_token", remember_cookie)
    return thief


def is_logged_in(client) -> bool:
    response = client.get("/settings")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def remembered_client(app, email="user@example.com", **kwargs):
    """A client logged in with "remember me"."""
    client = make_client(app, **kwargs)
    assert client.login(email, remember="y").status_code == 302
    assert cookie(client, "remember_token")
    return client


# --- cookie flags ---------------------------------------------------------------------------


def test_cookies_are_httponly_and_lax_in_development(app, client, user_id):
    response = client.login("user@example.com", remember="y")
    for name in ("session", "remember_token"):
        header = set_cookie_header(response, name)
        assert "HttpOnly" in header and "SameSite=Lax" in header, header
        assert "Secure" not in header, header  # development runs on plain http


def test_cookies_are_secure_in_production(prod_app):
    make_user(prod_app)
    client = make_client(prod_app, https=True)
    response = client.login("user@example.com", remember="y")
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        header = set_cookie_header(response, name)
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header, header


# --- fixation -------------------------------------------------------------------------------


def test_a_cookie_from_before_log_in_never_becomes_a_logged_in_one(app, user_id):
    victim = app.test_client()
    victim.csrf_token()  # visiting /login gives the browser a session cookie
    before = cookie(victim, "session")
    assert before
    assert victim.login("user@example.com").status_code == 302
    after = cookie(victim, "session")
    assert after and after != before
    assert is_logged_in(victim)
    # The attacker who planted or read the pre-log-in cookie is still a visitor.
    assert not is_logged_in(replay(app, session_cookie=before))


def test_log_in_drops_everything_planted_in_the_session(app, user_id):
    victim = app.test_client()
    with victim.session_transaction() as session:
        session["_user_id"] = "1:forged"
        session["planted"] = "by an attacker"
    assert not is_logged_in(victim)  # a forged id with a wrong token is nobody
    assert victim.login("user@example.com").status_code == 302
    with victim.session_transaction() as session:
        assert "planted" not in session


# --- log-out --------------------------------------------------------------------------------


def log_out(client):
    response = client.post_form("/logout")
    assert response.status_code == 302
    return response


def test_a_session_cookie_copied_before_log_out_is_dead_after_it(app, auth_client):
    copied = cookie(auth_client, "session")
    assert is_logged_in(replay(app, session_cookie=copied))
    log_out(auth_client)
    assert not is_logged_in(auth_client)
    assert not is_logged_in(replay(app, session_cookie=copied))


def test_a_remember_cookie_copied_before_log_out_is_dead_after_it(app, user_id):
    client = remembered_client(app)
    copied = cookie(client, "remember_token")
    assert is_logged_in(replay(app, remember_cookie=copied))
    log_out(client)
    assert not is_logged_in(replay(app, remember_cookie=copied))


def test_log_out_deletes_the_remember_cookie_and_stays_logged_out(app, user_id):
    client = remembered_client(app)
    response = log_out(client)
    assert set_cookie_header(response, "remember_token").startswith("remember_token=;")
    assert cookie(client, "remember_token") is None
    assert not is_logged_in(client)
    page = client.get("/").get_data(as_text=True)
    assert "logged out on all your devices" in page


def test_log_out_ends_every_device(app, user_id):
    laptop, phone = app.test_client(), remembered_client(app)
    assert laptop.login("user@example.com").status_code == 302
    log_out(laptop)
    assert not is_logged_in(phone)
    # Logging in again works, and only the new log-in is valid.
    assert laptop.login("user@example.com").status_code == 302
    assert is_logged_in(laptop)


# --- password change and deactivation -------------------------------------------------------


def change_password(client):
    response = client.post_form(
        "/settings/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("keep", ["session", "remember_token"])
def test_password_change_ends_other_sessions_and_remember_cookies(app, user_id, keep):
    laptop = app.test_client()
    assert laptop.login("user@example.com").status_code == 302
    phone = remembered_client(app)
    copied = cookie(phone, keep)
    change_password(laptop)
    assert is_logged_in(laptop)
    stale = replay(app, **{"session_cookie" if keep == "session" else "remember_cookie": copied})
    assert not is_logged_in(stale)
    assert not is_logged_in(phone)


@pytest.mark.parametrize("keep", ["session", "remember_token"])
def test_deactivated_user_is_logged_out_on_the_next_request(app, user_id, keep):
    client = remembered_client(app)
    copied = cookie(client, keep)
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(active=False))
        db.session.commit()
    assert not is_logged_in(client)
    holder = replay(app, **{"session_cookie" if keep == "session" else "remember_cookie": copied})
    assert not is_logged_in(holder)
