"""Per-account log-in throttle: slows password guessing against one account from many
addresses, without letting a stranger lock the owner out.

Only failed log-ins count, per account, from every address together. A browser that has logged
in to the account before carries a signed "known device" cookie and is exempt, so the owner
always gets in from a device they have used; everyone still has the per-address limit.
"""

from __future__ import annotations

import hashlib

from flask import current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from quizapp.clock import utcnow
from quizapp.models.user import normalize_email

# Failed log-ins per account, from all addresses together, before it is slowed down.
ACCOUNT_LIMIT = "5/minute;20/hour;100/day"
KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_DAYS = 365
# Accounts a device is remembered for (a shared computer has a few).
MAX_ACCOUNTS = 5
_SALT = "quizapp.known-device"


def account_key() -> str:
    """The throttle's key for the account named in the log-in form.

    A hash, so the limiter's storage (Redis) holds no addresses; unknown emails are keyed and
    throttled the same way, so the throttle does not tell which accounts exist.
    """
    email = normalize_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def mark_failed() -> None:
    """Note that this request was a failed log-in (wrong email or password)."""
    g.login_failed = True


def failed_login(response: Response) -> bool:
    """Count the request against the account only when it was a failed log-in."""
    return bool(g.get("login_failed"))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _known_accounts() -> list[str]:
    """The accounts this browser has logged in to, from its cookie (empty if forged or old)."""
    raw = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(data, dict):
        return []
    accounts, issued = data.get("a"), data.get("t")
    if not isinstance(accounts, list) or not isinstance(issued, int):
        return []
    # The age is checked here, with the app's clock, not only by the browser.
    if utcnow().timestamp() - issued > KNOWN_DEVICE_DAYS * 86400:
        return []
    return [a for a in accounts if isinstance(a, str)]


def known_device() -> bool:
    """Tell whether this browser has logged in to the account in the form before."""
    return account_key() in _known_accounts()


def remember_device(response: Response) -> None:
    """Mark this browser as known for the account it just logged in to (a signed cookie)."""
    key = account_key()
    accounts = [key] + [a for a in _known_accounts() if a != key]
    value = _serializer().dumps({"a": accounts[:MAX_ACCOUNTS], "t": int(utcnow().timestamp())})
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        value,
        max_age=KNOWN_DEVICE_DAYS * 86400,
        path=url_for("auth.login"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
