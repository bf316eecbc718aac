"""Security headers and safe redirects."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask

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
