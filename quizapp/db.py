"""Database engine settings: SQLite tuned for a web server, PostgreSQL as is."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, DateTime, Executable, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator

from quizapp.extensions import db

# Whether the work in progress only reads. The web layer sets it per request (GET and HEAD
# change nothing); everything else (CLI, jobs, POSTs) may write.
_read_only: ContextVar[bool] = ContextVar("quizapp_read_only", default=False)


def set_read_only(read_only: bool) -> Any:
    """Declare whether the current unit of work only reads; returns a token for ``reset``."""
    return _read_only.set(read_only)


def reset_read_only(token: Any) -> None:
    """Undo a ``set_read_only``."""
    _read_only.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and returns them aware, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC before it is written."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark a stored naive UTC datetime as UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def rows_changed(statement: Executable) -> int:
    """Execute an INSERT, UPDATE or DELETE in the session; return how many rows it changed."""
    result = cast("CursorResult[Any]", db.session.execute(statement))
    return result.rowcount or 0


def is_sqlite(engine: Engine) -> bool:
    """Tell whether an engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy own transactions: pysqlite's own BEGIN handling breaks SAVEPOINTs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue on the busy
        # timeout instead of failing with "database is locked" when upgrading a read lock.
        # Work declared read-only (GET and HEAD requests) begins a plain deferred
        # transaction: in WAL mode a reader never waits for the writer. Taking the write
        # lock for them made every page queue behind every answer (the answer-cycle profile
        # in bench/profiles spent half of each worker's time in this BEGIN).
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


def init_db(app: Flask) -> None:
    """Bind SQLAlchemy to the app and apply per-dialect connection settings."""
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if is_sqlite(engine):
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic hook: write UTCDateTime as a plain DateTime so migrations don't import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
