"""Progress, weak topics and readiness."""

from flask import Blueprint

bp = Blueprint("progress", __name__, url_prefix="/progress")

from quizapp.progress import routes  # noqa: E402,F401
