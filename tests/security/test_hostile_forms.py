"""A hostile value in one field of an otherwise valid form, for every form and field.

Each gets a clear error (4xx, nothing written) or is stored and shown escaped; never a 500,
never executed.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD
from tests.quiz.helpers import answer_data
from tests.security.conftest import changed_tables, db_snapshot, restore
from tests.security.world import OWNER, OWNER_ADMIN, VALID_CSV, build_world, logged_in

NEW_PASSWORD = "another long password"

HOSTILE = {
    "script": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "template": "{{ 7*7 }}{% print(config) %}",
    "nul": "a\x00b",
    "controls": "a\x01\x07\x1b[31mb\x7f",
    "rtl-override": "\u202etxt.exe",
    "zero-width": "a\u200bb\u200d\ufeff",
    "lone-surrogate-escape": "\\ud800",
    "long": "x" * 5000,
    "huge-number": "9" * 40,
    "negative": "-5",
    "unicode-digits": "²３٣",
    "empty": "",
}
INVISIBLE = {"controls", "rtl-override", "zero-width"}
# Percent-encoded bytes that are not UTF-8, sent raw in the body.
NOT_UTF8 = "%ff%fe%c0%80"
SCRIPT_MARKERS = ("<script>alert(1)", "<img src=x onerror")


def valid_forms(app, world):
    """Form name -> (url, role email, valid fields)."""
    return {
        "register": (
            "/register",
            None,
            {"email": "new@example.com", "display_name": "New", "password": PASSWORD,
             "confirm": PASSWORD},
        ),
        "login": ("/login", None, {"email": OWNER, "password": PASSWORD}),
        "settings": (
            "/settings",
            OWNER,
            {"display_name": "Ada", "timezone": "Europe/Berlin", "day_start_hour": "4",
             "new_per_day": "10", "reviews_per_day": "100", "interview_date": "2026-05-01",
             "reminder_hour": "18", "reminders_enabled": "y"},
        ),
        "password": (
            "/settings/password",
            OWNER,
            {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        "flag": (
            f"/quiz/questions/{world.question_id}/flag",
            OWNER,
            {"reason": "unclear", "comment": "Looks wrong", "back": "/"},
        ),
        "answer": (
            f"/quiz/items/{world.open_item_id}/answer",
            OWNER,
            {**answer_for_open_item(app, world), "version": "0", "elapsed_ms": "4000"},
        ),
        "adjust": (f"/quiz/items/{world.answered_item_id}/grade", OWNER, {"grade": "3"}),
        "upload": ("/admin/banks", OWNER_ADMIN, {"format": "", "strict": ""}),
    }  # fmt: skip


def answer_for_open_item(app, world):
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import StudySessionItem

    with app.app_context():
        qid = db.session.scalar(
            select(StudySessionItem.question_id).where(StudySessionItem.id == world.open_item_id)
        )
    data = answer_data(app, qid)
    # Every answer field is present, so each one can be attacked.
    return {"text": "", "truth": "", "grade": "", "choice": "", **data}


FORM_FIELDS = {
    "register": ["email", "display_name", "password"],
    "login": ["email", "password"],
    "settings": [
        "display_name", "timezone", "day_start_hour", "new_per_day", "reviews_per_day",
        "interview_date", "reminder_hour", "reminders_enabled",
    ],
    "password": ["current", "password"],
    "flag": ["reason", "comment", "back"],
    "answer": ["text", "truth", "grade", "choice", "version", "elapsed_ms"],
    "adjust": ["grade"],
    "upload": ["format", "strict", "fields"],
}  # fmt: skip


@pytest.fixture
def world(app):
    return build_world(app)


class FormPoster:
    """Posts one form as its role, keeping the log-in until a case changes the database."""

    def __init__(self, app, world, form):
        self.app, self.form = app, form
        self.url, self.email, self.valid = valid_forms(app, world)[form]
        self.client = None

    def post(self, fields, raw_field=None):
        if self.client is None:
            self.client = (
                self.app.test_client() if self.email is None else logged_in(self.app, self.email)
            )
            self.token = self.client.csrf_token()
        data = {"csrf_token": self.token, **fields}
        if self.form == "upload":
            data["file"] = (io.BytesIO(VALID_CSV), "sql.csv")
            return self.client.post(self.url, data=data, content_type="multipart/form-data")
        if raw_field:
            body = "&".join(
                f"{quote(k)}={NOT_UTF8 if k == raw_field else quote(str(v))}"
                for k, v in data.items()
            )
            return self.client.post(
                self.url, data=body, content_type="application/x-www-form-urlencoded"
            )
        return self.client.post(self.url, data=data)

    def forget(self):
        """Start over with a new client (after a write, e.g. a log-in or a new password)."""
        self.client = None


def page_shows_markup(client, admin, response) -> bool:
    """Whether any page that can show the stored value shows hostile markup unescaped."""
    pages = [response.get_data(as_text=True)]
    for url in ("/", "/settings", "/progress/"):
        pages.append(client.get(url).get_data(as_text=True))
    pages.append(admin.get("/admin/questions").get_data(as_text=True))
    return any(marker in page for page in pages for marker in SCRIPT_MARKERS)


def check_case(app, poster, field, kind, original):
    """Post one hostile case; return its failures. The database is put back afterwards."""
    fields = dict(poster.valid)
    raw_field = field if kind == "not-utf8" else None
    if not raw_field:
        fields[field] = HOSTILE[kind]
        if field == "password" and "confirm" in fields:
            fields["confirm"] = HOSTILE[kind]
    response = poster.post(fields, raw_field)
    status = response.status_code
    written = changed_tables(original, db_snapshot(app))
    case = (poster.form, field, kind, status)
    failures = []
    if status >= 500:
        failures.append((*case, "server error"))
    elif 400 <= status < 500:
        if written:
            failures.append((*case, f"refused but wrote {written}"))
        if response.mimetype != "text/html":
            failures.append((*case, "error is not a page"))
    elif status not in (200, 302):
        failures.append((*case, "unexpected status"))
    elif kind == "script" and page_shows_markup(
        poster.client, logged_in(app, OWNER_ADMIN), response
    ):
        failures.append((*case, "hostile markup shown unescaped"))
    if field == "display_name" and kind in INVISIBLE and status != 422:
        # Admins see display names: nothing that hides text or flips its direction.
        failures.append((*case, "invisible characters accepted in a display name"))
    if kind == "nul" and (status != 400 or written):
        # PostgreSQL cannot store NUL and no form needs it: refused before any work is done.
        failures.append((*case, "NUL not refused with 400"))
    if written or status == 302:
        restore(app, original)
        poster.forget()
    return failures


@pytest.mark.parametrize("form", list(FORM_FIELDS))
def test_hostile_value_in_each_field_of_each_form(app, world, form):
    original = db_snapshot(app)
    poster = FormPoster(app, world, form)
    # The valid form is accepted: each case below differs from it in one field only.
    accepted = poster.post(dict(poster.valid))
    assert accepted.status_code == (200 if form == "upload" else 302)
    assert changed_tables(original, db_snapshot(app)) or form == "login"
    restore(app, original)
    poster.forget()
    failures = []
    for field in FORM_FIELDS[form]:
        kinds = list(HOSTILE) + ([] if form == "upload" else ["not-utf8"])
        for kind in kinds:
            failures += check_case(app, poster, field, kind, original)
    assert not failures, "\n".join(map(str, failures))
