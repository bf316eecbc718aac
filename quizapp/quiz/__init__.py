"""The dashboard and the daily quiz."""

from flask import Blueprint

bp = Blueprint("quiz", __name__)

from quizapp.quiz import routes  # noqa: E402,F401
