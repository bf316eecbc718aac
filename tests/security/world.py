"""A small world for the hostile-input tests: a bank, two users, two admins, and their data.

The owner has a study session with one answered item, a flag and a card; the owner admin has
a staged upload. The "other" user and admin own nothing, so every id is someone else's to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    PendingImport,
    QuestionFlag,
    StudySession,
    StudySessionItem,
    Topic,
    User,
)
from quizapp.services import pending_imports
from tests.conftest import QuizClient, make_user
from tests.factories import load, mixed_bank
from tests.quiz.helpers import answer, start

FIXTURES = Path(__file__).resolve().parents[1] / "banks" / "fixtures"
VALID_CSV = (FIXTURES / "sql-basics.csv").read_bytes()

OWNER, OTHER = "owner@example.com", "other@example.com"
OWNER_ADMIN, OTHER_ADMIN = "boss@example.com", "admin2@example.com"


@dataclass
class World:
    """Ids of everything the owners have."""

    session_id: int
    answered_item_id: int
    open_item_id: int
    question_id: int
    flag_id: int
    pending_id: int
    topic_id: int


def build_world(app: Flask) -> World:
    """Create the users and their data through the real services and forms."""
    load(app, mixed_bank())
    make_user(app, OWNER)
    make_user(app, OTHER)
    make_user(app, OWNER_ADMIN, admin=True)
    make_user(app, OTHER_ADMIN, admin=True)
    owner = logged_in(app, OWNER)
    session_id = start(owner)
    response, item_id, question_id = answer(owner, app, session_id, elapsed_ms=5000)
    assert response.status_code == 302
    assert (
        owner.post_form(
            f"/quiz/questions/{question_id}/flag", {"reason": "wrong", "comment": "hmm"}
        ).status_code
        == 302
    )
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.email == OWNER_ADMIN))
        staged = pending_imports.stage_upload(boss, "sql.csv", VALID_CSV, None, False)
        assert staged.pending is not None
        open_item = db.session.scalar(
            select(StudySessionItem.id).where(
                StudySessionItem.session_id == session_id,
                StudySessionItem.answered_at.is_(None),
            )
        )
        return World(
            session_id=session_id,
            answered_item_id=item_id,
            open_item_id=open_item,
            question_id=question_id,
            flag_id=db.session.scalar(select(QuestionFlag.id)),
            pending_id=db.session.scalar(select(PendingImport.id)),
            topic_id=db.session.scalar(select(Topic.id)),
        )


def logged_in(app: Flask, email: str) -> QuizClient:
    """A fresh client logged in as `email`."""
    client: QuizClient = app.test_client()  # type: ignore[assignment]
    assert client.login(email).status_code == 302
    return client


def session_count(app: Flask) -> int:
    """Study sessions, for tests that expect one more."""
    with app.app_context():
        return len(db.session.scalars(select(StudySession.id)).all())
