"""Database engine settings: SQLite tuned for a web server, PostgreSQL as is."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import CursorResult, DateTime, Executable, Table, event
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


def rows_changed(statement: Executable, params: dict[str, Any] | None = None) -> int:
    """Execute an INSERT, UPDATE or DELETE in the session; return how many rows it changed."""
    result = cast("CursorResult[Any]", db.session.execute(statement, params))
    return result.rowcount or 0


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class, for the hot paths' INSERTs and UPDATEs.

    On the table a statement skips the ORM's bulk-write layer, which nothing on these paths
    needs (the objects read are not synchronised either): an INSERT ... RETURNING took about
    350 us through the ORM against 110 us on the table, an UPDATE 120 against 60.
    """
    return cast(Table, model.__table__)


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
    # The verb only: upper-casing a whole long statement on every execute showed in profiles.
    return statement.lstrip()[:9].upper().startswith(_WRITE_VERBS)


class _WriterQueue:
    """Writers of one SQLite file take turns on an OS lock before asking SQLite for its own.

    SQLite's busy handler makes a waiting writer sleep up to 100 ms between tries and is not
    fair (one that backed off loses again to newcomers): that made the answer loop's p99.
    Waiting here polls every millisecond or two instead, with the GIL released, and the
    lock is released at the commit or rollback. A dead process's lock goes with it.
    """

    _FD = "quizapp.writer_fd"

    def __init__(self, database: str, timeout_s: float) -> None:
        self.path = f"{database}-writer"
        self.timeout_s = timeout_s

    def acquire(self, connection: Connection) -> None:
        """Wait for this file's writer turn (OperationalError after the busy timeout)."""
        fd = connection.info.get(self._FD)
        if fd is None:
            fd = connection.info[self._FD] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout_s
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError(
                        "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def release(self, connection: Connection | Any) -> None:
        """End this connection's turn, if it has one."""
        fd = connection.info.get(self._FD)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self, record: Any) -> None:
        """Close the lock file of a connection the pool closes."""
        fd = record.info.pop(self._FD, None)
        if fd is not None:
            os.close(fd)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, busy timeout, foreign keys, and the write lock taken at the first write only."""
    database = engine.url.database
    queue = (
        _WriterQueue(database, busy_timeout_ms / 1000)
        if database and database != ":memory:" and not database.startswith("file:")
        else None
    )

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
        if queue is not None:
            queue.acquire(connection)
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if queue is not None:
                queue.release(connection)
            # Reported like any statement's error, so a held lock is a 503, not a 500.
            raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
        connection.info[_TXN] = _WRITING

    if queue is None:
        return

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end_turn(connection: Connection) -> None:
        if connection.info.get(_TXN) == _WRITING:
            connection.info[_TXN] = _NOT_BEGUN
            queue.release(connection)

    @event.listens_for(engine, "checkin")
    def _end_turn_on_checkin(_dbapi_connection: Any, record: Any) -> None:
        queue.release(record)

    @event.listens_for(engine, "close")
    def _close(_dbapi_connection: Any, record: Any) -> None:
        queue.release(record)
        queue.close(record)


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
