"""Mock interview views: thin; quizapp.services.mock_interviews does the work."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quizapp.clock import utcnow
from quizapp.forms import EmptyForm
from quizapp.mock import bp
from quizapp.mock.forms import StartForm
from quizapp.quiz.pages import render_question, render_report, time_up
from quizapp.security import parse_ids
from quizapp.services import mock_interviews, quiz_pages, reviews, study, topics


def _start_page(form: StartForm, status: int = 200) -> tuple[str, int]:
    html = render_template(
        "mock/start.html",
        form=form,
        banks=topics.banks_for(current_user),
        history=mock_interviews.history(current_user, 5),
        running=mock_interviews.running(current_user),
    )
    return html, status


@bp.route("")
@login_required
def index() -> tuple[str, int]:
    """Choose a length and, optionally, topics."""
    return _start_page(StartForm())


@bp.route("/start", methods=["POST"])
@login_required
def start() -> Response | tuple[str, int]:
    """Start a mock interview; the clock runs on the server from now."""
    form = StartForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _start_page(form, 422)
    try:
        wanted = parse_ids(request.form.getlist("topic")) or None
    except ValueError:
        abort(400)
    if wanted is not None and not topics.all_exist(wanted):
        abort(400)
    try:
        session = mock_interviews.start(current_user, form.minutes.data, wanted)
    except mock_interviews.NothingToAsk as exc:
        flash(str(exc), "warning")
        return _start_page(form, 422)
    return redirect(url_for("mock.view", session_id=session.id))


@bp.route("/<int:session_id>")
@login_required
def view(session_id: int) -> Response | tuple[str, int]:
    """The next question with the time left; the report once the interview is over."""
    if mock_interviews.get_mock(current_user, session_id) is None:
        abort(404)
    page = quiz_pages.question_page(current_user, session_id)
    if page is None:
        abort(404)
    if page.item is None or mock_interviews.is_over(page.session, utcnow()):
        return redirect(url_for("mock.report", session_id=session_id))
    return render_question(page)


@bp.route("/items/<int:item_id>/skip", methods=["POST"])
@login_required
def skip(item_id: int) -> Response | tuple[str, int]:
    """Pass on a question (it counts as missed) and go to the next one."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    item = study.get_item(current_user, item_id)
    if item is None:
        abort(404)
    session_id = item.session_id
    try:
        mock_interviews.skip(current_user, item_id)
    except reviews.NotFound:
        abort(404)
    except reviews.TimeUp as exc:
        return time_up(session_id, str(exc))
    except reviews.AnswerConflict as exc:
        flash(str(exc), "warning")
        return redirect(url_for("mock.view", session_id=session_id), 303)
    return redirect(url_for("mock.view", session_id=session_id))


@bp.route("/<int:session_id>/finish", methods=["POST"])
@login_required
def finish(session_id: int) -> Response:
    """End the interview now and see the report."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if mock_interviews.finish(current_user, session_id) is None:
        abort(404)
    return redirect(url_for("mock.report", session_id=session_id))


@bp.route("/<int:session_id>/report")
@login_required
def report(session_id: int) -> Response | tuple[str, int]:
    """Score per topic, key points missed, time per question, readiness change."""
    session = mock_interviews.get_mock(current_user, session_id)
    if session is None:
        abort(404)
    if not mock_interviews.is_over(session, utcnow()):
        # No feedback until the end, as in a real interview.
        flash("The report is ready when the interview ends: finish it or let the time run out.")
        return redirect(url_for("mock.view", session_id=session_id))
    return render_report(session_id)


@bp.route("/<int:session_id>/add-missed", methods=["POST"])
@login_required
def add_missed(session_id: int) -> Response:
    """Make every card the interview missed due today, through the review service."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    session = mock_interviews.get_mock(current_user, session_id)
    if session is None:
        abort(404)
    if not mock_interviews.is_over(session, utcnow()):
        flash("Finish the interview first.", "warning")
        return redirect(url_for("mock.view", session_id=session_id), 303)
    added = mock_interviews.add_missed(current_user, session_id)
    if added:
        flash(f"{added} question{'s' if added != 1 else ''} added to today's reviews.", "success")
    else:
        flash("Everything this interview missed is already in today's reviews.", "info")
    return redirect(url_for("mock.report", session_id=session_id))
