"""Friendly error pages; the 500 handler rolls the session back."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from quizapp.extensions import db

log = logging.getLogger(__name__)

_MESSAGES = {
    400: ("Bad request", "The request could not be understood. Reload the page and try again."),
    403: ("Forbidden", "You do not have access to this page."),
    404: ("Not found", "There is nothing here. Check the address or go back to your dashboard."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    409: ("Already done", "This was already handled, perhaps in another tab."),
    413: ("Too large", "That upload is larger than the limit. Split it or shrink it."),
    422: ("Invalid input", "Some of what was sent is not valid."),
    429: ("Slow down", "Too many attempts. Wait a minute and try again."),
    500: ("Something went wrong", "We could not finish that. Nothing was saved; try again."),
    503: ("Busy", "The service is briefly unavailable. Try again in a moment."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def render_error(code: int, detail: str | None = None) -> tuple[object, int]:
    """Render the error page (or JSON) for an HTTP status code."""
    title, message = _MESSAGES.get(code, ("Error", "Something went wrong."))
    if _wants_json():
        return {"error": title, "message": detail or message}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[object, int]:
        return render_error(400, "The form expired or was sent from elsewhere. Reload and retry.")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> object:
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code in (409, 422) else None
        return render_error(error.code, detail)

    @app.errorhandler(Exception)
    def _unhandled(error: Exception) -> tuple[object, int]:
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
