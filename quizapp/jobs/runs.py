"""Claiming a job's period in the database, so each period is worked once across processes.

A run inserts ``(job, period)`` into ``job_runs``; the unique constraint lets one process win.
The loser skips, unless the winner's run failed or stopped sending heartbeats (its process
died): then a conditional update on ``attempts`` hands the period to exactly one new run,
which finishes the rest (every job is idempotent).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from quizapp.clock import utcnow
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.models import JobRun
from quizapp.vocabulary import JobStatus

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 4000


class RunLost(RuntimeError):
    """Raised when another process took this run's period over (our heartbeat was too late)."""


@dataclass(frozen=True)
class JobSpec:
    """A job: what it does, when it runs and how its period is named."""

    name: str  # also the APScheduler job id
    description: str
    schedule: str  # for people: "every 5 minutes"
    cron: dict[str, Any]  # CronTrigger fields, in UTC
    period: Callable[[datetime], str]
    func: Callable[[RunContext], dict[str, Any]]
    misfire_grace_seconds: int
    # A running claim whose heartbeat is older than this is taken to be dead.
    stale_after: timedelta


@dataclass
class RunContext:
    """What a job function gets: its claim, and a heartbeat to call after each batch."""

    run_id: int
    attempt: int
    period: str
    started_at: datetime

    def heartbeat(self) -> None:
        """Mark the claim alive (in the caller's transaction); raise RunLost if taken over."""
        touched = rows_changed(
            update(JobRun)
            .where(JobRun.id == self.run_id, JobRun.attempts == self.attempt)
            .values(heartbeat_at=utcnow())
        )
        if touched != 1:
            raise RunLost(f"job run {self.run_id} was taken over by another process")


@dataclass
class Outcome:
    """How a request to run a job ended."""

    job: str
    period: str
    status: str  # ok, failed or skipped
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    reason: str | None = None  # why it was skipped
    duration_ms: int | None = None


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:200]


def claim(job: str, period: str, stale_after: timedelta) -> tuple[JobRun | None, str]:
    """Claim a job's period; return (the claimed run, "") or (None, why not)."""
    now = utcnow()
    db.session.add(
        JobRun(
            job=job,
            period=period,
            status=JobStatus.RUNNING,
            attempts=1,
            owner=_owner(),
            started_at=now,
            heartbeat_at=now,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    else:
        return _load(job, period), ""
    existing = _load(job, period)
    if existing is None:  # deleted in between (a purge): try again next time
        return None, "claim raced with a purge"
    if existing.status == JobStatus.OK:
        return None, f"period {period} already done by {existing.owner}"
    if existing.status == JobStatus.RUNNING and existing.heartbeat_at > now - stale_after:
        return None, f"period {period} is being run by {existing.owner}"
    # Failed, or running with a dead heartbeat: take it over, exactly one of us.
    taken = rows_changed(
        update(JobRun)
        .where(JobRun.id == existing.id, JobRun.attempts == existing.attempts)
        .values(
            status=JobStatus.RUNNING,
            attempts=existing.attempts + 1,
            owner=_owner(),
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            duration_ms=None,
            error=None,
        )
    )
    db.session.commit()
    if taken != 1:
        return None, f"period {period} was taken over by another process"
    log.warning("%s: resuming period %s after a %s run", job, period, existing.status)
    return _load(job, period), ""


def _load(job: str, period: str) -> JobRun | None:
    db.session.expire_all()
    return db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == period))


def _finish(ctx: RunContext, status: JobStatus, duration_ms: int, **values: Any) -> None:
    # Conditional on our attempt: a run that lost its claim must not overwrite the new one.
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == ctx.run_id, JobRun.attempts == ctx.attempt)
        .values(status=status, finished_at=utcnow(), duration_ms=duration_ms, **values)
    )
    db.session.commit()


def run(spec: JobSpec) -> Outcome:
    """Run a job for the current period if no other run has it (needs an app context)."""
    period = spec.period(utcnow())
    run_row, why = claim(spec.name, period, spec.stale_after)
    if run_row is None:
        log.info("%s: skipped: %s", spec.name, why)
        return Outcome(spec.name, period, "skipped", reason=why)
    ctx = RunContext(run_row.id, run_row.attempts, period, run_row.started_at)
    started = time.perf_counter()
    try:
        result = spec.func(ctx)
    except Exception as exc:
        db.session.rollback()
        duration = round((time.perf_counter() - started) * 1000)
        error = "".join(traceback.format_exception(exc))[-MAX_ERROR_CHARS:]
        _finish(ctx, JobStatus.FAILED, duration, error=error)
        log.exception("%s: period %s failed after %d ms", spec.name, period, duration)
        return Outcome(spec.name, period, "failed", error=str(exc), duration_ms=duration)
    duration = round((time.perf_counter() - started) * 1000)
    _finish(ctx, JobStatus.OK, duration, result=result)
    log.info("%s: period %s done in %d ms: %s", spec.name, period, duration, result)
    return Outcome(spec.name, period, "ok", result=result, duration_ms=duration)


def last_run(job: str) -> JobRun | None:
    """The job's most recently started run."""
    return db.session.scalar(
        select(JobRun)
        .where(JobRun.job == job)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    )


def last_failure(job: str) -> JobRun | None:
    """The job's most recent failed run (its error is shown even after later successes)."""
    return db.session.scalar(
        select(JobRun)
        .where(JobRun.job == job, JobRun.status == JobStatus.FAILED)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    )
