"""What the browser tests share: the served app, the page guard, and small page actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from quizapp.banks import Bank, parse_bank
from quizapp.clock import FrozenClock
from quizapp.extensions import db
from quizapp.models import Question, StudySessionItem
from quizapp.services import accounts

PASSWORD = "correct horse battery"
BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"
DASHBOARD_URL = re.compile(r"/$")
QUESTION_URL = re.compile(r"/quiz/sessions/\d+$")
FEEDBACK_URL = re.compile(r"/quiz/items/\d+$")
SUMMARY_URL = re.compile(r"/quiz/sessions/\d+/summary$")


def real_bank(name: str) -> Bank:
    """A bank from question_bank/, parsed the way an import parses it."""
    path = BANK_DIR / name
    result = parse_bank(path.read_bytes(), path.name)
    assert result.bank is not None, [str(p) for p in result.problems]
    return result.bank


@dataclass
class LiveApp:
    """The app served on a local port, with its database and clock at hand."""

    app: Flask
    url: str
    clock: FrozenClock

    def query(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` in an app context (for database checks); results come back detached."""
        with self.app.app_context():
            result = fn()
            db.session.expunge_all()
            return result

    def count(self, model: Any, *where: Any) -> int:
        """How many rows of `model` match the conditions."""
        return self.query(
            lambda: db.session.scalar(select(func.count()).select_from(model).where(*where))
        )

    def scalar(self, stmt: Any) -> Any:
        """The first column of the first row of a statement."""
        return self.query(lambda: db.session.scalar(stmt))

    def scalars(self, stmt: Any) -> list[Any]:
        """Every first column of a statement's rows."""
        return self.query(lambda: list(db.session.scalars(stmt)))

    def make_user(
        self, email: str, *, admin: bool = False, name: str = "Tester", **fields: Any
    ) -> int:
        """Create an account directly through the service (any extra column set); return its id."""

        def create() -> int:
            user = accounts.create_user(email, PASSWORD, name, is_admin=admin)
            for column, value in fields.items():
                setattr(user, column, value)
            db.session.commit()
            return user.id

        return self.query(create)


@dataclass
class PageGuard:
    """Collects console errors, uncaught exceptions, CSP violations and 5xx responses."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Accept problems matching `pattern` (e.g. the console line for an expected 422)."""
        self.allowed.append(re.compile(pattern))

    def record(self, problem: str) -> None:
        """Note a problem unless it was announced as expected."""
        if not any(p.search(problem) for p in self.allowed):
            self.problems.append(problem)

    def attach(self, page: Any) -> None:
        """Listen to one page."""

        def console(msg: Any) -> None:
            if msg.type == "error":
                self.record(f"console error on {page.url}: {msg.text}")

        def response(resp: Any) -> None:
            if resp.status >= 500:
                self.record(f"HTTP {resp.status} for {resp.url}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.record(f"uncaught exception on {page.url}: {exc}"))
        page.on("response", response)

    def check(self, where: str = "") -> None:
        """Fail if anything went wrong so far, then start over."""
        found, self.problems = self.problems, []
        assert not found, f"browser problems {where}:\n" + "\n".join(found)


def item_id(page: Any) -> int:
    """The session item a question page shows (from its answer form)."""
    action = page.locator("#answer-form").get_attribute("action")
    match = re.search(r"/quiz/items/(\d+)/answer$", action or "")
    assert match, action
    return int(match.group(1))


def answer_with_keys(page: Any, live: LiveApp, *, right: bool = True) -> str:
    """Answer the shown question with the keyboard, right or wrong (per the database).

    Returns the question type. Flashcards are graded 4 (right) or 1 (wrong).
    """
    shown = live.query(
        lambda: db.session.scalar(
            select(Question)
            .join(StudySessionItem, StudySessionItem.question_id == Question.id)
            .where(StudySessionItem.id == item_id(page))
        )
    )
    if shown.type in ("single_choice", "multiple_choice"):
        correct = {i for i, c in enumerate(shown.choices) if c.get("correct")}
        wrong = set(range(len(shown.choices))) - correct
        for index in sorted(correct if right else {min(wrong)}):
            choice = page.locator(f"input[name=choice][value='{index}']")
            page.keyboard.press(choice.get_attribute("data-key"))
        page.keyboard.press("Enter")
    elif shown.type == "true_false":
        page.keyboard.press("1" if bool(shown.answer) == right else "2")
    elif shown.type == "short_answer":
        page.keyboard.type(shown.accepted[0] if right else "no idea")
        page.keyboard.press("Enter")
    else:
        page.keyboard.press(" ")
        page.keyboard.press("4" if right else "1")
    page.wait_for_url(FEEDBACK_URL)
    return shown.type


def login(page: Any, email: str, password: str = PASSWORD) -> None:
    """Log in through the form and land on the dashboard."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(DASHBOARD_URL)


def widths(page: Any) -> tuple[int, int]:
    """(document width, viewport width): equal when nothing overflows sideways."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll, client


def wider_than_viewport(page: Any) -> list[str]:
    """Elements whose right edge lies past the viewport (to explain an overflow)."""
    return page.evaluate(
        """() => {
          const limit = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll("body *")) {
            const box = el.getBoundingClientRect();
            if (box.right > limit + 1 && el.closest("pre, .table-wrap") === null) {
              out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                       + " right=" + Math.round(box.right));
            }
          }
          return out.slice(0, 10);
        }"""
    )
