"""Rendering the question page and the mock interview report (shared by the two blueprints)."""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_login import current_user

from quizapp.clock import utcnow
from quizapp.quiz.forms import AnswerForm, answer_form
from quizapp.scheduling.sm2 import GRADE_MEANINGS
from quizapp.services import mock_interviews, quiz_pages
from quizapp.vocabulary import SessionMode


def render_question(
    page: quiz_pages.QuestionPage,
    form: AnswerForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The question page (a mock interview's has the clock); refused answers keep their input."""
    if page.question_type is None or page.question is None or page.item is None:
        abort(404)
    if form is None:
        form = answer_form(page.question_type, option_count(page), formdata=None)
    # The form always carries the card version the page shows.
    form.version.data = page.card_version
    mock = None
    if page.session.mode == SessionMode.MOCK:
        mock = mock_interviews.clock(page.session, page.question, utcnow())
    html = render_template(
        "mock/question.html" if mock else "quiz/question.html",
        page=page,
        form=form,
        error=error,
        grade_meanings=GRADE_MEANINGS,
        mock=mock,
    )
    return html, status


def option_count(page: quiz_pages.QuestionPage) -> int:
    """How many choices (or matching options, or key points) the question offers."""
    return quiz_pages.option_count(page.question) if page.question is not None else 0


def render_report(session_id: int, status: int = 200) -> tuple[str, int]:
    """The report of the user's mock interview (404 for anyone else's)."""
    result = mock_interviews.report(current_user, session_id)
    if result is None:
        abort(404)
    return render_template("mock/report.html", report=result), status


def time_up(session_id: int, message: str) -> tuple[str, int]:
    """The report, refusing what came after the deadline (409)."""
    flash(message, "warning")
    return render_report(session_id, 409)
