"""Database engine settings: SQLite tuned for a web server, PostgreSQL as is."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, DateTime, Executable, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator

from quizapp.extensions import db


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


# Statements that need SQLite's write lock. A transaction begins as a reader and takes the
# lock only when it first writes (a SAVEPOINT counts: it guards a write that may fail).
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")
# Per DBAPI connection: how far the open transaction has gone.
_TXN = "quizapp.sqlite_txn"
_NOT_BEGUN, _READING, _WRITING = "not begun", "reading", "writing"


def _writes(statement: str) -> bool:
    return statement.lstrip().upper().startswith(_WRITE_VERBS)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, busy timeout, foreign keys, and the write lock taken at the first write only."""

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
    def _on_begin(connection: Connection) -> None:
        # The first statement decides how the transaction begins (below).
        connection.info[_TXN] = _NOT_BEGUN

    @event.listens_for(engine, "before_cursor_execute")
    def _take_lock_on_first_write(
        connection: Connection, cursor: Any, statement: str, *_: Any
    ) -> None:
        # A write transaction only writes. Reads, parsing, grading and rendering before the
        # first write run in a plain deferred transaction, which in WAL mode never waits for
        # a writer and never holds up one (an upload parsed inside BEGIN IMMEDIATE stalled
        # every user for seconds). At the first write the read snapshot ends and BEGIN
        # IMMEDIATE takes the lock, so writers queue on the busy timeout instead of failing
        # when a stale read lock cannot be upgraded. The writes then see the latest data, as
        # on PostgreSQL (read committed): each one is conditional or checked by a constraint.
        state = connection.info.get(_TXN)
        if state is None or state == _WRITING:
            return
        if not _writes(statement):
            if state == _NOT_BEGUN:
                cursor.execute("BEGIN")
                connection.info[_TXN] = _READING
            return
        if state == _READING:
            cursor.execute("COMMIT")
            connection.info[_TXN] = _NOT_BEGUN
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            # Reported like any statement's error, so a held lock is a 503, not a 500.
            raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
        connection.info[_TXN] = _WRITING


def init_db(app: Flask) -> None:
    """Bind SQLAlchemy to the app and apply per-dialect connection settings."""
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if is_sqlite(engine):
            configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic hook: write UTCDateTime as a plain DateTime so migrations don't import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
