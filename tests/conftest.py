"""Shared fixtures: a fresh app and database per test, clients, a settable clock."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from quizapp import create_app
from quizapp.clock import FrozenClock
from quizapp.extensions import db
from quizapp.services import accounts

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def database_url(tmp_path: Any) -> str:
    """The database under test: TEST_DATABASE_URL (PostgreSQL in CI) or a temp SQLite file."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/test.sqlite"


def is_postgres() -> bool:
    """Tell whether this run targets PostgreSQL."""
    return (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")


def reset_database() -> None:
    """Drop everything (including Alembic's table) and build the schema from the models."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()


class QuizClient(FlaskClient):
    """A test client that can fetch the session's CSRF token and post forms with it."""

    def csrf_token(self) -> str:
        """Return the CSRF token of this client's session."""
        # /login shows a form to visitors and redirects users; /settings is the opposite.
        for url in ("/login", "/settings"):
            match = CSRF_RE.search(self.get(url).get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError("no CSRF token on /login or /settings")

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form with a valid CSRF token."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = PASSWORD, **extra: Any) -> Any:
        """Log in through the real form."""
        return self.post_form("/login", {"email": email, "password": password, **extra})


@pytest.fixture(autouse=True)
def _no_frozen_objects_left() -> Iterator[None]:
    """An app built outside testing freezes the objects alive (quizapp.freeze_startup_objects):
    the next test must not inherit them, or its garbage would never be collected."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture
def clock() -> FrozenClock:
    """A clock that tests move by hand; starts on a Wednesday at noon UTC."""
    return FrozenClock(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))


@pytest.fixture
def app_config(tmp_path: Any, clock: FrozenClock) -> dict[str, Any]:
    """The configuration every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "CLOCK": clock,
        # A fast hash keeps the suite quick; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """A fresh app with an empty schema."""
    application = create_app(app_config)
    application.test_client_class = QuizClient
    with application.app_context():
        reset_database()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> QuizClient:
    """An anonymous client."""
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner."""
    return app.test_cli_runner()


def make_user(
    app: Flask, email: str = "user@example.com", *, admin: bool = False, **fields: Any
) -> int:
    """Create a user directly through the service and return its id."""
    with app.app_context():
        user = accounts.create_user(email, PASSWORD, email.split("@")[0], is_admin=admin)
        for name, value in fields.items():
            setattr(user, name, value)
        db.session.commit()
        return user.id


@pytest.fixture
def user_id(app: Flask) -> int:
    """A regular user."""
    return make_user(app)


@pytest.fixture
def auth_client(app: Flask, user_id: int) -> QuizClient:
    """A client logged in as the regular user."""
    client: QuizClient = app.test_client()  # type: ignore[assignment]
    response = client.login("user@example.com")
    assert response.status_code == 302
    return client


@pytest.fixture
def admin_client(app: Flask) -> QuizClient:
    """A client logged in as an admin."""
    make_user(app, "admin@example.com", admin=True)
    client: QuizClient = app.test_client()  # type: ignore[assignment]
    assert client.login("admin@example.com").status_code == 302
    return client
