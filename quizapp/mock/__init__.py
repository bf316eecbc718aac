"""Mock interviews: start one, answer against the clock, read the report."""

from flask import Blueprint

bp = Blueprint("mock", __name__, url_prefix="/mock")

from quizapp.mock import routes  # noqa: E402,F401
