"""Daily reminders: "12 reviews due, 5-day streak at stake", once per user and study day.

Every few minutes the job walks the opted-in users in id order, a batch at a time (keyset
pagination, so memory stays bounded with any number of users). A user whose local time is at
or past their reminder hour in their current study day, and who has no outbox row for that
day yet, gets one: a pending message when questions are due (or the interview is near) and
the day is not studied yet, otherwise a "skipped" row that records the day's decision. The
row is unique on (kind, user, study day) and inserted before anything is sent, so no run,
process or retry can remind a user twice for one day. The sender then delivers pending rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from quizapp.clock import utcnow
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.jobs import mail
from quizapp.jobs.runs import RunContext
from quizapp.models import OutboxMessage, User
from quizapp.scheduling.studyday import study_day
from quizapp.services import queue_data
from quizapp.services.dashboard import current_streak
from quizapp.vocabulary import OutboxStatus

log = logging.getLogger(__name__)

KIND = "reminder"
BATCH_SIZE = 500
# A reminder more than this late (the scheduler was down) is noise: the day is skipped.
MAX_LATE = timedelta(hours=3)
INTERVIEW_SOON_DAYS = 14
UNSUBSCRIBE_SALT = "quizapp.reminders.unsubscribe"
DEFAULT_BASE_URL = "http://localhost:5000"


def reminder_time(day: date, tz: str, day_start_hour: int, reminder_hour: int) -> datetime:
    """The UTC instant of the reminder for study day `day`: `reminder_hour`:00 local time.

    An hour before the day-start hour belongs to the next calendar date (study day D ends at
    D + 1, day_start_hour). With fold=0 a wall time that happens twice is its first
    occurrence, and one skipped by a spring-forward change maps with the offset from before
    the change, which lands just after the gap (PEP 495): 02:00 becomes 03:00 that night.
    """
    wall_date = day if reminder_hour >= day_start_hour else day + timedelta(days=1)
    wall = datetime.combine(wall_date, time(reminder_hour), tzinfo=ZoneInfo(tz))
    return wall.astimezone(UTC)


def reminder_text(due: int, streak: int, days_to_interview: int | None) -> str:
    """The summary line: "12 reviews due, 5-day streak at stake"."""
    parts = []
    if due:
        parts.append(f"{due} review{'' if due == 1 else 's'} due")
    if days_to_interview is not None:
        parts.append(
            "interview today"
            if days_to_interview == 0
            else f"interview in {days_to_interview} day{'' if days_to_interview == 1 else 's'}"
        )
    if streak:
        parts.append(f"{streak}-day streak at stake")
    return ", ".join(parts)


# -- unsubscribe links ------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int) -> str:
    """A signed token naming the user; it needs no log-in and does not expire."""
    return _serializer().dumps(user_id)


def user_for_token(token: str) -> User | None:
    """The user a token names, or None when it was altered, cut off or names nobody."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return db.session.get(User, user_id)


