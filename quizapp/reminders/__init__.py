"""Reminder emails' landing pages: the one-click unsubscribe."""

from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

from quizapp.reminders import routes  # noqa: E402,F401
