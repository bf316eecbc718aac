"""`jobs list`, `jobs run` and /admin/jobs."""

from __future__ import annotations

import json
from datetime import date

from quizapp.jobs import maintenance
from tests.jobs.helpers import give_due_cards, load_questions, record_mail, reminder_user


def test_jobs_list_before_any_run(runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["JOB", "SCHEDULE", "NEXT"]
    # The clock stands at 2026-03-04 12:00 UTC.
    assert lines[1].split() == [
        "reminders", "every", "5", "minutes", "2026-03-04", "12:00", "-", "never", "-", "-"
    ]  # fmt: skip
    assert lines[2].split() == [
        "mail", "every", "minute", "2026-03-04", "12:00", "-", "never", "-", "-"
    ]  # fmt: skip
    assert lines[3].split()[:8] == [
        "maintenance", "daily", "at", "03:30", "UTC", "2026-03-05", "03:30", "-"
    ]  # fmt: skip


def test_jobs_run_then_again_in_the_same_period_then_list(app, runner):
    give_due_cards(app, reminder_user(app, "r@example.com", hour=12), load_questions(app)[:2],
                   date(2026, 3, 4))  # fmt: skip
    recorder = record_mail(app)
    result = runner.invoke(args=["jobs", "run", "reminders"])
    assert result.exit_code == 0, result.output
    first, rest = result.output.split("\n", 1)
    assert first.startswith("reminders: period 2026-03-04T12:00Z done in")
    assert json.loads(rest) == {"mail_sent": 1, "queued": 1, "skipped": 0, "users": 1}
    assert len(recorder.sent) == 1
    again = runner.invoke(args=["jobs", "run", "reminders"])
    assert again.exit_code == 0
    assert again.output.startswith("reminders: skipped: period 2026-03-04T12:00Z already done")
    assert len(recorder.sent) == 1
    listing = runner.invoke(args=["jobs", "list"]).output.splitlines()
    assert listing[1].split()[6:9] == ["2026-03-04", "12:00", "ok"]
    assert listing[1].split()[-1] == "2026-03-04T12:00Z"


def test_a_failing_job_exits_1_and_shows_its_error(app, runner, monkeypatch):
    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setattr(maintenance, "count_leeches", broken)
    result = runner.invoke(args=["jobs", "run", "maintenance"])
    assert result.exit_code == 1
    assert "maintenance: period 2026-03-04 failed after" in result.output
    assert "database on fire" in result.output
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "failed" in listing
    assert "last error (2026-03-04): RuntimeError: database on fire" in listing


def test_jobs_run_rejects_unknown_names(runner):
    result = runner.invoke(args=["jobs", "run", "nope"])
    assert result.exit_code == 2
    assert "'nope' is not one of" in result.output


def test_admin_jobs_page_shows_schedule_last_run_result_and_error(app, admin_client, runner,
                                                                  monkeypatch):  # fmt: skip
    page = admin_client.get("/admin/jobs")
    assert page.status_code == 200
    assert "every 5 minutes" in page.text and "daily at 03:30 UTC" in page.text
    assert page.text.count("<td>never</td>") == 3
    runner.invoke(args=["jobs", "run", "reminders"])
    monkeypatch.setattr(maintenance, "count_leeches", lambda: 1 / 0)
    runner.invoke(args=["jobs", "run", "maintenance"])
    page = admin_client.get("/admin/jobs").text
    assert "2026-03-04 12:00:00 (period 2026-03-04T12:00Z)" in page
    assert "<li>users: 0</li>" in page
    assert "ZeroDivisionError: division by zero" in page
    assert "Duration" in page and " s</td>" in page
    assert admin_client.get("/admin/").text.count('href="/admin/jobs"') == 1


def test_admin_jobs_page_is_for_admins_only(auth_client, client):
    assert auth_client.get("/admin/jobs").status_code == 403
    assert client.get("/admin/jobs").status_code == 302
