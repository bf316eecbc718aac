"""The factory and configuration."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from quizapp import create_app
from quizapp.config import ConfigError, database_url, is_weak_secret


def test_factory_uses_test_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"].startswith("test-secret")


@pytest.mark.parametrize("secret", [None, "", "dev", "short-secret", "changeme"])
def test_production_refuses_missing_or_weak_secret(tmp_path, monkeypatch, secret):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_accepts_strong_secret_and_sets_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("TRUSTED_HOSTS", "quiz.example.com")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_served_app_freezes_its_startup_objects_and_a_test_app_does_not(
    tmp_path, monkeypatch, app_config
):
    gc.unfreeze()
    create_app(app_config)
    assert gc.get_freeze_count() == 0
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/served.sqlite")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "served"), "SECRET_KEY": "s" * 40})
    assert not app.testing
    # Everything alive at start-up is left out of full collections, the app itself included:
    # the collector lists no frozen object in any generation.
    assert gc.get_freeze_count() > 10_000
    assert not any(obj is app for obj in gc.get_objects())


def test_development_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("QUIZAPP_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/d.sqlite")
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second
    assert not is_weak_secret(first)
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_defaults_to_instance_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/quizapp.sqlite"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_database_url_uses_psycopg3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url("/unused") == expected


def test_bad_integer_setting_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(ConfigError, match="MAX_UPLOAD_BYTES"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40})


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    from sqlalchemy import text

    from quizapp.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite connection settings")
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_security_headers_on_pages_and_errors(client):
    for url in ("/", "/login", "/no-such-page"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


def test_production_refuses_to_start_without_trusted_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("quiz.example.com", ["quiz.example.com"]),
        (" quiz.example.com , .example.org ,", ["quiz.example.com", ".example.org"]),
        ("", None),
    ],
)
def test_trusted_hosts_are_read_from_the_environment(tmp_path, monkeypatch, value, expected):
    monkeypatch.delenv("QUIZAPP_ENV", raising=False)
    monkeypatch.setenv("TRUSTED_HOSTS", value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/h.sqlite")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["TRUSTED_HOSTS"] == expected


def test_trusted_hosts_given_by_the_test_config_win(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "from-env.example")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/h.sqlite")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TRUSTED_HOSTS": "a.example, b.example"})
    assert app.config["TRUSTED_HOSTS"] == ["a.example", "b.example"]
