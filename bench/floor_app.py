"""The fair floor for item 1: the least an answer cycle on quizapp's stack can cost.

Flask with a Flask-Login session, Flask-WTF CSRF and Flask-SQLAlchemy with quizapp's own
engine options (``quizapp.config.ENGINE_OPTIONS``: a ping at each checkout), on a SQLite file
with its settings (``quizapp.db.configure_sqlite``: WAL, busy timeout, the write lock taken
at the first write) or on PostgreSQL, with its GIL switch interval and its start-up objects
frozen out of full garbage collections (``quizapp.freeze_startup_objects``). GET: the
logged-in user's loader and one SELECT of one row, rendered by Jinja into a page as large as
quizapp's question page (``FLOOR_PAGE_BYTES``). POST: the loader, the CSRF check, one UPDATE
and one INSERT in one transaction, and a redirect. It speaks the same HTML as quizapp's
question page where bench/answer.lua reads it, so the same wrk script drives it.

``FLOOR_DATABASE_URL`` names its database (or ``FLOOR_DATABASE`` a SQLite file);
``python -m bench.floor_app seed URL USERS`` builds it. Served as
``gunicorn bench.floor_app:app`` with the app's gunicorn settings.
"""

from __future__ import annotations

import os
import sys
import time

from flask import Flask, abort, redirect, render_template_string, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from flask_wtf.csrf import generate_csrf
from sqlalchemy import ForeignKey, Integer, String, Text, insert, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from quizapp import GIL_SWITCH_INTERVAL_S, freeze_startup_objects
from quizapp.config import ENGINE_OPTIONS
from quizapp.db import configure_sqlite


class Base(DeclarativeBase):
    """The floor app's own metadata (nothing shared with quizapp's tables)."""


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner."""

    __tablename__ = "floor_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)


class Card(db.Model):  # type: ignore[name-defined,misc]
    """One question of one learner, with the state an answer changes."""

    __tablename__ = "floor_cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("floor_users.id"), index=True)
    prompt: Mapped[str] = mapped_column(Text)
    due: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """One answer, logged."""

    __tablename__ = "floor_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("floor_users.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("floor_cards.id"))
    grade: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[float] = mapped_column()


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Question</title></head><body>
<main><h1>Question</h1><p>{{ card.prompt }}</p>
<form method="post" action="/quiz/items/{{ card.id }}/answer">
<input id="csrf_token" name="csrf_token" type="hidden" value="{{ csrf_token() }}">
<input id="version" name="version" type="hidden" value="{{ card.version }}">
{% for grade in range(6) %}<button name="grade" value="{{ grade }}">{{ grade }}</button>{% endfor %}
</form>
<section>{% for line in filler %}<p>{{ line }}</p>{% endfor %}</section>
</main></body></html>
"""
LOGIN = (
    '<form method="post"><input id="csrf_token" name="csrf_token" type="hidden" '
    'value="{{ csrf_token() }}"><input name="email"><input name="password"></form>'
)


def create_app() -> Flask:
    """The floor app on the database named by FLOOR_DATABASE_URL (or FLOOR_DATABASE)."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "floor-secret-key-long-enough-for-the-bench"),
        SQLALCHEMY_DATABASE_URI=_database_url(),
        SQLALCHEMY_ENGINE_OPTIONS=dict(ENGINE_OPTIONS),
    )
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, 5000)
    CSRFProtect(app)
    login = LoginManager(app)
    login.user_loader(lambda user_id: db.session.get(User, int(user_id)))
    # As many bytes of text as quizapp's question page, so rendering costs the same.
    size = int(os.environ.get("FLOOR_PAGE_BYTES", "6000"))
    filler = [f"Line {i} of the text around a question, as a real page has." for i in range(400)]
    page = app.jinja_env.from_string(PAGE)
    base = len(page.render(card=Card(id=1, prompt="?", version=0), filler=[], csrf_token=str))
    line = len("<p></p>") + len(filler[0])
    filler = filler[: max(0, (size - base) // line)]

    @app.get("/login")
    def login_page() -> str:
        return render_template_string(LOGIN)

    @app.post("/login")
    def log_in() -> object:
        user = db.session.scalar(select(User).where(User.email == request.form["email"]))
        if user is None:
            abort(403)
        login_user(user)
        return redirect("/", 302)

    @app.get("/settings")
    @login_required
    def settings() -> str:
        return generate_csrf()

    @app.get("/quiz/sessions/<int:_session_id>")
    @login_required
    def question(_session_id: int) -> str:
        card = db.session.scalar(
            select(Card).where(Card.user_id == current_user.id).order_by(Card.due, Card.id).limit(1)
        )
        return page.render(card=card, filler=filler, csrf_token=generate_csrf)

    @app.post("/quiz/items/<int:card_id>/answer")
    @login_required
    def answer(card_id: int) -> object:
        grade = int(request.form.get("grade", "0"))
        db.session.execute(
            update(Card)
            .where(Card.id == card_id, Card.user_id == current_user.id)
            .values(due=Card.due + 1 + grade, version=Card.version + 1)
        )
        db.session.execute(
            insert(Answer).values(
                user_id=current_user.id, card_id=card_id, grade=grade, answered_at=time.time()
            )
        )
        db.session.commit()
        return redirect(f"/quiz/items/{card_id}", 302)

    freeze_startup_objects()  # as quizapp's own create_app does outside tests
    return app


def _database_url() -> str:
    return os.environ.get("FLOOR_DATABASE_URL") or f"sqlite:///{os.environ['FLOOR_DATABASE']}"


def seed(url: str, users: int, cards: int = 400) -> None:
    """Create the floor database at `url` with `users` learners of `cards` questions each."""
    os.environ["FLOOR_DATABASE_URL"] = url
    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(
            insert(User),
            [{"id": i, "email": f"user{i}@bench.example"} for i in range(1, users + 1)],
        )
        db.session.execute(
            insert(Card),
            [
                {"user_id": u, "prompt": f"What does `f({c})` return?", "due": c}
                for u in range(1, users + 1)
                for c in range(cards)
            ],
        )
        db.session.commit()
        db.engine.dispose()


if __name__ == "__main__":  # python -m bench.floor_app seed URL USERS
    seed(sys.argv[2], int(sys.argv[3]))
    app = None
else:
    app = create_app() if {"FLOOR_DATABASE", "FLOOR_DATABASE_URL"} & set(os.environ) else None
