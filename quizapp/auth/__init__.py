"""Accounts: registration, log-in, log-out, password and settings."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from quizapp.auth import routes  # noqa: E402,F401
