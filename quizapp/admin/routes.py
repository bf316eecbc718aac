"""Admin views."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quizapp.admin import bp
from quizapp.admin.forms import FieldsForm, UploadForm
from quizapp.auth.session import admin_required
from quizapp.security import parse_number
from quizapp.services import banks as banks_overview
from quizapp.services import flags, item_analysis, pending_imports
from quizapp.services.bank_import import ImportConflict


@bp.route("/")
@admin_required
def index() -> str:
    """The admin home."""
    return render_template("admin/index.html")


@bp.route("/banks", methods=["GET", "POST"])
@admin_required
def banks() -> str | tuple[str, int]:
    """List banks and take an upload for preview."""
    form = UploadForm()
    preview = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        preview = pending_imports.stage_upload(
            current_user,
            upload.filename or "",
            upload.read(),
            form.format.data or None,
            form.strict.data,
            form.fields.data or "",
        )
        status = 200 if preview.pending is not None else 422
    elif form.errors:
        status = 422
    return _render_banks(form, preview, 1), status


@bp.route("/banks/pending/<int:pending_id>")
@admin_required
def pending(pending_id: int) -> str:
    """Show a staged upload's preview again, a page of its questions at a time."""
    staged = pending_imports.get_pending(current_user, pending_id)
    if staged is None:
        abort(404)
    preview = pending_imports.preview_pending(staged)
    return _render_banks(UploadForm(), preview, parse_number(request.args.get("page")) or 1)


def _render_banks(
    form: UploadForm,
    preview: pending_imports.Preview | None,
    page: int,
    fields_form: FieldsForm | None = None,
) -> str:
    pending = preview.pending if preview is not None else None
    return render_template(
        "admin/banks.html",
        form=form,
        rows=banks_overview.bank_rows(),
        preview=preview,
        preview_page=preview.page(page) if preview is not None else None,
        anki_fields=pending_imports.anki_fields(pending) if pending is not None else [],
        fields_form=fields_form or FieldsForm(fields=pending.fields if pending else ""),
    )


@bp.route("/banks/pending/<int:pending_id>/fields", methods=["POST"])
@admin_required
def choose_fields(pending_id: int) -> str | Response | tuple[str, int]:
    """Read a staged Anki export again with other fields for prompt, answer, explanation."""
    staged = pending_imports.get_pending(current_user, pending_id)
    if staged is None:
        abort(404)
    form = FieldsForm()
    if form.validate_on_submit():
        preview = pending_imports.choose_fields(staged, form.fields.data)
        if preview.result.bank is not None:
            flash("Fields changed; check the questions below.", "success")
            return redirect(url_for("admin.pending", pending_id=pending_id), 303)
    else:
        preview = pending_imports.preview_pending(staged)
    return _render_banks(UploadForm(), preview, 1, fields_form=form), 422


@bp.route("/banks/pending/<int:pending_id>/apply", methods=["POST"])
@admin_required
def apply_pending(pending_id: int) -> Response:
    """Apply a previewed upload."""
    staged = pending_imports.get_pending(current_user, pending_id)
    if staged is None:
        abort(404)
    try:
        plan = pending_imports.apply_pending(staged)
    except ImportConflict as exc:
        flash(f"Nothing was imported: {exc}", "error")
        return redirect(url_for("admin.pending", pending_id=pending_id))
    flash(f"Imported {plan.summary()}.", "success")
    return redirect(url_for("admin.banks"))


@bp.route("/banks/pending/<int:pending_id>/discard", methods=["POST"])
@admin_required
def discard_pending(pending_id: int) -> Response:
    """Drop a previewed upload."""
    staged = pending_imports.get_pending(current_user, pending_id)
    if staged is None:
        abort(404)
    pending_imports.discard_pending(staged)
    flash("Upload discarded; nothing was imported.", "info")
    return redirect(url_for("admin.banks"))


@bp.route("/questions")
@admin_required
def questions() -> str:
    """Item analysis: attempts, accuracy, grades, leeches and flags per question."""
    after_id = parse_number(request.args.get("after")) or 0
    flagged = request.args.get("flagged") == "1"
    rows = item_analysis.item_stats(flagged_only=flagged, after_id=after_id)
    next_after = rows[-1].question.id if len(rows) == item_analysis.PAGE_SIZE else None
    return render_template(
        "admin/questions.html",
        rows=rows,
        flags=item_analysis.open_flags(),
        flagged=flagged,
        next_after=next_after,
    )


@bp.route("/flags/<int:flag_id>/resolve", methods=["POST"])
@admin_required
def resolve_flag(flag_id: int) -> Response:
    """Mark a user's flag as handled."""
    if not flags.resolve_flag(current_user, flag_id):
        abort(404)
    flash("Flag resolved.", "success")
    return redirect(url_for("admin.questions"))


@bp.route("/jobs")
@admin_required
def jobs() -> str:
    """Background jobs: schedule, next and last run, duration, result and last error."""
    from quizapp.jobs.registry import overview

    return render_template("admin/jobs.html", jobs=overview())
