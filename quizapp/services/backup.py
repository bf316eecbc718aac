"""Backup and restore of every table as portable JSON lines, on any database.

A backup is one JSON document per line (gzip-compressed when the name ends in ``.gz``)::

    {"format": "quizapp-backup", "version": 1, "revision": "…", "dialect": "sqlite", …}
    {"table": "users", "columns": ["id", "email", …]}
    [1, "ada@example.com", …]                      one line per row, in primary-key order
    …
    {"end": true, "rows": {"users": 12, …}}

Values are plain JSON: datetimes and dates in ISO 8601, bytes in base64, JSON columns as they
are. Tables come in foreign-key order, so a restore inserts parents before children. Nothing
in the file depends on the database it came from: a SQLite backup restores into PostgreSQL and
back. The file is written under a temporary name and renamed at the end, and the last line
counts the rows, so a backup cut short is never mistaken for a whole one.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Connection, Date, DateTime, LargeBinary, Table, func, inspect, select
from sqlalchemy import text as sql_text
from sqlalchemy.types import TypeDecorator

from quizapp.clock import utcnow
from quizapp.extensions import db

FORMAT = "quizapp-backup"
FORMAT_VERSION = 1
BATCH_ROWS = 500


class BackupError(Exception):
    """The backup file cannot be restored (says why); nothing was written."""


class RestoreRefused(BackupError):
    """The target database already holds data and --force was not given."""


@dataclass
class BackupSummary:
    """Rows per table written to or restored from a backup."""

    rows: dict[str, int] = field(default_factory=dict)
    revision: str | None = None

    @property
    def total(self) -> int:
        """All rows, every table."""
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table of the models, parents before children."""
    return list(db.metadata.sorted_tables)


