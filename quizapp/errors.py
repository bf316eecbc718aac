"""Friendly error pages; the 500 and 503 handlers roll the session back."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue, ResponseValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, SecurityError

from quizapp.extensions import db, login_manager

log = logging.getLogger(__name__)

# Seconds a client is asked to wait after a 503: a lock held a little too long or a database
# restarting is usually over by then.
RETRY_AFTER_SECONDS = 5
# SQLite reports a held write lock as an OperationalError, like a missing table; only these
# messages mean "try again", the rest are bugs (500).
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy")

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


def render_error(code: int, detail: str | None = None) -> tuple[ResponseValue, int]:
    """Render the error page (or JSON) for an HTTP status code."""
    title, message = _MESSAGES.get(code, ("Error", "Something went wrong."))
    if _wants_json():
        return {"error": title, "message": detail or message}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def is_database_unavailable(error: BaseException) -> bool:
    """Tell whether a database error means "briefly unavailable" rather than a bug.

    True for a lost or refused connection, a held SQLite lock past the busy timeout, a
    PostgreSQL serialization failure or deadlock, and an exhausted connection pool.
    """
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        message = str(error.orig).lower()
        return any(text in message for text in _SQLITE_TRANSIENT)
    return True


def _rollback_quietly() -> None:
    # The connection may be gone; the transaction is then already over on the server.
    try:
        db.session.rollback()
    except Exception:  # nothing more can be done with a dead connection
        log.warning("rollback after a database error failed too", exc_info=True)


def render_unavailable() -> tuple[ResponseValue, int, dict[str, str]]:
    """The 503 page, rendered without touching the database."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    title, message = _MESSAGES[503]
    if _wants_json():
        return {"error": title, "message": message}, 503, headers
    # The page must not load the user (the database is what failed): render it as a visitor's
    # page. Flask-Login keeps the request's user in g._login_user and loads it when missing.
    g._login_user = login_manager.anonymous_user()
    page = render_template("errors/error.html", code=503, title=title, message=message)
    return page, 503, headers


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return render_error(400, "The form expired or was sent from elsewhere. Reload and retry.")

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host outside TRUSTED_HOSTS: Flask builds no URLs for such a request, so the page
        # template (full of links) cannot render. A short plain answer says enough.
        return "Bad request: unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code in (409, 422) else None
        body, code = render_error(error.code, detail)
        # Keep the exception's own headers (Allow on a 405), not its plain-text content type.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, code, headers

    @app.errorhandler(Exception)
    def _unhandled(error: Exception) -> ResponseReturnValue:
        if is_database_unavailable(error):
            # Nothing was written: the transaction is rolled back as a whole.
            _rollback_quietly()
            log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
            return render_unavailable()
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
