"""Dashboard and quiz views: thin; the services do the work."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quizapp.extensions import limiter
from quizapp.quiz import bp
from quizapp.quiz.forms import (
    AdjustForm,
    AnswerForm,
    FlagForm,
    MoreNewForm,
    TopicsForm,
    answer_form,
)
from quizapp.quiz.pages import render_question, time_up
from quizapp.scheduling.grading import ADJUSTMENT_LABELS
from quizapp.scheduling.sm2 import GRADE_MEANINGS
from quizapp.security import is_safe_next, parse_ids, parse_number
from quizapp.services import (
    accounts,
    dashboard,
    flags,
    progress,
    quiz_pages,
    reviews,
    start_pages,
    study,
    topics,
)
from quizapp.vocabulary import SessionMode


@bp.route("/")
def index() -> str:
    """The dashboard for users, a short product page for visitors."""
    if not current_user.is_authenticated:
        return render_template("quiz/landing.html")
    stats = dashboard.today_stats(current_user)
    readiness = (
        progress.topic_progress(current_user, stats.today)
        if stats.days_to_interview is not None
        else []
    )
    return render_template(
        "quiz/dashboard.html",
        stats=stats,
        banks=topics.banks_for(current_user),
        readiness=[r for r in readiness if r.seen],
        form=TopicsForm(),
        more_form=MoreNewForm(more=min(current_user.new_per_day or 10, study.MAX_EXTRA_NEW)),
    )


def _topic_ids(values: list[str]) -> list[int] | None:
    try:
        ids = parse_ids(values)
    except ValueError:
        abort(400)
    return ids or None


def _wanted_topics() -> list[int] | None:
    """The topics a start button asks for: one bank's ("Study this bank"), some, or all (None)."""
    if "bank" in request.form:
        bank_id = parse_number(request.form["bank"])
        ids = topics.bank_topic_ids(bank_id) if bank_id else []
        if not ids:
            abort(400)
        return ids
    wanted = _topic_ids(request.form.getlist("topic"))
    if wanted is not None and not topics.all_exist(wanted):
        abort(400)
    return wanted


def _query_topics() -> list[int] | None:
    """Topic ids from the query string (`?topic=1&topic=2`), checked like a form's."""
    wanted = _topic_ids(request.args.getlist("topic"))
    if wanted is not None and not topics.all_exist(wanted):
        abort(400)
    return wanted


def _start(wanted: list[int] | None, replace: bool = False) -> Response:
    """Start the quiz, or say what is in the way: an open quiz, or the daily new limit."""
    try:
        session = study.start_daily_session(current_user, wanted, replace=replace)
    except study.QuizInProgress:
        return redirect(url_for("quiz.switch", topic=wanted or []))
    if session is None:
        if start_pages.new_limit_page(current_user, wanted).stopped_by_limit:
            return redirect(url_for("quiz.new_limit", topic=wanted or []))
        flash("Nothing is due right now — you are all caught up. Come back tomorrow!", "success")
        return redirect(url_for("quiz.index"))
    return redirect(url_for("quiz.session_view", session_id=session.id))


@bp.route("/quiz/start", methods=["POST"])
@login_required
def start() -> Response:
    """Start (or resume) today's quiz, optionally for some topics only."""
    form = TopicsForm()
    if not form.validate_on_submit():
        abort(400)
    return _start(_wanted_topics(), replace=request.form.get("replace") == "1")


@bp.route("/quiz/switch")
@login_required
def switch() -> str | Response:
    """Ask before a new quiz replaces the open one (continue it, or close it and start)."""
    page = start_pages.switch_page(current_user, _query_topics())
    if page is None:
        flash("No quiz is open any more; start the one you want here.", "info")
        return redirect(url_for("quiz.index"))
    return render_template("quiz/switch.html", page=page, form=TopicsForm())


@bp.route("/quiz/new-limit")
@login_required
def new_limit() -> str:
    """Why a quiz did not start: today's new questions are used up; offer some more."""
    page = start_pages.new_limit_page(current_user, _query_topics())
    return render_template("quiz/new_limit.html", page=page, form=MoreNewForm(more=page.suggested))


@bp.route("/quiz/more-new", methods=["POST"])
@login_required
def more_new() -> Response | tuple[str, int]:
    """Study N more new questions today (the setting stays as it is), then start the quiz."""
    form = MoreNewForm()
    wanted = _wanted_topics()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        page = start_pages.new_limit_page(current_user, wanted)
        return render_template("quiz/new_limit.html", page=page, form=form), 422
    study.allow_more_new(current_user, form.more.data)
    return _start(wanted)


