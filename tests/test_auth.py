"""Registration, log-in, log-out, password change and settings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD, make_user


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def get_user(app, email="user@example.com") -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def register(client, email="new@example.com", password=PASSWORD, confirm=None, name="New"):
    return client.post_form(
        "/register",
        {
            "email": email,
            "password": password,
            "confirm": confirm or password,
            "display_name": name,
        },
    )


def test_register_creates_account_and_logs_in(app, client):
    response = register(client, email="New.Person@Example.COM")
    assert response.status_code == 302
    user = get_user(app, "new.person@example.com")
    assert user.display_name == "New"
    assert user.password_hash.startswith("pbkdf2:") and PASSWORD not in user.password_hash
    assert not user.is_admin and user.active
    assert (user.day_start_hour, user.new_per_day, user.reviews_per_day) == (4, 10, 200)
    assert client.get("/settings").status_code == 200


def test_register_pages_use_standard_field_names(client):
    for url in ("/register", "/login"):
        page = client.get(url).get_data(as_text=True)
        assert 'name="email"' in page and 'name="password"' in page


def test_register_duplicate_email_any_case(app, client, user_id):
    response = register(client, email="USER@example.com")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert count_users(app) == 1


@pytest.mark.parametrize(
    ("email", "password", "confirm", "message"),
    [
        ("not-an-email", PASSWORD, None, "Invalid email"),
        ("", PASSWORD, None, "This field is required"),
        ("a@example.com", "short", None, "at least 10 characters"),
        ("a@example.com", PASSWORD, "different password", "Passwords differ"),
    ],
)
def test_register_rejects_bad_input_and_writes_nothing(
    app, client, email, password, confirm, message
):
    response = register(client, email=email, password=password, confirm=confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_login_and_logout(app, client, user_id):
    response = client.login("User@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/settings").status_code == 200
    token = client.csrf_token()
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/settings").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_logout_by_get_is_not_allowed(auth_client):
    assert auth_client.get("/logout").status_code == 405
    assert auth_client.get("/settings").status_code == 200


def test_one_message_for_unknown_email_and_wrong_password(client, user_id):
    unknown = client.login("nobody@example.com").get_data(as_text=True)
    wrong = client.login("user@example.com", "wrong password!").get_data(as_text=True)
    assert "Wrong email or password." in unknown
    assert "Wrong email or password." in wrong


def test_deactivated_user_cannot_log_in_and_is_logged_out(app, auth_client, user_id):
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = auth_client.get("/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Wrong email or password." in auth_client.login("user@example.com").get_data(
        as_text=True
    )


def test_remember_me_sets_a_persistent_cookie(client, user_id):
    response = client.login("user@example.com", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]
    # A new browser session with only the remember cookie is still logged in.
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/settings").status_code == 200


def test_no_remember_cookie_without_remember_me(client, user_id):
    response = client.login("user@example.com")
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_session_is_renewed_at_login(client, user_id):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.login("user@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "////evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "https://evil.com",
        "http:/evil.com",
        "javascript:alert(1)",
        " //evil.com",
        "/\t/evil.com",
        "evil.com",
        "",
    ],
)
def test_next_redirect_rejects_other_sites(client, user_id, target):
    response = client.post_form(
        "/login?next=" + target, {"email": "user@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/settings", "/settings?tab=1", "/progress"])
def test_next_redirect_allows_local_paths(client, user_id, target):
    response = client.post_form(
        "/login", {"email": "user@example.com", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == target


def test_change_password_requires_current_and_ends_other_sessions(app, user_id):
    laptop, phone = app.test_client(), app.test_client()
    laptop.login("user@example.com")
    phone.login("user@example.com")
    wrong = laptop.post_form(
        "/settings/password",
        {
            "current": "nope nope nope",
            "password": "brand new secret",
            "confirm": "brand new secret",
        },
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.get_data(as_text=True)
    before = get_user(app).password_hash
    ok = laptop.post_form(
        "/settings/password",
        {"current": PASSWORD, "password": "brand new secret", "confirm": "brand new secret"},
    )
    assert ok.status_code == 302
    assert get_user(app).password_hash != before
    assert laptop.get("/settings").status_code == 200
    assert phone.get("/settings").status_code == 302
    fresh = app.test_client()
    assert fresh.login("user@example.com", "brand new secret").status_code == 302


def settings_form(**overrides):
    data = {
        "display_name": "Ada",
        "timezone": "Asia/Kolkata",
        "day_start_hour": "5",
        "new_per_day": "15",
        "reviews_per_day": "150",
        "interview_date": "2026-04-01",
        "reminder_hour": "19",
        "reminders_enabled": "y",
    }
    data.update(overrides)
    return data


def test_settings_are_saved(app, auth_client):
    response = auth_client.post_form("/settings", settings_form())
    assert response.status_code == 302
    user = get_user(app)
    assert (user.display_name, user.timezone, user.day_start_hour) == ("Ada", "Asia/Kolkata", 5)
    assert (user.new_per_day, user.reviews_per_day) == (15, 150)
    assert user.interview_date == date(2026, 4, 1)
    assert user.reminders_enabled and user.reminder_hour == 19


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "Unknown time zone"),
        ("timezone", "", "This field is required"),
        ("day_start_hour", "24", "between 0 and 23"),
        ("day_start_hour", "-1", "between 0 and 23"),
        ("day_start_hour", "four", "Not a valid integer"),
        ("new_per_day", "1001", "between 0 and 1000"),
        ("reviews_per_day", "-5", "between 0 and 10000"),
        ("interview_date", "31/31/2026", "Not a valid date"),
        # The clock says 2026-03-04; in the user's zone (UTC) yesterday has passed.
        ("interview_date", "2026-03-03", "That day has passed (today is 2026-03-04)"),
        ("display_name", "x" * 81, "longer than 80"),
    ],
)
def test_settings_validation_writes_nothing(app, auth_client, field, value, message):
    response = auth_client.post_form("/settings", settings_form(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    user = get_user(app)
    assert (user.timezone, user.day_start_hour, user.new_per_day) == ("UTC", 4, 10)


def test_an_interview_today_is_accepted(app, auth_client):
    response = auth_client.post_form("/settings", settings_form(interview_date="2026-03-04"))
    assert response.status_code == 302
    assert get_user(app).interview_date == date(2026, 3, 4)


def test_post_without_csrf_token_is_rejected_and_changes_nothing(app, auth_client):
    response = auth_client.post("/settings", data=settings_form())
    assert response.status_code == 400
    assert get_user(app).timezone == "UTC"


def test_login_without_csrf_token_is_rejected(client, user_id):
    response = client.post("/login", data={"email": "user@example.com", "password": PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_register_without_csrf_writes_nothing(app, client):
    response = client.post(
        "/register",
        data={
            "email": "x@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "display_name": "X",
        },
    )
    assert response.status_code == 400
    assert count_users(app) == 0


def test_display_name_is_escaped(app, client):
    register(client, name="<script>alert(1)</script>")
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_fresh_database_has_no_users(app):
    assert count_users(app) == 0


def test_make_user_helper(app):
    make_user(app, "x@example.com", timezone="Europe/Berlin")
    assert get_user(app, "x@example.com").timezone == "Europe/Berlin"


@pytest.mark.parametrize("url", ["/login", "/register"])
def test_head_of_a_form_page_is_200_like_get(client, url):
    """HEAD (curl -I, uptime checks) answers as GET does, not as a failed POST."""
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200


@pytest.mark.parametrize("url", ["/settings", "/settings/password"])
def test_head_of_a_settings_page_is_200_like_get(auth_client, url):
    assert auth_client.head(url).status_code == 200