def unsubscribe(user: User) -> bool:
    """Turn the user's reminders off; return False if they were already off."""
    changed = rows_changed(
        update(User)
        .where(User.id == user.id, User.reminders_enabled.is_(True))
        .values(reminders_enabled=False)
    )
    db.session.commit()
    if changed:
        log.info("user %d unsubscribed from reminders", user.id)
    return bool(changed)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL under BASE_URL, built without a request (the scheduler has none)."""
    base = urlsplit(current_app.config.get("BASE_URL") or DEFAULT_BASE_URL)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


# -- the job ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """The columns of an opted-in user that the job needs (no ORM objects kept per batch)."""

    id: int
    email: str
    display_name: str
    timezone: str
    day_start_hour: int
    reminder_hour: int
    reviews_per_day: int
    interview_date: date | None


_COLUMNS = (
    User.id,
    User.email,
    User.display_name,
    User.timezone,
    User.day_start_hour,
    User.reminder_hour,
    User.reviews_per_day,
    User.interview_date,
)


def run(ctx: RunContext) -> dict[str, Any]:
    """The reminders job: decide today's reminders for users whose hour has come, then send."""
    # The main figures are always reported; rarer outcomes only when they happened.
    stats: Counter[str] = Counter(users=0, queued=0, skipped=0)
    last_id = 0
    while True:
        rows = db.session.execute(
            select(*_COLUMNS)
            .where(User.reminders_enabled.is_(True), User.active.is_(True), User.id > last_id)
            .order_by(User.id)
            .limit(BATCH_SIZE)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        stats["users"] += len(rows)
        enqueue_batch([Recipient(*row) for row in rows], utcnow(), stats)
        ctx.heartbeat()
        db.session.commit()
    db.session.commit()
    sent = mail.send_pending(ctx.heartbeat)
    return {**dict(sorted(stats.items())), **{f"mail_{k}": v for k, v in sorted(sent.items())}}


def enqueue_batch(batch: list[Recipient], now: datetime, stats: Counter[str]) -> None:
    """Write the day's outbox row for each user of the batch whose reminder time has come."""
    ready: list[tuple[Recipient, date, datetime]] = []
    for user in batch:
        try:
            today = study_day(now, user.timezone, user.day_start_hour)
            at = reminder_time(today, user.timezone, user.day_start_hour, user.reminder_hour)
        except (ValueError, KeyError):
            stats["bad_timezone"] += 1
            continue
        if now >= at:
            ready.append((user, today, at))
    if not ready:
        return
    decided = set(
        db.session.execute(
            select(OutboxMessage.user_id, OutboxMessage.study_day).where(
                OutboxMessage.kind == KIND,
                OutboxMessage.user_id.in_([user.id for user, _, _ in ready]),
                OutboxMessage.study_day.in_(sorted({today for _, today, _ in ready})),
            )
        ).all()
    )
    for user, today, at in ready:
        if (user.id, today) in decided:
            continue
        stats[remind(user, today, at, now)] += 1


def remind(user: Recipient, today: date, at: datetime, now: datetime) -> str:
    """Insert the user's outbox row for the day; return "queued", "skipped", "taken" or "error"."""
    try:
        with db.session.begin_nested():
            row = decide(user, today, at, now)
            db.session.add(row)
    except IntegrityError:
        return "taken"  # another run wrote this user's row for the day first
    except Exception:
        # One user's bad data must not stop everyone after them; the next run retries them.
        log.exception("reminder for user %d failed", user.id)
        return "error"
    return "queued" if row.status == OutboxStatus.PENDING else "skipped"


def decide(user: Recipient, today: date, at: datetime, now: datetime) -> OutboxMessage:
    """The day's outbox row for a user: a pending reminder, or a skip with its reason."""
    row = OutboxMessage(kind=KIND, user_id=user.id, study_day=today, created_at=now)
    if now - at > MAX_LATE:
        return _skip(row, "too late for today's reminder")
    if queue_data.answered_today(user.id, today):
        return _skip(row, "already studied today")
    due = min(queue_data.count_due(user.id, today), user.reviews_per_day)
    days_left = (user.interview_date - today).days if user.interview_date else None
    if days_left is not None and not 0 <= days_left <= INTERVIEW_SOON_DAYS:
        days_left = None
    if not due and days_left is None:
        return _skip(row, "nothing due")
    summary = reminder_text(due, current_streak(user.id, today), days_left)
    unsubscribe_url = external_url("reminders.unsubscribe", token=unsubscribe_token(user.id))
    row.status = OutboxStatus.PENDING
    row.reason = summary
    row.to_address = user.email
    row.subject = summary[:1].upper() + summary[1:]
    row.unsubscribe_url = unsubscribe_url
    row.body = (
        f"Hi {user.display_name},\n\n"
        f"{row.subject}.\n\n"
        f"Start today's quiz: {external_url('quiz.index')}\n\n"
        "You get this email because daily reminders are on in your settings "
        f"({external_url('auth.settings')}).\n"
        f"Unsubscribe with one click: {unsubscribe_url}\n"
    )
    return row


def _skip(row: OutboxMessage, reason: str) -> OutboxMessage:
    row.status = OutboxStatus.SKIPPED
    row.reason = reason
    return row
