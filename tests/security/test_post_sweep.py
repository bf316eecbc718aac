"""Every POST endpoint, swept from the URL map, with garbage fields: 4xx or a redirect, never
500, and nothing written. New forms are covered without touching this file."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms.fields.core import UnboundField

from tests.security.conftest import changed_tables, db_snapshot
from tests.security.world import OTHER, OTHER_ADMIN, OWNER, OWNER_ADMIN, build_world, logged_in

# Buttons: the URL and the CSRF token are the whole request, so garbage fields are ignored and
# these may act, but only for the roles that own what the URL names.
ACTS_WITHOUT_INPUT = {
    "auth.logout": {"owner", "other-user", "owner-admin", "other-admin"},
    "quiz.start": {"owner", "other-user", "owner-admin", "other-admin"},
    "progress.start_practice": {"owner", "other-user", "owner-admin", "other-admin"},
    "quiz.undo": {"owner"},
    "quiz.finish": {"owner"},
    "progress.card_action": {"owner"},
    "admin.apply_pending": {"owner-admin"},
    "admin.discard_pending": {"owner-admin"},
    "admin.resolve_flag": {"owner-admin", "other-admin"},
}
# Field names read straight from request.form (repeated values), not declared on a form class.
RAW_FIELDS = {"topic", "choice", "next"}

HUGE_NUMBER = "9" * 30
GARBAGE = {
    "script": "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "template": "{{ 7*7 }}{% for x in range(10**9) %}{{ config }}{% endfor %}",
    "nul": "a\x00b",
    "controls": "\x01\x07\x1b[31m\x7f",
    "odd-unicode": "\u202egnp.exe\u200b\ufeff\u200d\U0001f600\ud7ff",
    "long": "A" * 30_000,
    "huge-number": HUGE_NUMBER,
    "negative": "-1",
    "float": "1e309",
    "not-a-number": "NaN",
    "empty": "",
    "whitespace": " \t\r\n ",
}


def assert_none(failures) -> None:
    """Fail with one line per failure."""
    assert not failures, "\n".join(map(str, failures))


def form_field_names() -> set[str]:
    """Every field declared on any form class in the app, plus the raw request.form names."""
    names = set(RAW_FIELDS)
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        for klass in form.__mro__:
            names.update(k for k, v in vars(klass).items() if isinstance(v, UnboundField))
    names.discard("csrf_token")
    return names


def url_values(rule, ids: str) -> dict[str, object]:
    """Values for a rule's arguments: the owners' real ids, or hostile ones."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        integer = isinstance(rule._converters[name], IntegerConverter)
        if ids == "real":
            values[name] = 1 if integer else ("suspend" if name == "action" else "x")
        elif ids == "huge":
            values[name] = int(HUGE_NUMBER) if integer else "x" * 300
        else:  # "zero"
            values[name] = 0 if integer else "%3Cscript%3E"
    return values


def post_endpoints(app):
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(rules) >= 15, "the sweep found too few POST endpoints"
    return rules


def sweep(app, role, payload, ids="real", with_csrf=True):
    """POST the payload to every POST endpoint as `role`; return the failures."""
    failures = []
    client = client_for(app, role)
    token = client.csrf_token()
    # Log-out last: it ends the log-in the other requests use.
    for rule in sorted(post_endpoints(app), key=lambda r: r.endpoint == "auth.logout"):
        url = rule.build(url_values(rule, ids), append_unknown=False)[1]
        data = {**payload, "csrf_token": token} if with_csrf else dict(payload)
        before = db_snapshot(app)
        response = client.post(url, data=data)
        status = response.status_code
        written = changed_tables(before, db_snapshot(app))
        if status >= 500:
            failures.append((rule.endpoint, status, "server error"))
        elif not (400 <= status < 500 or status in (302, 303)):
            failures.append((rule.endpoint, status, "not a 4xx or redirect"))
        allowed = with_csrf and role in ACTS_WITHOUT_INPUT.get(rule.endpoint, ())
        if written and not allowed:
            failures.append((rule.endpoint, status, f"wrote to {written}"))
    return failures


@pytest.fixture
def world(app):
    return build_world(app)


