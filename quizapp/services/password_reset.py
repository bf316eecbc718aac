"""Forgotten passwords: a signed, single-use link by email that works for one hour.

The link carries the user's id, when it was made (from the app's clock) and a fingerprint of
the user's password hash and session token. Setting a new password changes both, so a used
link, or one made before any later password change or log-out-everywhere, no longer
matches. The email goes through the outbox like reminders (logged when no SMTP server is
configured), and asking for a link gives the same answer whether the address has an account
or not.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from quizapp.clock import utcnow
from quizapp.extensions import db
from quizapp.jobs.reminders import external_url
from quizapp.models import OutboxMessage, User
from quizapp.services.accounts import find_user_by_email, set_password
from quizapp.vocabulary import OutboxStatus

RESET_TTL = timedelta(hours=1)
RESET_KIND = "password_reset"
_SALT = "quizapp.password-reset"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    state = f"{user.password_hash}\n{user.session_token}".encode()
    return hashlib.sha256(state).hexdigest()[:24]


def reset_token(user: User) -> str:
    """A signed link token for this user, valid for RESET_TTL and until the password changes."""
    issued = int(utcnow().timestamp())
    return _serializer().dumps({"u": user.id, "t": issued, "f": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The user a valid, unexpired, unused token names; None otherwise."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, issued, fingerprint = data.get("u"), data.get("t"), data.get("f")
    if not isinstance(user_id, int) or not isinstance(issued, int) or isinstance(issued, bool):
        return None
    age = utcnow().timestamp() - issued
    if not 0 <= age <= RESET_TTL.total_seconds():
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or fingerprint != _fingerprint(user):
        return None
    return user


def request_reset(email: str) -> None:
    """Queue a reset email if the address has an active account; do nothing otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    link = external_url("auth.reset_password", token=reset_token(user))
    db.session.add(
        OutboxMessage(
            kind=RESET_KIND,
            user_id=user.id,
            status=OutboxStatus.PENDING,
            reason="password reset link",
            to_address=user.email,
            subject="Reset your quizapp password",
            body=(
                f"Hello {user.display_name},\n\n"
                "Someone (hopefully you) asked to reset the password of your quizapp account.\n"
                f"Choose a new password here within the next hour:\n\n{link}\n\n"
                "The link works once. If you did not ask for it, ignore this email: your "
                "password stays as it is.\n"
            ),
            created_at=utcnow(),
        )
    )
    db.session.commit()


def reset_password(user: User, new_password: str) -> None:
    """Set the new password and end every session (the link stops working with it)."""
    set_password(user, new_password)
