"""Nightly maintenance: leeches counted, old rows purged, each night once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from quizapp.extensions import db
from quizapp.jobs.registry import run_job
from quizapp.models import JobRun, OutboxMessage, PendingImport
from quizapp.services.leeches import LEECH_FAILURES
from tests.conftest import make_user
from tests.jobs.helpers import add_review, count, give_due_cards, load_questions


def test_maintenance_counts_leeches_and_purges_old_rows(app, clock):
    questions = load_questions(app, 3)
    uid = make_user(app, "leech@example.com")
    give_due_cards(app, uid, questions, date(2026, 3, 4))
    for i in range(LEECH_FAILURES):
        add_review(app, uid, questions[0], date(2026, 2, 1) + timedelta(days=i), grade=1)
    for i in range(LEECH_FAILURES - 1):  # one short
        add_review(app, uid, questions[1], date(2026, 2, 1) + timedelta(days=i), grade=1)
    for i in range(LEECH_FAILURES):  # re-asks do not count
        add_review(app, uid, questions[2], date(2026, 2, 1) + timedelta(days=i), grade=1,
                   mode="reask")  # fmt: skip
    now = clock.now()
    with app.app_context():

        def row(day: int, status: str, age: timedelta) -> OutboxMessage:
            return OutboxMessage(
                kind="reminder", user_id=uid, study_day=date(2026, 1, day), status=status,
                created_at=now - age, sent_at=now - age if status == "sent" else None,
            )  # fmt: skip

        db.session.add_all(
            [
                row(1, "sent", timedelta(days=31)),  # purged
                row(2, "sent", timedelta(days=29)),
                row(3, "skipped", timedelta(days=8)),  # purged
                row(4, "skipped", timedelta(days=6)),
                row(5, "failed", timedelta(days=31)),  # purged
                row(6, "pending", timedelta(days=40)),  # never purged unsent
                JobRun(
                    job="reminders",
                    period="old",
                    status="ok",
                    owner="x",
                    started_at=now - timedelta(days=31),
                    heartbeat_at=now,
                ),  # fmt: skip
                PendingImport(
                    user_id=uid,
                    filename="a.yaml",
                    format="yaml",
                    data=b"x",
                    created_at=now - timedelta(days=2),
                ),  # fmt: skip
                PendingImport(
                    user_id=uid,
                    filename="b.yaml",
                    format="yaml",
                    data=b"x",
                    created_at=now - timedelta(hours=1),
                ),  # fmt: skip
            ]
        )
        db.session.commit()
        outcome = run_job("maintenance")
    assert outcome.status == "ok"
    assert outcome.result == {
        "leech_cards": 1,
        "users_with_leeches": 1,
        "statistics": "none stored: every figure is computed from the review log when shown",
        "tokens": "none stored: unsubscribe links are signed, not kept",
        "outbox_rows_purged": 3,
        "job_runs_purged": 1,
        "staged_uploads_purged": 1,
    }
    assert count(app, OutboxMessage) == 3
    assert count(app, PendingImport) == 1
    assert count(app, JobRun) == 1  # today's run


def test_maintenance_runs_once_a_night(app, clock):
    with app.app_context():
        assert run_job("maintenance").status == "ok"
        clock.set(datetime(2026, 3, 4, 23, 59, tzinfo=UTC))
        assert run_job("maintenance").status == "skipped"
        clock.set(datetime(2026, 3, 5, 3, 30, tzinfo=UTC))
        assert run_job("maintenance").status == "ok"
    assert count(app, JobRun, JobRun.job == "maintenance") == 2
