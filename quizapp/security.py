"""Security headers, safe redirects, and bounded ids from URLs and forms."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, request
from werkzeug.routing import IntegerConverter, Map

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_safe_next(target: str | None) -> bool:
    """Tell whether a `next` value is a path on this site (no scheme, host or tricks)."""
    if not target or len(target) > 2000:
        return False
    # Browsers treat backslashes as slashes and drop tabs/newlines inside URLs.
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


# The largest id an INTEGER column holds on every supported database (PostgreSQL int4). A
# bigger number from a URL or a form is nobody's id; passed on, it would overflow the driver.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` capped at MAX_ID unless the rule passes its own ``max``."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def bound_url_ids(app: Flask) -> None:
    """Make `<int:…>` in every route reject ids beyond MAX_ID: a 404, not a driver overflow.

    Call before any route is added. A rule may still pass its own `max`.
    """
    app.url_map.converters["int"] = BoundedIntConverter


def parse_number(value: str | None, maximum: int = MAX_ID) -> int | None:
    """A whole number from 0 to `maximum` in ASCII digits, or None for anything else."""
    value = (value or "").strip()
    # isdigit() alone accepts "²" and other digits int() refuses.
    if not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def parse_ids(values: Iterable[str]) -> list[int]:
    """Distinct ids from repeated form values, sorted; ValueError if any is not an id."""
    ids = set()
    for value in values:
        number = parse_number(value)
        if not number:
            raise ValueError(f"not an id: {value[:20]!r}")
        ids.add(number)
    return sorted(ids)


def security_headers(production: bool) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only in production, where TLS is certain)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if production:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


class SecurityHeadersMiddleware:
    """WSGI middleware: security headers on every response, errors included.

    An after_request hook misses responses Flask never finalises (an error handler that fails
    itself); at the WSGI level nothing slips past. A view may still set its own value. If the
    app raises instead of answering, a plain 500 with the headers replaces the server's page.
    """

    def __init__(self, app: WSGIApplication, headers: list[tuple[str, str]]) -> None:
        self.app = app
        self.headers = headers

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Add the headers the response lacks."""

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend((n, v) for n, v in self.headers if n.lower() not in present)
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, start)
        except Exception:
            log.exception("request failed before a response was made")
            body = b"Something went wrong. Nothing was saved; try again.\n"
            # Flask calls start_response only once it has a response, so nothing was sent yet.
            start(
                "500 INTERNAL SERVER ERROR",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]


def set_security_headers(app: Flask) -> None:
    """Add security headers to every response, errors included."""
    app.wsgi_app = SecurityHeadersMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, security_headers(app.config.get("PRODUCTION", False))
    )


# Control, format (zero-width, bidi overrides), private-use, surrogate and line-separator
# characters: invisible, or able to make a name read differently from what it is.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def invisible_char(text: str) -> str | None:
    """Return the first invisible or direction-changing character in a one-line text, or None."""
    for char in text:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return char
    return None


def has_nul(request: Request) -> bool:
    """Tell whether a query, form, upload name or URL value holds a NUL character."""
    values: list[object] = [v for _, v in request.args.items(multi=True)]
    values += [v for _, v in request.form.items(multi=True)]
    values += [f.filename for _, f in request.files.items(multi=True)]
    values += list((request.view_args or {}).values())
    return any(isinstance(v, str) and "\0" in v for v in values)


def refuse_nul(app: Flask) -> None:
    """Answer 400 to input holding NUL: no form needs it and PostgreSQL text cannot store it."""

    @app.before_request
    def _refuse_nul() -> None:
        if has_nul(request):
            abort(400)


def no_store_private_pages(app: Flask) -> None:
    """Signed-in pages and exports are never stored: Back after log-out shows nothing private.

    ``no-store`` also keeps such pages out of the browser's back/forward cache.
    """

    @app.after_request
    def _no_store(response: Response) -> Response:
        if request.endpoint not in _CACHEABLE_ENDPOINTS and _signed_in():
            response.headers["Cache-Control"] = "no-store"
        return response


def _signed_in() -> bool:
    # Never loads the user: this runs on error pages too, when the database may be down.
    from flask import g, session

    user = g.get("_login_user")
    return session.get("_user_id") is not None or bool(user and user.is_authenticated)


# The app's own static files are the same for everyone.
_CACHEABLE_ENDPOINTS = frozenset({"static", "static_pygments"})


def register(app: Flask) -> None:
    """Security headers on every response, no NUL characters in any input, private pages
    never cached."""
    set_security_headers(app)
    refuse_nul(app)
    no_store_private_pages(app)
