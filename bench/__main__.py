"""`python -m bench [--quick]`: run every benchmark and print one table.

Every figure is a ratio against a limit or a peer measured in the same run on the same
machine; the table says the target of each and whether it holds. Everything runs in a
temporary folder on loopback and is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import answer_cycle, importer, progress_page, queue_build, reminders_job
from bench.common import Options, Row

SUITES: dict[str, tuple[str, Callable[[Options], list[Row]]]] = {
    "answer": ("1 answer cycle / 6 memory", answer_cycle.run),
    "queue": ("2 queue", queue_build.run),
    "import": ("3 import", importer.run),
    "progress": ("4 progress", progress_page.run),
    "reminders": ("5 reminders", reminders_job.run),
}


def machine() -> str:
    """One line about the machine the figures come from."""
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}){memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )


def load() -> str:
    """The 1-minute load average (other work on the machine skews every figure)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def table(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| item | figure | value | target | holds | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        cells = (r.item, r.figure, r.value, r.target or "-", r.verdict, r.note)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the suites, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, shorter runs (CI)")
    parser.add_argument(
        "--only", default="", help=f"comma-separated suites to run: {', '.join(SUITES)}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL") or None,
        help="also run benchmark 1 on this PostgreSQL database (in a schema of its own)",
    )
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SUITES)
    unknown = [s for s in chosen if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")

    workdir = Path(tempfile.mkdtemp(prefix="quizapp-bench-"))
    options = Options(quick=args.quick, workdir=workdir, keep=args.keep, pg_url=args.pg_url)
    started = time.perf_counter()
    load_before = load()
    rows: list[Row] = []
    try:
        for name in sorted(chosen, key=list(SUITES).index):
            label, suite = SUITES[name]
            print(f"-- {label} ...", file=sys.stderr, flush=True)
            suite_started = time.perf_counter()
            try:
                rows += suite(options)
            except Exception as exc:  # one broken suite must not hide the others' figures
                traceback.print_exc()
                rows.append(
                    Row(label, "suite failed", "-", "", False, f"{type(exc).__name__}: {exc}")
                )
            print(f"   done in {time.perf_counter() - suite_started:.0f} s", file=sys.stderr)
    finally:
        if args.keep:
            print(f"databases kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    rows.sort(key=lambda r: r.item.split()[0])
    held = [r for r in rows if r.holds is not None]
    report = "\n".join(
        [
            f"quizapp benchmarks ({'quick' if args.quick else 'full'} run, {elapsed:.0f} s)",
            f"machine: {machine()}",
            f"load average (1 min) before/after: {load_before} / {load()}",
            "",
            table(rows),
            "",
            f"{sum(bool(r.holds) for r in held)} of {len(held)} targets hold.",
        ]
    )
    print(report)
    if args.output:
        args.output.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
