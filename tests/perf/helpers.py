"""A studied account of a given size, and counting or explaining the SQL a request runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, update

from quizapp.extensions import db
from quizapp.models import User
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, start

TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "flashcard")
WRITES_AND_READS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@contextmanager
def recorded(app: Any) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries(statements: list[str]) -> list[str]:
    """The data statements among those recorded (not BEGIN, SAVEPOINT, PRAGMA...)."""
    return [s for s in statements if s.lstrip().upper().startswith(WRITES_AND_READS)]


def studied(app: Any, client: Any, user_id: int, questions: int, answers: int) -> dict[str, int]:
    """A bank of `questions` in two topics; `answers` of them answered (every third wrong).

    Returns the session id and the last answered item id.
    """
    load(
        app,
        bank(
            "perf",
            [
                question(f"q{i}", TYPES[i % len(TYPES)], topic=("alpha", "beta")[i % 2])
                for i in range(questions)
            ],
        ),
    )
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(new_per_day=1000))
        db.session.commit()
    session_id = start(client)
    assert session_id is not None
    item_id = 0
    for i in range(answers):
        response, item_id, _ = answer(client, app, session_id, right=i % 3 != 2)
        assert response.status_code == 302
    return {"session": session_id, "item": item_id}


def pages(ids: dict[str, int]) -> dict[str, str]:
    """The pages whose statement counts are bounded, by name."""
    return {
        "question": f"/quiz/sessions/{ids['session']}",
        "feedback": f"/quiz/items/{ids['item']}",
        "progress": "/progress/",
        "dashboard": "/",
    }


def statements_of(app: Any, fetch: Callable[[], Any]) -> list[str]:
    """The data statements `fetch` makes the app run."""
    with recorded(app) as seen:
        fetch()
    return queries(seen)
