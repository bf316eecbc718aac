"""Reminders reach the right users at their local hour, once per study day."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from quizapp.extensions import db
from quizapp.jobs import mail, reminders
from quizapp.jobs.registry import run_job
from quizapp.models import OutboxMessage, User
from tests.jobs.helpers import (
    add_review,
    give_due_cards,
    load_questions,
    outbox,
    record_mail,
    reminder_user,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "day", "day_start", "hour", "expected"),
    [
        ("UTC", date(2026, 3, 4), 4, 18, utc(2026, 3, 4, 18)),
        # Winter and summer in New York: the same wall hour, an hour apart in UTC.
        ("America/New_York", date(2026, 3, 7), 4, 18, utc(2026, 3, 7, 23)),
        ("America/New_York", date(2026, 3, 8), 4, 18, utc(2026, 3, 8, 22)),
        # Before the day-start hour: the next calendar date, still the same study day.
        ("UTC", date(2026, 3, 4), 4, 2, utc(2026, 3, 5, 2)),
        # 02:00 on 8 March 2026 does not exist in New York: the reminder comes at 03:00 EDT.
        ("America/New_York", date(2026, 3, 7), 4, 2, utc(2026, 3, 8, 7)),
        # 01:00 on 1 November 2026 happens twice in New York: the first one (EDT) counts.
        ("America/New_York", date(2026, 10, 31), 4, 1, utc(2026, 11, 1, 5)),
        ("Asia/Kolkata", date(2026, 3, 4), 4, 7, utc(2026, 3, 4, 1, 30)),
        ("Asia/Tokyo", date(2026, 3, 4), 0, 21, utc(2026, 3, 4, 12)),
        ("Pacific/Auckland", date(2026, 3, 4), 4, 9, utc(2026, 3, 3, 20)),
    ],
)
def test_reminder_time_is_the_local_hour_within_the_study_day(tz, day, day_start, hour, expected):
    assert reminders.reminder_time(day, tz, day_start, hour) == expected


@pytest.mark.parametrize(
    ("due", "streak", "interview", "text"),
    [
        (12, 5, None, "12 reviews due, 5-day streak at stake"),
        (1, 0, None, "1 review due"),
        (0, 2, 5, "interview in 5 days, 2-day streak at stake"),
        (3, 0, 1, "3 reviews due, interview in 1 day"),
        (0, 0, 0, "interview today"),
    ],
)
def test_reminder_text(due, streak, interview, text):
    assert reminders.reminder_text(due, streak, interview) == text


ZONES = {
    # email: (zone, local hour, expected UTC delivery on 7 and 8 March 2026)
    "ny@example.com": ("America/New_York", 18, [utc(2026, 3, 7, 23), utc(2026, 3, 8, 22)]),
    "london@example.com": ("Europe/London", 8, [utc(2026, 3, 7, 8), utc(2026, 3, 8, 8)]),
    "tokyo@example.com": ("Asia/Tokyo", 21, [utc(2026, 3, 7, 12), utc(2026, 3, 8, 12)]),
    "kolkata@example.com": ("Asia/Kolkata", 7, [utc(2026, 3, 7, 1, 30), utc(2026, 3, 8, 1, 30)]),
}


def test_reminders_come_at_each_users_local_hour_across_zones_and_dst(app, clock):
    questions = load_questions(app)
    for email, (tz, hour, _) in ZONES.items():
        uid = reminder_user(app, email, tz=tz, hour=hour)
        give_due_cards(app, uid, questions[:3], date(2026, 3, 1))
    reminder_user(app, "nothing-due@example.com", tz="UTC", hour=9)
    opted_out = reminder_user(app, "off@example.com", hour=9)
    give_due_cards(app, opted_out, questions[:3], date(2026, 3, 1))
    with app.app_context():
        db.session.get(User, opted_out).reminders_enabled = False
        db.session.commit()
    recorder = record_mail(app)
    received: dict[str, list[datetime]] = {}
    # Every half hour for two days (New York springs forward on 8 March 2026).
    clock.set(utc(2026, 3, 6, 23, 30))
    while clock.now() <= utc(2026, 3, 9, 0, 0):
        before = len(recorder.sent)
        with app.app_context():
            assert run_job("reminders").status == "ok"
        for to, _, _, _ in recorder.sent[before:]:
            received.setdefault(to, []).append(clock.now())
        clock.advance(minutes=30)
    # The 6 March reminders in Asia came before the window opened, so count from 7 March.
    assert {to: [t for t in times if t >= utc(2026, 3, 7)] for to, times in received.items()} == {
        email: expected for email, (_, _, expected) in ZONES.items()
    }
    assert "off@example.com" not in received and "nothing-due@example.com" not in received
    assert all(subject == "3 reviews due" for _, subject, _, _ in recorder.sent)


def test_a_user_gets_one_reminder_per_study_day(app, clock):
    questions = load_questions(app)
    uid = reminder_user(app, "one@example.com", hour=12)
    give_due_cards(app, uid, questions[:2], date(2026, 3, 1))
    recorder = record_mail(app)
    for _ in range(6):  # 12:00 to 12:25 on 4 March
        with app.app_context():
            run_job("reminders")
        clock.advance(minutes=5)
    # Moving the reminder hour later the same day does not bring a second one.
    with app.app_context():
        db.session.get(User, uid).reminder_hour = 13
        db.session.commit()
    clock.set(utc(2026, 3, 4, 13, 0))
    with app.app_context():
        run_job("reminders")
    assert recorder.to("one@example.com") == ["2 reviews due"]
    # The next study day has its own.
    clock.set(utc(2026, 3, 5, 13, 0))
    with app.app_context():
        run_job("reminders")
    assert len(recorder.to("one@example.com")) == 2
    rows = outbox(app)
    assert [(r.study_day, r.status) for r in rows] == [
        (date(2026, 3, 4), "sent"),
        (date(2026, 3, 5), "sent"),
    ]


def test_who_gets_a_reminder_and_why_not(app, clock):
    questions = load_questions(app)
    today = date(2026, 3, 4)
    due = reminder_user(app, "due@example.com", hour=11)
    give_due_cards(app, due, questions[:12], today)
    for back in range(1, 6):  # studied on each of the five days before today
        add_review(app, due, questions[0], today - timedelta(days=back))
    studied = reminder_user(app, "studied@example.com", hour=11)
    give_due_cards(app, studied, questions[:4], today)
    add_review(app, studied, questions[0], today)
    reminder_user(app, "idle@example.com", hour=11)
    reminder_user(app, "interview@example.com", hour=11, interview_date=today + timedelta(days=5))
    reminder_user(app, "far@example.com", hour=11, interview_date=today + timedelta(days=60))
    capped = reminder_user(app, "capped@example.com", hour=11, reviews_per_day=5)
    give_due_cards(app, capped, questions[:9], today)
    later = reminder_user(app, "later@example.com", hour=13)
    give_due_cards(app, later, questions[:2], today)
    inactive = reminder_user(app, "gone@example.com", hour=11, active=False)
    give_due_cards(app, inactive, questions[:2], today)
    recorder = record_mail(app)

    with app.app_context():
        outcome = run_job("reminders")
    assert outcome.result["queued"] == 3 and outcome.result["skipped"] == 3
    assert outcome.result["mail_sent"] == 3
    assert sorted((to, subject) for to, subject, _, _ in recorder.sent) == [
        ("capped@example.com", "5 reviews due"),
        ("due@example.com", "12 reviews due, 5-day streak at stake"),
        ("interview@example.com", "Interview in 5 days"),
    ]
    reasons = {r.user_id: (r.status, r.reason) for r in outbox(app, OutboxMessage.status != "sent")}
    assert reasons == {
        studied: ("skipped", "already studied today"),
        due + 2: ("skipped", "nothing due"),  # idle
        due + 4: ("skipped", "nothing due"),  # interview too far away
    }


def test_the_reminder_is_written_to_the_log_with_links(app, clock, caplog):
    app.config["BASE_URL"] = "https://quiz.example.com"
    questions = load_questions(app)
    uid = reminder_user(app, "log@example.com", hour=12, display_name="Ada")
    give_due_cards(app, uid, questions[:12], date(2026, 3, 4))
    for back in range(1, 6):
        add_review(app, uid, questions[0], date(2026, 3, 4) - timedelta(days=back))
    with caplog.at_level(logging.INFO, logger="quizapp.jobs.mail"), app.app_context():
        run_job("reminders")
    [record] = [r for r in caplog.records if r.name == "quizapp.jobs.mail"]
    text = record.getMessage()
    assert "mail to log@example.com: 12 reviews due, 5-day streak at stake" in text
    assert "Hi Ada," in text
    assert "Start today's quiz: https://quiz.example.com/" in text
    with app.app_context():
        token = reminders.unsubscribe_token(uid)
    assert f"https://quiz.example.com/reminders/unsubscribe/{token}" in text


def test_late_reminders_are_dropped_after_the_scheduler_was_down(app, clock):
    questions = load_questions(app)
    uid = reminder_user(app, "late@example.com", hour=8)
    give_due_cards(app, uid, questions[:2], date(2026, 3, 4))
    recorder = record_mail(app)
    clock.set(utc(2026, 3, 4, 11, 30))  # 3.5 hours after 08:00
    with app.app_context():
        run_job("reminders")
    assert recorder.sent == []
    assert [(r.status, r.reason) for r in outbox(app)] == [
        ("skipped", "too late for today's reminder")
    ]


def test_unsubscribing_after_the_decision_stops_the_mail(app, clock):
    questions = load_questions(app)
    uid = reminder_user(app, "quick@example.com", hour=12)
    give_due_cards(app, uid, questions[:2], date(2026, 3, 4))
    recorder = record_mail(app)
    with app.app_context():
        reminders.enqueue_batch(
            [reminders.Recipient(uid, "quick@example.com", "q", "UTC", 4, 12, 200, None)],
            clock.now(),
            Counter(),
        )
        db.session.commit()
        reminders.unsubscribe(db.session.get(User, uid))
        assert mail.send_pending()["skipped"] == 1
    assert recorder.sent == []
    assert [(r.status, r.reason) for r in outbox(app)] == [("skipped", "reminders turned off")]


def test_a_failed_delivery_is_retried_by_the_next_run_then_given_up(app, clock):
    questions = load_questions(app)
    for email in ("ok@example.com", "bounce@example.com"):
        give_due_cards(app, reminder_user(app, email, hour=12), questions[:1], date(2026, 3, 4))
    recorder = record_mail(app)
    recorder.fail_on = {"bounce@example.com"}
    with app.app_context():
        outcome = run_job("reminders")
    assert outcome.result["mail_sent"] == 1 and outcome.result["mail_error"] == 1
    [bounced] = outbox(app, OutboxMessage.to_address == "bounce@example.com")
    assert (bounced.status, bounced.attempts) == ("pending", 1)
    assert bounced.last_error == "OSError: mail server said no"
    for _ in range(mail.MAX_ATTEMPTS - 1):
        clock.advance(minutes=5)
        with app.app_context():
            run_job("reminders")
    [bounced] = outbox(app, OutboxMessage.to_address == "bounce@example.com")
    assert (bounced.status, bounced.attempts) == ("failed", mail.MAX_ATTEMPTS)
    recorder.fail_on = set()
    clock.advance(minutes=5)
    with app.app_context():
        run_job("reminders")
    assert recorder.to("ok@example.com") == ["1 review due"]
    assert recorder.to("bounce@example.com") == []


class FakeSMTP:
    """Stands in for smtplib.SMTP and remembers what was done."""

    instances: list[FakeSMTP] = []

    def __init__(self, host, port, timeout):
        self.calls = [("connect", host, port)]
        self.messages = []
        FakeSMTP.instances.append(self)

    def starttls(self, context):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.messages.append(message)

    def quit(self):
        self.calls.append(("quit",))


def test_smtp_is_used_when_a_mail_server_is_configured(app, clock, monkeypatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_SERVER="smtp.example.com",
        MAIL_PORT=587,
        MAIL_USERNAME="mailer",
        MAIL_PASSWORD="pw",
        MAIL_USE_TLS=True,
        MAIL_FROM="quizapp@example.com",
        BASE_URL="https://quiz.example.com",
    )
    questions = load_questions(app)
    for email in ("a@example.com", "b@example.com"):
        give_due_cards(app, reminder_user(app, email, hour=12), questions[:2], date(2026, 3, 4))
    with app.app_context():
        run_job("reminders")
    [smtp] = FakeSMTP.instances  # one connection for the whole run
    assert smtp.calls == [
        ("connect", "smtp.example.com", 587),
        ("starttls",),
        ("login", "mailer", "pw"),
        ("quit",),
    ]
    assert [m["To"] for m in smtp.messages] == ["a@example.com", "b@example.com"]
    message = smtp.messages[0]
    assert message["From"] == "quizapp@example.com"
    assert message["Subject"] == "2 reviews due"
    assert message["List-Unsubscribe"].startswith(
        "<https://quiz.example.com/reminders/unsubscribe/"
    )
    assert all(r.status == "sent" for r in outbox(app))


def test_a_user_with_a_broken_row_does_not_stop_the_others(app, clock, monkeypatch):
    questions = load_questions(app)
    ids = [reminder_user(app, f"u{i}@example.com", hour=12) for i in range(4)]
    for uid in ids:
        give_due_cards(app, uid, questions[:1], date(2026, 3, 4))
    recorder = record_mail(app)
    real_decide = reminders.decide

    def decide(user, *args):
        if user.id == ids[1]:
            raise RuntimeError("bad data")
        return real_decide(user, *args)

    monkeypatch.setattr(reminders, "decide", decide)
    with app.app_context():
        outcome = run_job("reminders")
    assert outcome.status == "ok" and outcome.result["error"] == 1
    assert len(recorder.sent) == 3
    # Fixed by the next run.
    monkeypatch.setattr(reminders, "decide", real_decide)
    clock.advance(minutes=5)
    with app.app_context():
        run_job("reminders")
    assert sorted(to for to, *_ in recorder.sent) == [f"u{i}@example.com" for i in range(4)]
