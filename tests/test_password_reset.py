"""Forgotten passwords: a single-use, one-hour link by email, and no hint of who has an account."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.jobs.registry import run_job
from quizapp.models import OutboxMessage, User
from tests.conftest import PASSWORD, make_user
from tests.jobs.helpers import record_mail

LINK = re.compile(r"http://[^\s]+/password/reset/([^\s]+)")
NEW = "a brand new passphrase"


def ask(client, email):
    return client.post_form("/password/forgot", {"email": email})


def emailed_link(app, recorder):
    with app.app_context():
        outcome = run_job("mail")
    assert outcome.status == "ok", outcome
    ((to, subject, body, _unsubscribe),) = recorder.sent
    assert (to, subject) == ("user@example.com", "Reset your quizapp password")
    return LINK.search(body).group(0)


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, client, user_id):
    known = ask(client, "user@example.com")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub(
        "", unknown.get_data(as_text=True)
    )
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert [(r.kind, r.to_address) for r in rows] == [("password_reset", "user@example.com")]


def test_the_emailed_link_sets_a_new_password_once_and_logs_out_everywhere(
    app, client, user_id, auth_client
):
    recorder = record_mail(app)
    ask(client, "User@Example.com")
    link = emailed_link(app, recorder)
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    short = client.post_form(path, {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    done = client.post_form(path, {"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert app.test_client().login("user@example.com", PASSWORD).status_code == 422  # refused
    assert app.test_client().login("user@example.com", NEW).status_code == 302
    # Every earlier session ended with the old password...
    assert auth_client.get("/settings").status_code == 302
    # ...and the link works once.
    again = app.test_client().get(path)
    assert again.status_code == 400 and "expired or has already been used" in again.get_data(
        as_text=True
    )


def test_the_link_expires_after_an_hour(app, client, user_id, clock):
    recorder = record_mail(app)
    ask(client, "user@example.com")
    path = urlsplit(emailed_link(app, recorder)).path
    clock.advance(minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=2)
    assert client.get(path).status_code == 400
    assert client.post_form(path, {"password": NEW, "confirm": NEW}).status_code == 400
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash and client.login("user@example.com", PASSWORD).status_code == 302


def test_tampered_or_foreign_tokens_are_refused(app, client, user_id):
    make_user(app, "other@example.com")
    recorder = record_mail(app)
    ask(client, "user@example.com")
    token = emailed_link(app, recorder).rsplit("/", 1)[1]
    # A character inside the signature, not its last: the last base64 character carries
    # padding bits, so some changes to it decode to the same signature.
    changed = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for bad in (changed, token + "a", "not-a-token", "." * 10):
        assert client.get(f"/password/reset/{bad}").status_code == 400


def test_a_reset_email_that_could_not_go_out_within_the_hour_is_not_sent(
    app, client, user_id, clock
):
    recorder = record_mail(app)
    ask(client, "user@example.com")
    clock.advance(minutes=61)
    with app.app_context():
        run_job("mail")
        status = db.session.scalar(select(OutboxMessage.status))
    assert recorder.sent == [] and status == "skipped"
