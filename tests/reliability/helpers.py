"""Shared steps of the reliability tests: a prepared answer form and consistency checks."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select

from quizapp.extensions import db
from quizapp.models import Review, StudySessionItem
from quizapp.services.verify import verify_reviews
from tests.factories import load, mixed_bank
from tests.quiz.helpers import answer_data, next_item, start

REPO = Path(__file__).resolve().parents[2]
SECRET = "reliability-test-secret-key-long-enough-0123456789"


def prepared_answer(app, client) -> tuple[int, dict[str, Any]]:
    """Load a bank, start today's quiz and return (item id, a complete answer form).

    The form carries its CSRF token, so posting it needs no other request first.
    """
    load(app, mixed_bank())
    session_id = start(client)
    item_id, _type, question_id = next_item(app, session_id)
    data = answer_data(app, question_id)
    data["version"] = "0"
    data["csrf_token"] = client.csrf_token()
    return item_id, data


def answers_written(app) -> tuple[int, int]:
    """(reviews, answered session items) in the whole database."""
    with app.app_context():
        reviews = db.session.scalar(select(func.count()).select_from(Review))
        answered = db.session.scalar(
            select(func.count())
            .select_from(StudySessionItem)
            .where(StudySessionItem.answered_at.is_not(None))
        )
        return reviews, answered


def assert_consistent(app) -> int:
    """Every answered item has its review and the reverse; card states replay; return reviews."""
    with app.app_context():
        answered, linked = StudySessionItem.answered_at, StudySessionItem.review_id
        half = db.session.scalar(
            select(func.count())
            .select_from(StudySessionItem)
            .where(
                or_(
                    and_(answered.is_(None), linked.is_not(None)),
                    and_(answered.is_not(None), linked.is_(None)),
                )
            )
        )
        assert half == 0, f"{half} session item(s) half answered"
        linked = db.session.scalar(
            select(func.count())
            .select_from(StudySessionItem)
            .where(StudySessionItem.review_id.is_not(None))
        )
        reviews = db.session.scalar(select(func.count()).select_from(Review))
        assert linked == reviews, f"{reviews} reviews, {linked} answered items"
        mismatches = [str(m) for m in verify_reviews()]
        assert mismatches == []
        return reviews


def subprocess_env(database_url: str) -> dict[str, str]:
    """The environment of a child `flask` or Python process on the test's database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        QUIZAPP_ENV="development",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


PYTHON = sys.executable
