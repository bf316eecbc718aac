"""flask commands: `scheduler run`, `jobs list`, `jobs run NAME`."""

from __future__ import annotations

import json
import logging
import signal
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from quizapp.clock import utcnow
from quizapp.jobs import runs
from quizapp.jobs.registry import JOBS, next_run, run_job

scheduler_cli = AppGroup("scheduler", help="The background job scheduler (one process).")
jobs_cli = AppGroup("jobs", help="List background jobs or run one now.")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the job scheduler in the foreground until Ctrl+C or SIGTERM."""
    from quizapp.jobs.scheduler import build_scheduler

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    # Our own log line per run says more than APScheduler's two per run.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build_scheduler(app)

    def _stop(signum: int, _frame: Any) -> None:
        click.echo(f"Received {signal.Signals(signum).name}; stopping the scheduler.")
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    for spec in JOBS.values():
        click.echo(f"job {spec.name}: {spec.schedule}")
    click.echo("Scheduler running; stop it with Ctrl+C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Interrupted; waiting for running jobs to finish.")
        if scheduler.running:
            scheduler.shutdown()  # waits for running jobs to finish
    click.echo("Scheduler stopped.")


@jobs_cli.command("list")
def list_jobs() -> None:
    """Show each job's schedule, next run and last run (times in UTC)."""
    now = utcnow()
    click.echo(
        f"{'JOB':12} {'SCHEDULE':22} {'NEXT RUN':16}  {'LAST RUN':16}  {'STATUS':8} "
        f"{'TOOK':>8}  PERIOD"
    )
    for spec in JOBS.values():
        last = runs.last_run(spec.name)
        took = f"{last.duration_ms / 1000:.2f}s" if last and last.duration_ms is not None else "-"
        click.echo(
            f"{spec.name:12} {spec.schedule:22} {_when(next_run(spec, now)):16}  "
            f"{_when(last.started_at if last else None):16}  "
            f"{last.status if last else 'never':8} {took:>8}  {last.period if last else '-'}"
        )
        failure = runs.last_failure(spec.name)
        if failure is not None:
            error = (failure.error or "").strip().splitlines()
            click.echo(f"{'':12} last error ({failure.period}): {error[-1] if error else '?'}")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(JOBS)))
def run_now(name: str) -> None:
    """Run one job now, for the current period (skipped if another run has it)."""
    outcome = run_job(name)
    if outcome.status == "skipped":
        click.echo(f"{name}: skipped: {outcome.reason}")
        return
    took = f"{(outcome.duration_ms or 0) / 1000:.2f}s"
    if outcome.status == "failed":
        click.echo(
            f"{name}: period {outcome.period} failed after {took}: {outcome.error}", err=True
        )
        raise SystemExit(1)
    click.echo(f"{name}: period {outcome.period} done in {took}")
    click.echo(json.dumps(outcome.result, indent=2, sort_keys=True))


def register_jobs_cli(app: Flask) -> None:
    """Register the `scheduler` and `jobs` command groups."""
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(jobs_cli)
