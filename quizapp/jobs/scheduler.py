"""The APScheduler process: `flask --app quizapp scheduler run`, never a web worker.

APScheduler's own guards (explicit job ids, coalesce, max_instances=1, a misfire grace time)
keep one process from overlapping itself; the database claim in quizapp.jobs.runs keeps a
second process (started by mistake) from doing a period's work again.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from quizapp.clock import utcnow
from quizapp.jobs.registry import JOBS, run_job, trigger

log = logging.getLogger(__name__)


def _run_in_app(app: Flask, name: str) -> None:
    # Scheduler threads have no app context; each run gets its own (and its own session).
    with app.app_context():
        try:
            run_job(name)
        except Exception:
            log.exception("%s: the run could not be started or recorded", name)


def build_scheduler(app: Flask, *, blocking: bool = True) -> Any:
    """A scheduler with every job added (not started); call inside an app context."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone="UTC",
        executors={"default": ThreadPoolExecutor(max_workers=len(JOBS))},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    now = utcnow()
    for spec in JOBS.values():
        scheduler.add_job(
            _run_in_app,
            trigger=trigger(spec),
            args=(app, spec.name),
            id=spec.name,
            name=spec.description,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds,
            replace_existing=True,
            # Run once at start-up too: a night missed while the scheduler was down is caught
            # up, and the claim makes this a no-op when the period is already done.
            next_run_time=now,
        )
    return scheduler
