"""What every benchmark shares: result rows, timing, a bench app on a temp SQLite file."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# Every benchmark runs "now" at this instant (a Wednesday, 12:00 UTC) through the app's own
# clock, so generated due days and the app's idea of today agree.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 4)  # the study day of NOW for a UTC user whose day starts at 04:00
SECRET_KEY = "bench-secret-key-bench-secret-key-bench-secret-key"


@dataclass
class Row:
    """One line of the results table: a figure, what it is compared with, and the verdict."""

    item: str
    figure: str
    value: str
    target: str = ""
    holds: bool | None = None  # None: informational, or not measurable here
    note: str = ""

    @property
    def verdict(self) -> str:
        """ "yes", "NO" or "-" for the table."""
        if self.holds is None:
            return "-"
        return "yes" if self.holds else "NO"


@dataclass(frozen=True)
class Options:
    """Command-line choices every suite sees."""

    quick: bool
    workdir: Path
    keep: bool = False
    # Benchmark 1 also runs on this PostgreSQL database (a schema of its own); None: SQLite only.
    pg_url: str | None = None


def median_seconds(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> float:
    """Median wall time of `fn` over `repeat` runs after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ms(seconds: float) -> str:
    """Seconds as milliseconds for the table."""
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(value: float) -> str:
    """A ratio for the table."""
    return f"{value:.2f}x"


def bench_config(db_path: Path, **extra: Any) -> dict[str, Any]:
    """The app configuration for a benchmark on a SQLite file at `db_path`."""
    from quizapp.clock import FrozenClock

    config: dict[str, Any] = {
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "INSTANCE_PATH": str(db_path.parent / "instance"),
        "CLOCK": FrozenClock(NOW),
        "RATELIMIT_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    config.update(extra)
    return config


def make_app(db_path: Path, **extra: Any) -> Any:
    """A quizapp instance on `db_path` (the schema is not created here)."""
    from quizapp import create_app

    return create_app(bench_config(db_path, **extra))


def create_schema(db_path: Path) -> None:
    """Create the app's tables and indexes in a new SQLite file, as the models declare them."""
    from quizapp.extensions import db

    app = make_app(db_path)
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()


@contextmanager
def statement_log(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """Record (SQL, DB-API parameters) of every statement the engine runs inside the block."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
