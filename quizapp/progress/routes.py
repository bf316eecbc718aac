"""Progress views: read-only pages, CSV exports, and the weak-topic actions."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from quizapp.charts import bar_chart, heatmap, percent_trend
from quizapp.progress import bp
from quizapp.security import parse_ids
from quizapp.services import mock_interviews, practice, progress, reviews, study
from quizapp.spreadsheet import protect

SORT_KEYS = {
    "name": lambda r: r.name.lower(),
    "seen": lambda r: r.seen,
    "accuracy": lambda r: -1 if r.accuracy_30 is None else r.accuracy_30,
    "easiness": lambda r: r.average_easiness or 0,
    "lapses": lambda r: r.lapses,
    "due": lambda r: r.due_now,
    "weakness": lambda r: r.weakness,
    "readiness": lambda r: r.readiness,
}


@bp.route("/")
@login_required
def overview() -> str:
    """Totals, retention, the heatmap, the forecast and the per-topic table."""
    today = study.today_for(current_user)
    sort = request.args.get("sort", "weakness")
    if sort not in SORT_KEYS:
        sort = "weakness"
    descending = (
        request.args.get("dir", "desc" if sort in ("weakness", "due", "lapses") else "asc")
        == "desc"
    )
    rows = sorted(
        progress.topic_progress(current_user, today), key=SORT_KEYS[sort], reverse=descending
    )
    # Topics never studied have no weakness to speak of: they get a group of their own rather
    # than an "unknown accuracy" score that would rank them above the topics that slip.
    unseen = sorted((r for r in rows if not r.seen), key=lambda r: r.name.lower())
    per_day = progress.reviews_per_day(current_user, today)
    upcoming = progress.forecast(current_user, today)
    mocks = mock_interviews.history(current_user)
    return render_template(
        "progress/overview.html",
        today=today,
        totals=progress.totals(current_user, today),
        retention=progress.retention(current_user, today),
        rows=[r for r in rows if r.seen],
        unseen=unseen,
        sort=sort,
        descending=descending,
        heatmap=heatmap(per_day, today, title="Answers per study day, past year"),
        forecast_chart=bar_chart(
            [(d.strftime("%b %d"), n) for d, n in upcoming],
            title="Reviews due in the next 30 days",
            chart_id="forecast",
        ),
        forecast=upcoming,
        per_day_total=sum(per_day.values()),
        mocks=mocks,
        mock_chart=percent_trend(
            [(m.started_at.strftime("%b %d %H:%M"), m.score) for m in mocks],
            title="Mock interview scores, oldest first",
            chart_id="mock-trend",
        )
        if mocks
        else None,
    )


@bp.route("/topics/<int:topic_id>")
@login_required
def topic(topic_id: int) -> str:
    """A topic's questions with the user's card for each."""
    found = progress.topic_questions(current_user, topic_id)
    if found is None:
        abort(404)
    topic_row, rows = found
    return render_template("progress/topic.html", topic=topic_row, rows=rows)


@bp.route("/questions/<int:question_id>")
@login_required
def question_history(question_id: int) -> str:
    """Every answer the user gave to one question."""
    history = progress.question_history(current_user, question_id)
    if history is None:
        abort(404)
    return render_template("progress/question.html", **history)


def _csv(rows: Iterator[list[object]], header: list[str], name: str) -> Response:
    # Safe to open in a spreadsheet: no text cell starts a formula, and text cells are quoted so
    # a semicolon or tab in one cannot start a new cell where those are the separator.
    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(header)
        for row in rows:
            writer.writerow([protect(c) if isinstance(c, str) else c for c in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/export/reviews.csv")
@login_required
def export_reviews() -> Response:
    """The user's review log as CSV, streamed."""
    return _csv(progress.review_rows(current_user), progress.REVIEW_COLUMNS, "quizapp-reviews.csv")


@bp.route("/export/cards.csv")
@login_required
def export_cards() -> Response:
    """The user's card states as CSV."""
    return _csv(progress.card_rows(current_user), progress.CARD_COLUMNS, "quizapp-progress.csv")


@bp.route("/weak")
@login_required
def weak() -> str:
    """The weakest topics with reasons, practice, and leeches."""
    today = study.today_for(current_user)
    rows = progress.topic_progress(current_user, today)
    weakest = practice.weakest_topics(rows)
    return render_template(
        "progress/weak.html",
        weakest=weakest,
        rows=[r for r in rows if r.seen],
        leeches=practice.leeches(current_user),
    )


@bp.route("/practice", methods=["POST"])
@login_required
def start_practice() -> WerkzeugResponse:
    """Start a practice session on the weakest (or the chosen) topics."""
    try:
        chosen = parse_ids(request.form.getlist("topic"))
    except ValueError:
        abort(400)
    session = practice.start(current_user, chosen or None)
    if session is None:
        flash(
            "There is nothing to practise yet: answer some questions in the daily quiz first.",
            "info",
        )
        return redirect(url_for("progress.weak"))
    return redirect(url_for("quiz.session_view", session_id=session.id))


@bp.route("/cards/<int:question_id>/<action>", methods=["POST"])
@login_required
def card_action(question_id: int, action: str) -> WerkzeugResponse:
    """Suspend, unsuspend or reset one of the user's cards."""
    if action not in ("suspend", "unsuspend", "reset"):
        abort(404)
    try:
        found = reviews.card_action(current_user, question_id, action)
    except reviews.AnswerConflict as exc:
        flash(str(exc), "warning")
        return redirect(url_for("progress.weak"))
    if not found:
        abort(404)
    flash(
        {
            "suspend": "Card suspended: it will not be scheduled until you resume it.",
            "unsuspend": "Card resumed.",
            "reset": "Card reset: it starts over as if new.",
        }[action],
        "success",
    )
    return redirect(url_for("progress.weak"))
