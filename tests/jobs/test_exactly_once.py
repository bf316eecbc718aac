"""Exactly once: concurrent runs, two schedulers, and runs that die half way.

The threads use separate apps (own engine, own sessions) on the test's database file, or on
PostgreSQL when TEST_DATABASE_URL is set; nothing here sleeps.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from quizapp import create_app
from quizapp.clock import FrozenClock
from quizapp.extensions import db
from quizapp.jobs import mail, reminders, runs
from quizapp.jobs.registry import get, run_job
from quizapp.models import JobRun, OutboxMessage
from tests.jobs.helpers import Recorder, count, give_due_cards, load_questions, reminder_user

USERS = 12


class SimulatedCrash(BaseException):
    """Like a killed process: nothing in the job catches it, not even the run's failure path."""


@pytest.fixture
def users(app) -> list[int]:
    questions = load_questions(app, 3)
    ids = [reminder_user(app, f"user{i:02}@example.com", hour=12) for i in range(USERS)]
    for uid in ids:
        give_due_cards(app, uid, questions, date(2026, 3, 4))
    return ids


def worker_app(app_config: dict[str, Any], when: datetime, recorder: Recorder) -> Any:
    """Another process, as far as the database can tell: its own app, engine and clock."""
    config = dict(app_config, CLOCK=FrozenClock(when))
    other = create_app(config)
    other.extensions["quizapp.mail_transport"] = recorder
    return other


def in_threads(*targets: Callable[[], Any]) -> list[Any]:
    """Start the targets together (a barrier), wait, and re-raise any thread's error."""
    barrier = threading.Barrier(len(targets))
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def call(i: int, target: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = target()
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def run_in(other: Any, name: str = "reminders") -> Any:
    def target() -> Any:
        with other.app_context():
            try:
                return run_job(name)
            finally:
                db.session.remove()
                db.engine.dispose()

    return target


def assert_one_reminder_each(app, recorder: Recorder) -> None:
    expected = sorted(f"user{i:02}@example.com" for i in range(USERS))
    assert sorted(to for to, *_ in recorder.sent) == expected
    assert count(app, OutboxMessage) == USERS
    assert count(app, OutboxMessage, OutboxMessage.status == "sent") == USERS


def test_two_concurrent_runs_of_the_same_slot_remind_each_user_once(app, app_config, users):
    recorder = Recorder()
    when = datetime(2026, 3, 4, 12, 1, tzinfo=UTC)
    first, second = in_threads(
        run_in(worker_app(app_config, when, recorder)),
        run_in(worker_app(app_config, when, recorder)),
    )
    assert sorted([first.status, second.status]) == ["ok", "skipped"]
    assert count(app, JobRun) == 1
    assert_one_reminder_each(app, recorder)


def test_two_schedulers_in_different_slots_still_remind_each_user_once(
    app, app_config, users, monkeypatch
):
    """Both claims succeed (their clocks sit in different slots); the outbox keeps it once."""
    monkeypatch.setattr(reminders, "BATCH_SIZE", 3)  # interleave the two runs
    monkeypatch.setattr(mail, "SEND_BATCH", 2)
    recorder = Recorder()
    first, second = in_threads(
        run_in(worker_app(app_config, datetime(2026, 3, 4, 12, 4, 59, tzinfo=UTC), recorder)),
        run_in(worker_app(app_config, datetime(2026, 3, 4, 12, 5, tzinfo=UTC), recorder)),
    )
    assert (first.status, second.status) == ("ok", "ok")
    assert count(app, JobRun) == 2
    assert_one_reminder_each(app, recorder)


def test_two_jobs_run_processes_at_once_remind_each_user_once(app, app_config):
    """Two real `flask jobs run reminders` processes, started together, real clock and log mail."""
    now = datetime.now(UTC)
    questions = load_questions(app, 2)
    for i in range(USERS):
        # The study day and the reminder both start at this hour, so the pair cannot straddle
        # a day however slowly the processes start.
        uid = reminder_user(app, f"user{i:02}@example.com", hour=now.hour, day_start_hour=now.hour)
        give_due_cards(app, uid, questions, date(2020, 1, 1))
    env = {
        **os.environ,
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app_config["SECRET_KEY"],
        "LOG_LEVEL": "INFO",
        "MAIL_SERVER": "",
        "FLASK_DEBUG": "0",
    }
    command = [sys.executable, "-m", "flask", "--app", "quizapp", "jobs", "run", "reminders"]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    logged = [
        line.split("mail to ", 1)[1].split(":", 1)[0]
        for _, stderr in outputs
        for line in stderr.splitlines()
        if "mail to " in line
    ]
    assert sorted(logged) == [f"user{i:02}@example.com" for i in range(USERS)]
    assert count(app, OutboxMessage, OutboxMessage.status == "sent") == USERS


def test_a_run_killed_half_way_is_finished_by_the_next_without_duplicates(
    app, clock, users, monkeypatch
):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 4)
    recorder = Recorder()
    app.extensions["quizapp.mail_transport"] = recorder
    real_remind = reminders.remind
    done: list[int] = []

    def remind_then_die(user, *args):
        if len(done) == 6:
            raise SimulatedCrash("killed after 6 users")
        done.append(user.id)
        return real_remind(user, *args)

    monkeypatch.setattr(reminders, "remind", remind_then_die)
    with app.app_context(), pytest.raises(SimulatedCrash):
        run_job("reminders")
    # The first batch of four was committed; the rest of the second batch died with the run.
    assert count(app, OutboxMessage, OutboxMessage.status == "pending") == 4
    assert recorder.sent == []
    with app.app_context():
        crashed = db.session.scalar(select(JobRun))
        assert (crashed.status, crashed.period) == ("running", "2026-03-04T12:00Z")

    monkeypatch.setattr(reminders, "remind", real_remind)
    # A second try of the same slot sees a live claim and keeps off.
    with app.app_context():
        assert run_job("reminders").status == "skipped"
    # The next slot finishes the rest and sends everything once.
    clock.advance(minutes=5)
    with app.app_context():
        outcome = run_job("reminders")
    assert outcome.result["queued"] == USERS - 4 and outcome.result["mail_sent"] == USERS
    assert_one_reminder_each(app, recorder)


