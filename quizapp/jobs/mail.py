"""The outbox sender: SMTP when MAIL_SERVER is set, otherwise the log.

Rows are written to ``outbox`` first (by the job that decides to send), then delivered here.
Each row is claimed with a conditional update before it is sent and marked sent right after,
so two senders never deliver the same row; a sender that dies between the two leaves the row
"sending" until SEND_LEASE passes, and the next run sends it then.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import and_, or_, select, update

from quizapp.clock import utcnow
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.models import OutboxMessage, User
from quizapp.vocabulary import OutboxStatus

log = logging.getLogger(__name__)

SEND_BATCH = 100
SEND_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
# A reminder that could not go out within this long is about a day that has moved on.
REMINDER_TTL = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 30
RESET_MAIL_TTL = timedelta(hours=1)


class Transport(Protocol):
    """Something that delivers an email."""

    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise."""
        ...


class LogTransport:
    """Writes each message to the log: the default when no mail server is configured."""

    def send(self, message: EmailMessage) -> None:
        """Log the message, headers and body."""
        log.info(
            "mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content().strip()
        )


class SMTPTransport:
    """Sends through one SMTP connection, opened on first use and reopened after an error."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["MAIL_SERVER"], int(self.config["MAIL_PORT"])
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if port == 465:  # implicit TLS
            connection = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
            if self.config["MAIL_USE_TLS"]:
                connection.starttls(context=context)
        if self.config["MAIL_USERNAME"]:
            connection.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"] or "")
        return connection

    def send(self, message: EmailMessage) -> None:
        """Send one message; a failure closes the connection so the next one reconnects."""
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


@contextmanager
def open_transport() -> Iterator[Transport]:
    """The configured transport (tests may put one in app.extensions["quizapp.mail_transport"])."""
    override = current_app.extensions.get("quizapp.mail_transport")
    if override is not None:
        yield override
        return
    if not current_app.config.get("MAIL_SERVER"):
        yield LogTransport()
        return
    transport = SMTPTransport(current_app.config)
    try:
        yield transport
    finally:
        transport.close()


def build_email(row: OutboxMessage) -> EmailMessage:
    """The email for an outbox row."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain=_domain(current_app.config["MAIL_FROM"]))
    message["Auto-Submitted"] = "auto-generated"
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
    message.set_content(row.body)
    return message


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip("> ") or "localhost"


def _sendable(now: Any) -> Any:
    return or_(
        OutboxMessage.status == OutboxStatus.PENDING,
        and_(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - SEND_LEASE,
        ),
    )


def send_pending(heartbeat: Any = None) -> Counter[str]:
    """Deliver every pending outbox row, in id order and batches; return counts by outcome."""
    stats: Counter[str] = Counter(sent=0)
    last_id = 0
    with open_transport() as transport:
        while True:
            ids = list(
                db.session.scalars(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.id > last_id, _sendable(utcnow()))
                    .order_by(OutboxMessage.id)
                    .limit(SEND_BATCH)
                )
            )
            db.session.commit()
            if not ids:
                break
            last_id = ids[-1]
            for message_id in ids:
                stats[send_one(message_id, transport)] += 1
            if heartbeat is not None:
                heartbeat()
                db.session.commit()
    return stats


def _set(message_id: int, attempt: int, **values: Any) -> None:
    # Only the holder of this attempt's claim may finish the row.
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.attempts == attempt,
        )
        .values(**values)
    )
    db.session.commit()


def send_one(message_id: int, transport: Transport) -> str:
    """Claim one row, deliver it and mark it; return "sent", "taken", "skipped" or "error"."""
    now = utcnow()
    claimed = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _sendable(now))
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    if claimed != 1:
        return "taken"
    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        return "taken"
    attempt = row.attempts
    reason = _stale_reason(row, now)
    if reason:
        _set(message_id, attempt, status=OutboxStatus.SKIPPED, reason=reason, claimed_at=None)
        return "skipped"
    try:
        transport.send(build_email(row))
    except Exception as exc:  # any delivery failure is retried by a later run
        db.session.rollback()
        gave_up = attempt >= MAX_ATTEMPTS
        _set(
            message_id,
            attempt,
            status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
            claimed_at=None,
        )
        log.warning("mail %d to user %d failed (attempt %d): %s", row.id, row.user_id, attempt, exc)
        return "error"
    _set(message_id, attempt, status=OutboxStatus.SENT, sent_at=utcnow())
    return "sent"


def _stale_reason(row: OutboxMessage, now: Any) -> str:
    if row.kind == "password_reset":
        # The link inside stops working after an hour; a late email would only confuse.
        return "expired before it could be sent" if row.created_at < now - RESET_MAIL_TTL else ""
    if row.kind != "reminder":
        return ""
    if row.created_at < now - REMINDER_TTL:
        return "expired before it could be sent"
    # Unsubscribing between the decision and the sending wins.
    user = db.session.execute(
        select(User.reminders_enabled, User.active).where(User.id == row.user_id)
    ).first()
    if user is None or not (user.reminders_enabled and user.active):
        return "reminders turned off"
    return ""