ROLES = {
    "anonymous": None,
    "owner": OWNER,
    "other-user": OTHER,
    "owner-admin": OWNER_ADMIN,
    "other-admin": OTHER_ADMIN,
}


def client_for(app, role):
    """A new client for the role."""
    email = ROLES[role]
    return app.test_client() if email is None else logged_in(app, email)


# Every kind of garbage as a visitor, a user and an admin who own things; the roles who own
# nothing get the kinds that reach code paths of their own (ids, parsing), to keep this quick.
GARBAGE_CASES = [(kind, role) for kind in GARBAGE for role in ("anonymous", "owner", "owner-admin")]
GARBAGE_CASES += [
    (kind, role) for kind in ("script", "huge-number") for role in ("other-user", "other-admin")
]


@pytest.mark.parametrize(("kind", "role"), GARBAGE_CASES)
def test_every_post_endpoint_survives_garbage_in_every_field(app, world, role, kind):
    payload = dict.fromkeys(form_field_names(), GARBAGE[kind])
    assert_none(sweep(app, role, payload))


@pytest.mark.parametrize("role", ["owner", "owner-admin"])
def test_repeated_and_unknown_fields(app, world, role):
    payload = {name: ["1", "x", HUGE_NUMBER] for name in form_field_names()}
    payload["__proto__"] = "x"
    payload["unknown_field" * 20] = "y"
    assert_none(sweep(app, role, payload))


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("ids", ["huge", "zero"])
def test_hostile_ids_in_urls(app, world, role, ids):
    assert_none(sweep(app, role, {}, ids=ids))


@pytest.mark.parametrize("role", list(ROLES))
def test_without_csrf_token_nothing_is_written(app, world, role):
    payload = dict.fromkeys(form_field_names(), "1")
    assert_none(sweep(app, role, payload, with_csrf=False))


MULTIPART_NOT_UTF8 = b'--b\r\nContent-Disposition: form-data; name="\xff"\r\n\r\n\xfe\r\n--b--\r\n'


def test_non_utf8_form_bodies(app, world):
    """Raw bytes that are not UTF-8, in urlencoded and multipart bodies."""
    failures = []
    for rule in post_endpoints(app):
        client = logged_in(app, OWNER_ADMIN)
        token = client.csrf_token()
        url = rule.build(url_values(rule, "real"), append_unknown=False)[1]
        names = sorted(form_field_names())
        raw = "&".join(f"{n}=%ff%fe%c0%80%ed%a0%80" for n in names) + f"&csrf_token={token}"
        before = db_snapshot(app)
        for body, content_type in (
            (raw.encode(), "application/x-www-form-urlencoded"),
            (b"\xff\xfe" * 50, "application/x-www-form-urlencoded"),
            (MULTIPART_NOT_UTF8, "multipart/form-data; boundary=b"),
        ):
            response = client.post(url, data=body, content_type=content_type)
            if response.status_code >= 500:
                failures.append((rule.endpoint, content_type, response.status_code))
        written = changed_tables(before, db_snapshot(app))
        if written and "owner-admin" not in ACTS_WITHOUT_INPUT.get(rule.endpoint, ()):
            failures.append((rule.endpoint, "wrote", written))
    assert_none(failures)


QUERY_GARBAGE = ["9" * 30, "-1", "²", "<script>x</script>", "\u202e", "%ff", "a" * 3000]


@pytest.mark.parametrize("role", ["anonymous", "owner", "owner-admin"])
def test_every_get_endpoint_survives_hostile_query_strings_and_ids(app, world, role):
    """GET pages read query arguments too (paging, sorting, next): never a 500."""
    client = client_for(app, role)
    failures = []
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    names = ["after", "flagged", "sort", "dir", "next", "page", "topic", "format"]
    for rule in rules:
        if rule.endpoint in ("static",):
            continue
        for ids in ("real", "huge", "zero"):
            url = rule.build(url_values(rule, ids), append_unknown=False)[1]
            for value in QUERY_GARBAGE:
                response = client.get(url, query_string=dict.fromkeys(names, value))
                response.close()
                if response.status_code >= 500:
                    failures.append((rule.endpoint, ids, value[:10], response.status_code))
    assert_none(failures)