def _kind(column: Any) -> str:
    type_ = column.type
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, JSON):
        return "json"
    if isinstance(type_, LargeBinary):
        return "bytes"
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    return "plain"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(kind: str) -> Any:
    if kind == "datetime":
        return datetime.fromisoformat
    if kind == "date":
        return date.fromisoformat
    if kind == "bytes":
        return base64.b64decode
    return None


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision of the connected database (None when not migrated by Alembic)."""
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(sql_text("SELECT version_num FROM alembic_version")).scalar()


def _open(path: Path, mode: str, *, gz: bool | None = None) -> IO[str]:
    if path.name.endswith(".gz") if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")  # closed by the caller


def _snapshot_connection() -> Connection:
    conn = db.engine.connect()
    # One snapshot for every table: PostgreSQL's default isolation gives each SELECT its own.
    # A SQLite transaction that only reads is one snapshot already (WAL).
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _dump(conn: Connection, out: IO[str]) -> BackupSummary:
    summary = BackupSummary(revision=schema_revision(conn))
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "revision": summary.revision,
        "dialect": conn.dialect.name,
        "created_at": utcnow().isoformat(),
        "tables": [t.name for t in tables()],
    }
    out.write(json.dumps(header) + "\n")
    for table in tables():
        names = [c.name for c in table.columns]
        out.write(json.dumps({"table": table.name, "columns": names}) + "\n")
        ordered = select(table).order_by(*table.primary_key.columns)
        count = 0
        for row in conn.execute(ordered.execution_options(yield_per=1000)):
            out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
            count += 1
        summary.rows[table.name] = count
    out.write(json.dumps({"end": True, "rows": summary.rows}) + "\n")
    return summary


def write_backup(path: str | os.PathLike[str]) -> BackupSummary:
    """Dump every table to ``path`` from one consistent snapshot of the database."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    gz = target.name.endswith(".gz")
    try:
        with _snapshot_connection() as conn, conn.begin(), _open(partial, "w", gz=gz) as out:
            summary = _dump(conn, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return summary


@dataclass
class _Section:
    table: Table
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _read_sections(path: Path, known: dict[str, Table]) -> Iterator[_Section]:
    """Yield each table's rows in batches, checking the file as it goes."""
    with _open(path, "r") as stream:
        try:
            header = json.loads(stream.readline() or "null")
        except json.JSONDecodeError as exc:
            raise BackupError(f"{path}: not a quizapp backup ({exc})") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise BackupError(f"{path}: not a quizapp backup")
        if header.get("version") != FORMAT_VERSION:
            raise BackupError(f"{path}: backup format version {header.get('version')} is unknown")
        section: _Section | None = None
        counts: dict[str, int] = {}
        for number, line in enumerate(stream, start=2):
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BackupError(f"{path}:{number}: damaged line ({exc})") from exc
            if isinstance(item, list):
                if section is None or len(item) != len(section.columns):
                    raise BackupError(f"{path}:{number}: a row that fits no table header")
                section.rows.append(item)
                counts[section.table.name] += 1
                if len(section.rows) >= BATCH_ROWS:
                    yield section
                    section = _Section(section.table, section.columns)
                continue
            if section is not None and section.rows:
                yield section
            if item.get("end"):
                if item.get("rows") != counts:
                    raise BackupError(f"{path}: row counts disagree with the end line")
                return
            name = item.get("table")
            if name not in known:
                raise BackupError(f"{path}:{number}: unknown table {name!r}")
            columns = list(item.get("columns") or [])
            unknown = set(columns) - set(known[name].columns.keys())
            if unknown:
                raise BackupError(f"{path}:{number}: {name} has unknown columns {sorted(unknown)}")
            section = _Section(known[name], columns)
            counts[name] = 0
    raise BackupError(f"{path}: the backup is cut short (no end line); nothing was restored")


def _decode_rows(section: _Section) -> list[dict[str, Any]]:
    decoders = [_decoder(_kind(section.table.columns[name])) for name in section.columns]
    return [
        {
            name: (decode(value) if decode is not None and value is not None else value)
            for name, decode, value in zip(section.columns, decoders, row, strict=True)
        }
        for row in section.rows
    ]


def _reset_sequences(conn: Connection) -> None:
    # Rows came with their ids; the next id PostgreSQL hands out must be past them.
    preparer = conn.dialect.identifier_preparer
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = conn.execute(
            sql_text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": preparer.format_table(table), "column": column.name},
        ).scalar()
        if sequence is None:
            continue
        highest = conn.execute(select(func.max(column))).scalar()
        conn.execute(
            sql_text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
            {"sequence": sequence, "value": highest or 1, "called": highest is not None},
        )


def _check_target(conn: Connection, revision: str | None, force: bool) -> None:
    present = set(inspect(conn).get_table_names())
    missing = sorted(t.name for t in tables() if t.name not in present)
    if missing:
        raise BackupError(
            f"the database has no table {', '.join(missing)}; run `flask --app quizapp db "
            "upgrade` first"
        )
    current = schema_revision(conn)
    if revision and current and revision != current:
        raise BackupError(
            f"the backup is of schema revision {revision}, the database is at {current}; "
            "restore into a database migrated to the backup's revision"
        )
    count = select(func.count())
    filled = [t.name for t in tables() if conn.execute(count.select_from(t)).scalar()]
    if filled and not force:
        raise RestoreRefused(
            f"the database is not empty ({', '.join(filled)}); use --force to replace its data"
        )


def _header_revision(path: Path) -> str | None:
    with _open(path, "r") as stream:
        try:
            header = json.loads(stream.readline() or "null")
        except json.JSONDecodeError:
            return None
    return header.get("revision") if isinstance(header, dict) else None


def restore_backup(path: str | os.PathLike[str], *, force: bool = False) -> BackupSummary:
    """Load a backup into this database in one transaction; all of it or nothing.

    Refuses a database that holds any row unless ``force``, which first deletes every row.
    """
    source = Path(path)
    known = {t.name: t for t in tables()}
    # Read the whole file once before writing, so a damaged file changes nothing.
    summary = BackupSummary(revision=_header_revision(source))
    summary.rows = dict.fromkeys(known, 0)
    for section in _read_sections(source, known):
        summary.rows[section.table.name] += len(section.rows)
    with db.engine.begin() as conn:
        _check_target(conn, summary.revision, force)
        for table in reversed(tables()):
            conn.execute(table.delete())
        for section in _read_sections(source, known):
            conn.execute(section.table.insert(), _decode_rows(section))
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
    return summary
