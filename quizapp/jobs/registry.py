"""The jobs, their schedules (UTC cron fields) and how each names its period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from quizapp.clock import utcnow
from quizapp.jobs import mail, maintenance, reminders
from quizapp.jobs.runs import JobSpec, Outcome, RunContext, last_failure, last_run, run
from quizapp.models import JobRun

REMINDER_SLOT_MINUTES = 5


def slot_period(minutes: int) -> Callable[[datetime], str]:
    """Periods of `minutes`-long UTC slots: "2026-03-04T12:05Z"."""

    def period(now: datetime) -> str:
        now = now.astimezone(UTC)
        return now.replace(minute=now.minute - now.minute % minutes).strftime("%Y-%m-%dT%H:%MZ")

    return period


def day_period(now: datetime) -> str:
    """Periods of one UTC day: "2026-03-04"."""
    return now.astimezone(UTC).date().isoformat()


def _send_mail(ctx: RunContext) -> dict[str, Any]:
    """The mail job: deliver whatever the outbox holds (reminders send their own too)."""
    sent = mail.send_pending(ctx.heartbeat)
    return {f"mail_{k}": v for k, v in sorted(sent.items())}


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec(
            name="reminders",
            description="Daily study reminders at each user's local hour",
            schedule=f"every {REMINDER_SLOT_MINUTES} minutes",
            cron={"minute": f"*/{REMINDER_SLOT_MINUTES}"},
            period=slot_period(REMINDER_SLOT_MINUTES),
            func=reminders.run,
            # Later than this the next slot's run is due anyway.
            misfire_grace_seconds=REMINDER_SLOT_MINUTES * 60 - 30,
            stale_after=timedelta(minutes=10),
        ),
        JobSpec(
            name="mail",
            description="Send queued emails (password reset links) without waiting for reminders",
            schedule="every minute",
            cron={"minute": "*"},
            period=slot_period(1),
            func=_send_mail,
            misfire_grace_seconds=50,
            stale_after=timedelta(minutes=5),
        ),
        JobSpec(
            name="maintenance",
            description="Leech count and purge of old outbox rows, job runs and staged uploads",
            schedule="daily at 03:30 UTC",
            cron={"hour": 3, "minute": 30},
            period=day_period,
            func=maintenance.run,
            misfire_grace_seconds=3600,
            stale_after=timedelta(hours=1),
        ),
    )
}


def get(name: str) -> JobSpec:
    """The job called `name`; KeyError if there is none."""
    return JOBS[name]


def run_job(name: str) -> Outcome:
    """Run a job now for the current period, with the same claim as scheduled runs."""
    return run(get(name))


def trigger(spec: JobSpec) -> Any:
    """The APScheduler trigger for a job (imported here so web workers never load it)."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(timezone=UTC, **spec.cron)


def next_run(spec: JobSpec, now: datetime) -> datetime | None:
    """When the schedule next fires after `now`."""
    fire: datetime | None = trigger(spec).get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire else None


@dataclass(frozen=True)
class JobStatus:
    """A job with its next scheduled time, last run and last failure, for people to read."""

    spec: JobSpec
    next_run: datetime | None
    last_run: JobRun | None
    last_failure: JobRun | None


def overview() -> list[JobStatus]:
    """Every job's status, in registry order."""
    now = utcnow()
    return [
        JobStatus(spec, next_run(spec, now), last_run(spec.name), last_failure(spec.name))
        for spec in JOBS.values()
    ]
