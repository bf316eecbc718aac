"""Fixtures for the security tests: apps with limits on, a production app, a failing route."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import QuizClient, reset_database

# Deliberately distinctive, so a test can assert it never reaches a page.
LEAKY_SECRET = "s3cr3t-" + "k" * 40
BOOM_MESSAGE = "kaboom-internal-detail"


def build_app(app_config: dict[str, Any], **overrides: Any) -> Flask:
    """A fresh app on the test database with extra settings and two failing routes."""
    application = create_app({**app_config, **overrides})
    application.test_client_class = QuizClient

    # Failing routes, added before the first request: one plain exception and one from the
    # database, so error pages can be checked for tracebacks, secrets and SQL.
    @application.route("/_test/boom", methods=["GET", "POST"])
    def _boom() -> str:
        raise RuntimeError(BOOM_MESSAGE + " " + application.config["SECRET_KEY"])

    @application.route("/_test/sql")
    def _sql() -> str:
        db.session.execute(text("SELECT secret_column FROM no_such_table_xyz"))
        return "unreachable"

    with application.app_context():
        reset_database()
    return application


def dispose(application: Flask) -> None:
    """Release the app's database connections."""
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(app_config: dict[str, Any]) -> Iterator[Any]:
    """A factory for apps with settings on top of the test configuration."""
    built: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        application = build_app(app_config, **overrides)
        built.append(application)
        return application

    yield factory
    for application in built:
        dispose(application)


@pytest.fixture
def limited_app(make_app: Any) -> Flask:
    """An app with the abuse limits switched on (in-memory storage)."""
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")


@pytest.fixture
def prod_app(make_app: Any) -> Flask:
    """An app configured as in production (secure cookies, HSTS), not in testing mode."""
    return make_app(
        ENV_NAME="production", SECRET_KEY=LEAKY_SECRET, TRUSTED_HOSTS=["localhost"], TESTING=False
    )


@pytest.fixture
def boom_app(make_app: Any) -> Flask:
    """An app as in production (no TESTING, so no exception propagation) with failing routes."""
    return make_app(SECRET_KEY=LEAKY_SECRET, TESTING=False)


def client_address() -> str:
    """A random client address, so rate-limit buckets never collide between tests or runs."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def row_counts(application: Flask) -> dict[str, int]:
    """Rows in every table: compared before and after a request that must write nothing."""
    with application.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


def make_client(application: Flask, *, https: bool = False, addr: str | None = None) -> QuizClient:
    """A test client over HTTPS and/or from a given client address."""
    client: QuizClient = application.test_client()  # type: ignore[assignment]
    if https:
        client.environ_base["wsgi.url_scheme"] = "https"
        # Flask-WTF checks the Referer of HTTPS form posts; browsers send it same-origin.
        client.environ_base["HTTP_REFERER"] = "https://localhost/"
    if addr:
        client.environ_base["REMOTE_ADDR"] = addr
    return client


def db_snapshot(application: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: equal before and after means nothing was written at all."""
    with application.app_context():
        snapshot = {
            table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }
        db.session.rollback()
        return snapshot


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The tables whose rows differ between two snapshots."""
    return [name for name in before if before[name] != after.get(name)]


def restore(application: Flask, snapshot: dict[str, list[tuple[Any, ...]]]) -> None:
    """Put every table back to a snapshot, so one app can serve many independent cases."""
    with application.app_context():
        tables = db.metadata.sorted_tables
        for table in reversed(tables):
            db.session.execute(table.delete())
        for table in tables:
            rows = snapshot[table.name]
            if rows:
                names = [column.name for column in table.columns]
                values = [dict(zip(names, row, strict=True)) for row in rows]
                db.session.execute(table.insert(), values)
        db.session.commit()
