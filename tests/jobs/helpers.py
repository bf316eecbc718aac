"""Users with due cards and study history, a recording mail transport, and job helpers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import CardState, OutboxMessage, Question, Review
from tests.conftest import make_user
from tests.factories import bank, load, question


class Recorder:
    """A mail transport that keeps what it is given (thread-safe)."""

    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.sent: list[tuple[str, str, str, str | None]] = []
        self.fail_on = fail_on or set()
        self.lock = threading.Lock()

    def send(self, message) -> None:
        if message["To"] in self.fail_on:
            raise OSError("mail server said no")
        with self.lock:
            self.sent.append(
                (
                    message["To"],
                    message["Subject"],
                    message.get_content(),
                    message["List-Unsubscribe"],
                )
            )

    def to(self, address: str) -> list[str]:
        """Subjects sent to one address."""
        return [subject for to, subject, _, _ in self.sent if to == address]


def record_mail(app) -> Recorder:
    """Route the app's mail into a Recorder."""
    recorder = Recorder()
    app.extensions["quizapp.mail_transport"] = recorder
    return recorder


def load_questions(app, count: int = 15) -> list[int]:
    """Import a bank of `count` questions and return their ids."""
    load(app, bank("jobs", [question(f"q{i}") for i in range(count)]))
    with app.app_context():
        return list(db.session.scalars(select(Question.id).order_by(Question.id)))


def reminder_user(app, email: str, *, hour: int = 18, tz: str = "UTC", **fields) -> int:
    """A user who opted in to reminders at `hour` local time."""
    return make_user(app, email, reminders_enabled=True, reminder_hour=hour, timezone=tz, **fields)


def give_due_cards(app, user_id: int, question_ids: list[int], due: date) -> None:
    """Cards for these questions, all due on `due`."""
    with app.app_context():
        topics = {
            qid: topic
            for qid, topic in db.session.execute(
                select(Question.id, Question.topic_id).where(Question.id.in_(question_ids))
            )
        }
        db.session.add_all(
            CardState(
                user_id=user_id,
                question_id=qid,
                topic_id=topics[qid],
                repetitions=1,
                interval_days=1,
                due_day=due,
                introduced_day=due - timedelta(days=1),
            )
            for qid in question_ids
        )
        db.session.commit()


def add_review(
    app, user_id: int, question_id: int, day: date, *, grade: int = 4, mode: str = "review"
) -> None:
    """One answer in the log on study day `day`."""
    with app.app_context():
        db.session.add(
            Review(
                user_id=user_id,
                question_id=question_id,
                reviewed_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                study_day=day,
                mode=mode,
                grade=grade,
                correct=grade >= 3,
                repetitions_before=0,
                easiness_before=250,
                interval_before=0,
                lapses_before=0,
                repetitions_after=1,
                easiness_after=250,
                interval_after=1,
                due_after=day + timedelta(days=1),
                lapses_after=0,
            )
        )
        db.session.commit()


def outbox(app, *where) -> list[OutboxMessage]:
    """Outbox rows, in id order, detached for reading after the context ends."""
    with app.app_context():
        rows = list(
            db.session.scalars(select(OutboxMessage).where(*where).order_by(OutboxMessage.id))
        )
        db.session.expunge_all()
        return rows


def count(app, model, *where) -> int:
    """Rows of a model matching the conditions."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))
