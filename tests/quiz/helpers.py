"""Driving the quiz through HTTP, and reading the database after each step."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, StudySessionItem

SESSION_URL = re.compile(r"/quiz/sessions/(\d+)$")


def start(client, topics=None) -> int | None:
    """Start today's quiz; return the session id, or None when nothing is due."""
    data = {"topic": [str(t) for t in topics]} if topics else {}
    response = client.post_form("/quiz/start", data)
    assert response.status_code == 302, response.status_code
    match = SESSION_URL.search(response.headers["Location"])
    return int(match.group(1)) if match else None


def next_item(app, session_id: int) -> tuple[int, str, int] | None:
    """(item id, question type, question id) of the session's next question."""
    with app.app_context():
        row = db.session.execute(
            select(StudySessionItem.id, Question.type, Question.id)
            .join(Question, Question.id == StudySessionItem.question_id)
            .where(
                StudySessionItem.session_id == session_id, StudySessionItem.answered_at.is_(None)
            )
            .order_by(StudySessionItem.sort_key, StudySessionItem.id)
            .limit(1)
        ).first()
        return tuple(row) if row else None


def answer_data(app, question_id: int, right: bool = True, grade: int | None = None) -> dict:
    """Form fields answering a question right (or wrong)."""
    with app.app_context():
        q = db.session.get(Question, question_id)
        if q.type == "flashcard":
            return {"grade": str(grade if grade is not None else (4 if right else 1))}
        if q.type in ("single_choice", "multiple_choice"):
            correct = [i for i, c in enumerate(q.choices) if c["correct"]]
            wrong = [i for i, c in enumerate(q.choices) if not c["correct"]]
            return {"choice": [str(i) for i in (correct if right else wrong[:1])]}
        if q.type == "true_false":
            return {"truth": str(bool(q.answer) == right).lower()}
        if q.type == "matching":
            lefts = [i for i, pair in enumerate(q.answer) if pair["left"]]
            picks = lefts if right else list(reversed(lefts))
            return {"match": [str(i) for i in picks]}
        if q.type == "numerical":
            return {"text": q.answer[0]["low"] if right else "-99999"}
        if q.type == "explain":
            points = range(len(q.key_points)) if right else range(0)
            return {"points": [str(i) for i in points], "notes": "In my words."}
        return {"text": q.accepted[0] if right else "no idea"}


def answer(
    client, app, session_id: int, right: bool = True, elapsed_ms: int | None = None, grade=None
):
    """Answer the next question through the form; return (response, item id, question id)."""
    item_id, _type, question_id = next_item(app, session_id)
    data = answer_data(app, question_id, right, grade)
    with app.app_context():
        card = db.session.scalar(
            select(CardState)
            .join(StudySessionItem, StudySessionItem.question_id == CardState.question_id)
            .join(StudySession, StudySession.id == StudySessionItem.session_id)
            .where(StudySessionItem.id == item_id, CardState.user_id == StudySession.user_id)
        )
        data["version"] = str(card.version if card else 0)
    if elapsed_ms is not None:
        data["elapsed_ms"] = str(elapsed_ms)
    response = client.post_form(f"/quiz/items/{item_id}/answer", data)
    return response, item_id, question_id


def count(app, model, *where) -> int:
    """Rows of a model matching the conditions."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def card(app, user_id: int, question_id: int) -> CardState | None:
    """A user's card for a question (detached)."""
    with app.app_context():
        found = db.session.scalar(
            select(CardState).where(
                CardState.user_id == user_id, CardState.question_id == question_id
            )
        )
        db.session.expunge_all()
        return found


def reviews(app, user_id: int) -> list[Review]:
    """A user's reviews in order (detached)."""
    with app.app_context():
        rows = db.session.scalars(
            select(Review).where(Review.user_id == user_id).order_by(Review.reviewed_at, Review.id)
        ).all()
        db.session.expunge_all()
        return list(rows)