@bp.route("/quiz")
@login_required
def current() -> Response:
    """Go to today's open quiz, or back to the dashboard."""
    session = study.open_session(current_user)
    if session is None:
        return redirect(url_for("quiz.index"))
    return redirect(url_for("quiz.session_view", session_id=session.id))


@bp.route("/quiz/sessions/<int:session_id>")
@login_required
def session_view(session_id: int) -> str | Response | tuple[str, int]:
    """Show the session's next question, or its summary when done."""
    page = quiz_pages.question_page(current_user, session_id)
    if page is None:
        abort(404)
    if page.session.mode == SessionMode.MOCK:
        return redirect(url_for("mock.view", session_id=session_id))
    if page.item is None:
        return redirect(url_for("quiz.summary", session_id=session_id))
    return render_question(page)


def _feedback(page: quiz_pages.FeedbackPage, status: int = 200) -> tuple[str, int]:
    """The feedback page of an answered item."""
    html = render_template(
        "quiz/feedback.html",
        page=page,
        grade_meanings=GRADE_MEANINGS,
        adjustment_labels=ADJUSTMENT_LABELS,
        form=AdjustForm(),
        flag_form=FlagForm(back=url_for("quiz.feedback", item_id=page.item.id)),
    )
    return html, status


def _answer_conflict(item_id: int, message: str) -> Response | tuple[str, int]:
    """The current state of a question that could not be answered, with the reason, at 409."""
    flash(message, "warning")
    done = quiz_pages.feedback_page(current_user, item_id)
    if done is None:
        abort(404)
    if done.session.mode == SessionMode.MOCK:
        # No feedback in a mock interview until its report.
        return redirect(url_for("mock.view", session_id=done.session.id), 303)
    if done.review is not None:
        return _feedback(done, 409)
    if done.session.finished_at is not None:
        # Nothing left to answer in an ended session: its summary says what happened.
        return redirect(url_for("quiz.summary", session_id=done.session.id), 303)
    page = quiz_pages.item_page(current_user, item_id)
    if page is None:
        abort(404)
    return render_question(page, status=409)


@bp.route("/quiz/items/<int:item_id>/answer", methods=["POST"])
@login_required
@limiter.limit("120/minute")
def answer(item_id: int) -> Response | tuple[str, int]:
    """Grade and record an answer, then show the feedback."""
    # The question page is built again only when the answer is refused.
    target = quiz_pages.answer_target(current_user, item_id)
    if target is None:
        abort(404)
    if target.item.answered_at is not None:
        return _answer_conflict(item_id, "This question was already answered.")
    # Read before the answer commits: afterwards the session's attributes are expired.
    session_id, mock = target.session.id, target.session.mode == SessionMode.MOCK
    form = answer_form(target.question_type, target.option_count)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _refused(item_id, form, form.first_error)
    try:
        reviews.answer(current_user, target, form.submission(), form.version.data, form.elapsed())
    except reviews.InvalidAnswer as exc:
        return _refused(item_id, form, str(exc))
    except reviews.TimeUp as exc:
        return time_up(session_id, str(exc))
    except reviews.AnswerConflict as exc:
        return _answer_conflict(item_id, str(exc))
    if mock:
        # No feedback until the end: straight to the next question.
        return redirect(url_for("mock.view", session_id=session_id))
    return redirect(url_for("quiz.feedback", item_id=item_id))


def _refused(item_id: int, form: AnswerForm, error: str | None) -> tuple[str, int]:
    """The question again, with the reason the answer was refused beside the inputs."""
    page = quiz_pages.item_page(current_user, item_id)
    if page is None:
        abort(404)
    return render_question(page, form, error, 422)


@bp.route("/quiz/items/<int:item_id>")
@login_required
def feedback(item_id: int) -> str | Response | tuple[str, int]:
    """What was right, the explanation, the grade and when the card comes back."""
    page = quiz_pages.feedback_page(current_user, item_id)
    if page is None:
        abort(404)
    if page.session.mode == SessionMode.MOCK:
        # A mock interview's answers are reviewed in its report, once it is over.
        return redirect(url_for("mock.view", session_id=page.session.id))
    if page.review is None:
        return redirect(url_for("quiz.session_view", session_id=page.item.session_id))
    return _feedback(page)


