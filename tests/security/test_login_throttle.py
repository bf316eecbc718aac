"""Per-account log-in throttle: many addresses cannot keep guessing one account's password,
and nobody can use that to lock the owner out of a device they have logged in from."""

from __future__ import annotations

import secrets

import pytest

from quizapp.auth.throttle import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_DAYS
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import client_address, make_client

# Failed log-ins per account per minute before it is slowed down (quizapp/auth/throttle.py).
PER_MINUTE = 5
WRONG = "not the password"


@pytest.fixture
def email(limited_app) -> str:
    """A fresh account (limits are kept per account, so every test gets its own)."""
    address = f"victim-{secrets.token_hex(6)}@example.com"
    make_user(limited_app, address)
    return address


def stranger(app):
    """A new device at a new address."""
    return make_client(app, addr=client_address())


def log_in(client, email, password=WRONG):
    return client.post_form("/login", {"email": email, "password": password})


def fail_from_many_addresses(app, email, times=PER_MINUTE):
    """`times` wrong passwords for the account, each from another address (under its limit)."""
    for n in range(times):
        response = log_in(stranger(app), email)
        assert response.status_code == 422, f"attempt {n + 1}: {response.status_code}"


def test_guessing_one_account_from_many_addresses_is_throttled(limited_app, email):
    fail_from_many_addresses(limited_app, email)
    assert log_in(stranger(limited_app), email).status_code == 429
    # Even the right password from a new device waits: the guesser cannot tell it was right.
    assert log_in(stranger(limited_app), email, PASSWORD).status_code == 429
    # Other accounts, from the same addresses, are not affected.
    other = f"other-{secrets.token_hex(6)}@example.com"
    make_user(limited_app, other)
    assert log_in(stranger(limited_app), other, PASSWORD).status_code == 302


def test_unknown_emails_are_throttled_the_same_way(limited_app):
    """The throttle does not tell which accounts exist."""
    nobody = f"nobody-{secrets.token_hex(6)}@example.com"
    fail_from_many_addresses(limited_app, nobody)
    assert log_in(stranger(limited_app), nobody).status_code == 429


def test_the_email_is_matched_in_any_case(limited_app, email):
    fail_from_many_addresses(limited_app, email.upper())
    assert log_in(stranger(limited_app), f"  {email} ").status_code == 429


def test_successful_log_ins_do_not_count(limited_app, email):
    for _ in range(PER_MINUTE * 2):
        assert log_in(stranger(limited_app), email, PASSWORD).status_code == 302
    fail_from_many_addresses(limited_app, email)
    assert log_in(stranger(limited_app), email).status_code == 429


def test_the_owners_known_device_is_never_locked_out(limited_app, email):
    owner = stranger(limited_app)
    assert log_in(owner, email, PASSWORD).status_code == 302
    assert owner.post_form("/logout").status_code == 302
    fail_from_many_addresses(limited_app, email)
    assert log_in(stranger(limited_app), email, PASSWORD).status_code == 429
    # A typo on the owner's device is an ordinary failure, and the next try gets in.
    assert log_in(owner, email).status_code == 422
    assert log_in(owner, email, PASSWORD).status_code == 302


def test_the_known_device_cookie(limited_app, email):
    owner = stranger(limited_app)
    response = log_in(owner, email, PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if KNOWN_DEVICE_COOKIE in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/login" in cookie
    assert f"Max-Age={KNOWN_DEVICE_DAYS * 86400}" in cookie
    # The cookie names no email in the clear.
    assert email.split("@")[0] not in cookie


def test_a_known_device_is_known_only_for_its_own_account(limited_app, email):
    other = f"other-{secrets.token_hex(6)}@example.com"
    make_user(limited_app, other)
    device = stranger(limited_app)
    assert log_in(device, email, PASSWORD).status_code == 302
    device.post_form("/logout")
    fail_from_many_addresses(limited_app, other)
    assert log_in(device, other, PASSWORD).status_code == 429


def test_a_forged_known_device_cookie_is_ignored(limited_app, email):
    fail_from_many_addresses(limited_app, email)
    forger = stranger(limited_app)
    forger.set_cookie(KNOWN_DEVICE_COOKIE, "eyJhIjpbXSwidCI6MH0.forged", path="/login")
    assert log_in(forger, email, PASSWORD).status_code == 429


def test_a_device_is_forgotten_after_a_year(limited_app, email, clock):
    owner = stranger(limited_app)
    assert log_in(owner, email, PASSWORD).status_code == 302
    owner.post_form("/logout")
    fail_from_many_addresses(limited_app, email)
    clock.advance(days=KNOWN_DEVICE_DAYS - 1)
    assert log_in(owner, email, PASSWORD).status_code == 302
    owner.post_form("/logout")
    # Logging in renewed it: a year from now, not from the first log-in.
    clock.advance(days=KNOWN_DEVICE_DAYS + 1)
    assert log_in(owner, email, PASSWORD).status_code == 429


def test_the_per_address_limit_still_applies_to_a_known_device(limited_app, email):
    owner = stranger(limited_app)
    assert log_in(owner, email, PASSWORD).status_code == 302
    owner.post_form("/logout")
    for _ in range(9):
        assert log_in(owner, email).status_code == 422
    assert log_in(owner, email).status_code == 429


def test_probing_for_registered_emails_is_rate_limited(limited_app, email):
    """Registration says when an email is taken; five tries a minute per address keep that
    from becoming a fast way to list accounts."""
    client = stranger(limited_app)
    form = {"email": email, "display_name": "Probe", "password": PASSWORD, "confirm": PASSWORD}
    for _ in range(5):
        response = client.post_form("/register", form)
        assert response.status_code == 422
        assert "already exists" in response.get_data(as_text=True)
    assert client.post_form("/register", form).status_code == 429
