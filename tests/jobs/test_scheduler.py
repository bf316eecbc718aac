"""The scheduler runs only in its own process, with guards against overlapping runs."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from quizapp import create_app
from quizapp.extensions import db
from quizapp.jobs.registry import JOBS, day_period, slot_period
from quizapp.jobs.scheduler import _run_in_app, build_scheduler
from quizapp.models import JobRun
from tests.jobs.helpers import count


def scheduler_threads() -> list[str]:
    return [
        t.name
        for t in threading.enumerate()
        if t.name == "APScheduler" or t.name.startswith("ThreadPoolExecutor")
    ]


def test_web_workers_never_start_a_scheduler(app_config):
    before = set(threading.enumerate())
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    assert app.test_client().get("/").status_code == 200
    assert app.test_client().get("/login").status_code == 200
    assert scheduler_threads() == []
    new = [t.name for t in set(threading.enumerate()) - before]
    assert new == [], new
    with app.app_context():
        db.engine.dispose()


def test_the_scheduler_has_explicit_ids_coalesce_one_instance_and_grace(app):
    with app.app_context():
        scheduler = build_scheduler(app)
    assert isinstance(scheduler, BlockingScheduler)
    assert scheduler.state == STATE_STOPPED  # built, not started
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"reminders", "mail", "maintenance"}
    for name, job in jobs.items():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == JOBS[name].misfire_grace_seconds > 0
        assert isinstance(job.trigger, CronTrigger)
    assert str(jobs["reminders"].trigger) == "cron[minute='*/5']"
    assert str(jobs["maintenance"].trigger) == "cron[hour='3', minute='30']"
    assert scheduler_threads() == []


def test_periods():
    at = datetime(2026, 3, 4, 12, 9, 59, tzinfo=UTC)
    assert slot_period(5)(at) == "2026-03-04T12:05Z"
    assert slot_period(15)(at) == "2026-03-04T12:00Z"
    assert day_period(at) == "2026-03-04"


def test_a_scheduled_run_gets_its_own_app_context_in_a_worker_thread(app):
    thread = threading.Thread(target=_run_in_app, args=(app, "maintenance"))
    thread.start()
    thread.join(timeout=60)
    assert count(app, JobRun, JobRun.job == "maintenance", JobRun.status == "ok") == 1


def test_scheduler_run_starts_and_stops_cleanly(app, runner, monkeypatch):
    started = []
    handlers = {}

    def start(self, *args, **kwargs):
        started.append(sorted(job.id for job in self.get_jobs()))
        raise KeyboardInterrupt

    monkeypatch.setattr(BlockingScheduler, "start", start)
    monkeypatch.setattr(signal, "signal", lambda signum, handler: handlers.update({signum: 1}))
    result = runner.invoke(args=["scheduler", "run"])
    assert result.exit_code == 0, result.output
    assert started == [["mail", "maintenance", "reminders"]]
    assert signal.SIGTERM in handlers
    assert "job reminders: every 5 minutes" in result.output
    assert result.output.rstrip().endswith("Scheduler stopped.")
