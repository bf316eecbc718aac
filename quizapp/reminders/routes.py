"""Unsubscribe from reminders with the signed link in every email; no log-in needed."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from quizapp.errors import render_error
from quizapp.forms import EmptyForm
from quizapp.jobs import reminders
from quizapp.reminders import bp

INVALID_LINK = (
    "This unsubscribe link is not valid: it may have been cut off or changed. Nothing was "
    "changed. Copy the whole link from the email, or turn reminders off in your settings."
)


def masked_email(email: str) -> str:
    """Show enough of an address to recognise it: "a…@example.com"."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET asks for confirmation; the POST (with CSRF) turns reminders off."""
    user = reminders.user_for_token(token)
    if user is None:
        return render_error(400, INVALID_LINK)  # type: ignore[return-value]
    form = EmptyForm()
    if form.validate_on_submit():
        reminders.unsubscribe(user)
        flash("Reminders are off. You will get no more reminder emails.", "success")
        return redirect(url_for("reminders.unsubscribe", token=token))
    return render_template(
        "reminders/unsubscribe.html",
        form=form,
        token=token,
        email=masked_email(user.email),
        enabled=user.reminders_enabled,
    )