def test_a_sender_killed_half_way_is_finished_by_later_runs_without_duplicates(app, clock, users):
    class DiesAfterThree(Recorder):
        def send(self, message) -> None:
            if len(self.sent) == 3:
                raise SimulatedCrash("killed while sending")
            super().send(message)

    recorder = DiesAfterThree()
    app.extensions["quizapp.mail_transport"] = recorder
    with app.app_context(), pytest.raises(SimulatedCrash):
        run_job("reminders")
    assert count(app, OutboxMessage, OutboxMessage.status == "sent") == 3
    # The fourth row was claimed when the process died: it waits for its lease to run out.
    assert count(app, OutboxMessage, OutboxMessage.status == "sending") == 1
    survivor = Recorder()
    survivor.sent = list(recorder.sent)
    app.extensions["quizapp.mail_transport"] = survivor
    clock.advance(minutes=5)
    with app.app_context():
        assert run_job("reminders").result["mail_sent"] == USERS - 4
    clock.advance(minutes=mail.SEND_LEASE.total_seconds() / 60)
    with app.app_context():
        assert run_job("reminders").result["mail_sent"] == 1
    assert_one_reminder_each(app, survivor)


def test_a_failed_run_is_retried_in_its_period_and_a_dead_one_taken_over(app, clock):
    spec = get("maintenance")
    calls: list[str] = []

    def flaky(ctx):
        calls.append(ctx.period)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return {"ok": True}

    flaky_spec = runs.JobSpec(**{**spec.__dict__, "func": flaky})
    with app.app_context():
        failed = runs.run(flaky_spec)
        assert (failed.status, failed.error) == ("failed", "disk full")
        retried = runs.run(flaky_spec)
        assert retried.status == "ok"
        assert runs.run(flaky_spec).status == "skipped"  # done for today
        row = db.session.scalar(select(JobRun))
        assert (row.status, row.attempts, row.error) == ("ok", 2, None)

        # A claim whose heartbeat stopped is taken over once stale_after has passed.
        clock.advance(days=1)
        dead, why = runs.claim("maintenance", "2026-03-05", spec.stale_after)
        assert dead is not None and why == ""
        dead_ctx = runs.RunContext(dead.id, dead.attempts, dead.period, dead.started_at)
        assert runs.claim("maintenance", "2026-03-05", spec.stale_after)[0] is None
        clock.advance(seconds=spec.stale_after.total_seconds() + 1)
        taken, _ = runs.claim("maintenance", "2026-03-05", spec.stale_after)
        assert taken is not None and taken.attempts == 2
        # The old run, if it wakes up, learns it lost the claim and cannot overwrite it.
        with pytest.raises(runs.RunLost):
            dead_ctx.heartbeat()
        db.session.rollback()
        runs._finish(dead_ctx, "ok", 1)
        assert db.session.get(JobRun, taken.id).status == "running"


def test_claims_are_unique_per_job_and_period(app, clock):
    stale = timedelta(minutes=10)
    with app.app_context():
        assert runs.claim("reminders", "p1", stale)[0] is not None
        assert runs.claim("reminders", "p1", stale) == (
            None,
            "period p1 is being run by " + (db.session.scalar(select(JobRun.owner))),
        )
        assert runs.claim("reminders", "p2", stale)[0] is not None
        assert runs.claim("maintenance", "p1", stale)[0] is not None


def test_the_outbox_row_is_unique_per_user_and_study_day(app, clock, users):
    """Even when a run's look-up missed the other run's row, the insert itself is refused."""
    user = reminders.Recipient(users[0], "user00@example.com", "u", "UTC", 4, 12, 200, None)
    at = datetime(2026, 3, 4, 12, tzinfo=UTC)
    with app.app_context():
        assert reminders.remind(user, date(2026, 3, 4), at, clock.now()) == "queued"
        db.session.commit()
        assert reminders.remind(user, date(2026, 3, 4), at, clock.now()) == "taken"
        db.session.commit()
        assert reminders.remind(user, date(2026, 3, 5), at, clock.now()) == "queued"
        db.session.commit()
    assert count(app, OutboxMessage) == 2
