"""Account views."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from quizapp.auth import bp, throttle
from quizapp.auth.forms import (
    ForgotForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    ResetForm,
    SettingsForm,
)
from quizapp.extensions import limiter
from quizapp.models import User
from quizapp.scheduling.studyday import available_timezones
from quizapp.security import is_safe_next
from quizapp.services import accounts, password_reset
from quizapp.services.study import today_for


def _next_url() -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if target and is_safe_next(target) else url_for("quiz.index")


def _start_session(user: User, remember: bool) -> None:
    # A fresh session at log-in: nothing from before survives (no fixation).
    session.clear()
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5/minute;30/hour", methods=["POST"])
def register() -> ResponseReturnValue:
    """Create an account and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("quiz.index"))
    form = RegisterForm(timezone="UTC")
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data,
                form.password.data,
                form.display_name.data,
                timezone=form.timezone.data,
            )
        except accounts.EmailTaken:
            form.email.errors.append("An account with this email already exists; log in instead.")
        else:
            _start_session(user, remember=False)
            flash(
                "Welcome! Your account is ready. Pick your topics and start today's quiz.",
                "success",
            )
            return redirect(url_for("quiz.index"))
    return render_template(
        "auth/register.html", form=form, zones=available_timezones()
    ), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;100/hour", methods=["POST"])
# Per account, from every address together: only failures count, and a browser that has
# logged in to the account before is exempt, so the owner cannot be locked out.
@limiter.limit(
    throttle.ACCOUNT_LIMIT,
    methods=["POST"],
    key_func=throttle.account_key,
    deduct_when=throttle.failed_login,
    exempt_when=throttle.known_device,
)
def login() -> ResponseReturnValue:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            response = redirect(_next_url())
            throttle.remember_device(response)
            return response
        throttle.mark_failed()
        form.password.errors.append("Wrong email or password.")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next=request.args.get("next", "")), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (POST only, with CSRF)."""
    # Signed cookies cannot be taken back, so a copy would outlive the log-out: rotating the
    # token the cookies carry ends them all, on every device (as a password change does).
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user)
    # Clear first: logout_user() leaves the note that deletes the remember-me cookie.
    session.clear()
    logout_user()
    flash("You are logged out on all your devices.", "info")
    return redirect(url_for("quiz.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    """Study preferences."""
    form = SettingsForm(obj=current_user, today=today_for(current_user))
    if form.validate_on_submit():
        accounts.update_settings(
            current_user,
            accounts.SettingsChange(
                display_name=form.display_name.data,
                timezone=form.timezone.data,
                day_start_hour=form.day_start_hour.data,
                new_per_day=form.new_per_day.data,
                reviews_per_day=form.reviews_per_day.data,
                interview_date=form.interview_date.data,
                reminders_enabled=form.reminders_enabled.data,
                reminder_hour=form.reminder_hour.data,
            ),
        )
        flash("Settings saved.", "success")
        return redirect(url_for("auth.settings"))
    status = 422 if form.errors else 200
    return render_template("auth/settings.html", form=form, zones=available_timezones()), status


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@limiter.limit("5/minute;30/hour", methods=["POST"])
def password() -> ResponseReturnValue:
    """Change the password."""
    form = PasswordForm()
    if form.validate_on_submit():
        if accounts.change_password(current_user, form.current.data, form.password.data):
            # The token rotated: log in again here so only the other sessions end.
            _start_session(current_user._get_current_object(), remember=False)
            flash("Password changed. Other devices have been logged out.", "success")
            return redirect(url_for("auth.settings"))
        form.current.errors.append("That is not your current password.")
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5/minute;20/hour", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Email a reset link; the same answer whether the address has an account or not."""
    form = ForgotForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data)
        return render_template("auth/forgot.html", form=ForgotForm(formdata=None), sent=True)
    return render_template("auth/forgot.html", form=form, sent=False), (422 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password from an emailed link; the link works once, for an hour."""
    user = password_reset.user_for_token(token)
    if user is None:
        return render_template("auth/reset.html", form=None), 400
    form = ResetForm()
    if form.validate_on_submit():
        password_reset.reset_password(user, form.password.data)
        flash("Your password is changed and every device is logged out. Log in again.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