@bp.route("/quiz/items/<int:item_id>/grade", methods=["POST"])
@login_required
def adjust(item_id: int) -> Response | tuple[str, int]:
    """Change the recorded grade of the last answer ("I guessed", "I almost had it")."""
    form = AdjustForm()
    if not form.validate_on_submit():
        abort(400)
    grade = parse_number(form.grade.data)
    if grade is None:
        abort(400)
    try:
        reviews.adjust_grade(current_user, item_id, grade)
    except reviews.NotFound:
        abort(404)
    except (reviews.InvalidAnswer, reviews.AnswerConflict) as exc:
        # The feedback page as it stands now, with why the grade was not changed.
        flash(str(exc), "warning")
        page = quiz_pages.feedback_page(current_user, item_id)
        if page is None or page.review is None:
            abort(404)
        return _feedback(page, 422 if isinstance(exc, reviews.InvalidAnswer) else 409)
    flash("Grade changed; the schedule was updated.", "success")
    return redirect(url_for("quiz.feedback", item_id=item_id))


@bp.route("/quiz/sessions/<int:session_id>/undo", methods=["POST"])
@login_required
def undo(session_id: int) -> Response:
    """Take back the last answer of the session."""
    try:
        reviews.undo_last(current_user, session_id)
    except reviews.NotFound:
        abort(404)
    except (reviews.NothingToUndo, reviews.AnswerConflict) as exc:
        # Nothing was changed: back to where the session is, saying why (a plain redirect).
        flash(str(exc), "warning")
        return redirect(url_for("quiz.session_view", session_id=session_id), 303)
    flash("Last answer undone.", "info")
    return redirect(url_for("quiz.session_view", session_id=session_id))


@bp.route("/quiz/sessions/<int:session_id>/finish", methods=["POST"])
@login_required
def finish(session_id: int) -> Response:
    """End the session now; what was not answered waits for another day."""
    session = study.get_session(current_user, session_id)
    if session is not None and session.mode == SessionMode.MOCK:
        # A mock interview keeps its questions: the report shows them as not reached.
        return redirect(url_for("mock.finish", session_id=session_id), 307)
    dropped = study.finish_session(current_user, session_id)
    if dropped is None:
        abort(404)
    if dropped:
        flash(
            f"Session finished. {dropped} unanswered question{'s' if dropped != 1 else ''} "
            "left for another day: due ones stay due, new ones stay new.",
            "info",
        )
    return redirect(url_for("quiz.summary", session_id=session_id))


@bp.route("/quiz/sessions/<int:session_id>/summary")
@login_required
def summary(session_id: int) -> str | Response:
    """The end-of-session summary."""
    session = study.get_session(current_user, session_id)
    if session is None:
        abort(404)
    if session.mode == SessionMode.MOCK:
        return redirect(url_for("mock.report", session_id=session_id))
    return render_template(
        "quiz/summary.html",
        session=session,
        summary=dashboard.session_summary(current_user, session),
        can_undo=study.last_answered_item(session) is not None,
    )


@bp.route("/plan/adopt", methods=["POST"])
@login_required
def adopt_plan() -> Response:
    """Raise the new-questions-per-day limit to what reaches every question by the interview."""
    form = TopicsForm()
    if not form.validate_on_submit():
        abort(400)
    plan = dashboard.interview_plan(current_user)
    if plan is None or plan.on_track:
        flash("Your daily limit already covers every question before the interview.", "info")
        return redirect(url_for("quiz.index"))
    accounts.set_new_per_day(current_user, plan.needed_per_day)
    flash(f"New questions per day set to {plan.needed_per_day}.", "success")
    return redirect(url_for("quiz.index"))


@bp.route("/topics", methods=["POST"])
@login_required
def save_topics() -> Response:
    """Save which topics the user studies (all by default)."""
    form = TopicsForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = _topic_ids(request.form.getlist("topic")) or []
    if not topics.all_exist(wanted):
        abort(400)
    topics.set_studied(current_user, wanted)
    flash("Your topics are saved.", "success")
    return redirect(url_for("quiz.index"))


@bp.route("/quiz/questions/<int:question_id>/flag", methods=["POST"])
@login_required
def flag(question_id: int) -> Response:
    """Report a question as wrong or unclear."""
    form = FlagForm()
    if not form.validate_on_submit():
        flash("Say what is wrong (at most 2000 characters).", "error")
        back = form.back.data or ""
        return redirect(back if is_safe_next(back) else url_for("quiz.index"))
    try:
        filed = flags.flag_question(
            current_user, question_id, form.reason.data, form.comment.data or ""
        )
    except flags.FlagError as exc:
        flash(str(exc), "error")
        return redirect(url_for("quiz.index"))
    if filed is None:
        abort(404)
    flash("Thanks — an admin will look at this question.", "success")
    back = form.back.data or ""
    return redirect(back if is_safe_next(back) else url_for("quiz.index"))
