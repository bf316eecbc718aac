"""Error pages: one request size limit (413), and no tracebacks, secrets or SQL on any page."""

from __future__ import annotations

import io

import pytest

from tests.conftest import make_user
from tests.security.conftest import BOOM_MESSAGE, LEAKY_SECRET, row_counts
from tests.security.test_headers import assert_security_headers

LEAKS = [
    "Traceback",
    'File "',
    "RuntimeError",
    BOOM_MESSAGE,
    LEAKY_SECRET,
    "SELECT",
    "secret_column",
    "no_such_table",
    "sqlalchemy",
    "sqlite3",
    "psycopg",
    "OperationalError",
    "ProgrammingError",
    "/work/",
    "site-packages",
]


def assert_no_leak(response) -> None:
    """The body names no exception, file, query, table or secret."""
    body = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak.lower() not in body.lower(), leak


@pytest.mark.parametrize("url", ["/_test/boom", "/_test/sql"])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_500_page_shows_no_traceback_secret_or_sql(boom_app, url, accept):
    response = boom_app.test_client().get(url, headers={"Accept": accept})
    assert response.status_code == 500
    assert_no_leak(response)
    assert_security_headers(response)
    if accept == "application/json":
        assert response.get_json()["error"] == "Something went wrong"
    else:
        assert "Something went wrong" in response.get_data(as_text=True)


def test_500_after_a_failed_query_rolls_back_and_the_app_keeps_working(boom_app):
    client = boom_app.test_client()
    assert client.get("/_test/sql").status_code == 500
    assert client.get("/login").status_code == 200


def test_a_failing_error_handler_still_gives_a_safe_500_with_headers(boom_app, monkeypatch):
    """The last resort: the error page itself fails, and Flask never finalises a response."""

    def broken(*args, **kwargs):
        raise RuntimeError(BOOM_MESSAGE + " " + LEAKY_SECRET)

    monkeypatch.setattr("quizapp.errors.render_template", broken)
    client = boom_app.test_client()
    for url in ("/_test/boom", "/no-such-page"):
        response = client.get(url)
        assert response.status_code == 500
        assert response.mimetype == "text/plain"
        assert_no_leak(response)
        assert_security_headers(response)


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_every_error_page_is_generic(boom_app, accept):
    client = boom_app.test_client()
    responses = [
        client.get("/no-such-page", headers={"Accept": accept}),
        client.get("/logout", headers={"Accept": accept}),
        client.post("/login", data={"email": "x"}, headers={"Accept": accept}),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500
        assert_no_leak(response)


def test_405_keeps_its_allow_header(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"]


@pytest.fixture
def small_limit_app(make_app, monkeypatch):
    """An app whose one request size limit comes from MAX_UPLOAD_BYTES, set low."""
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "4096")
    app = make_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    return app


def test_max_upload_bytes_is_the_request_size_limit(small_limit_app):
    client = small_limit_app.test_client()
    token = client.csrf_token()
    ok = client.post("/login", data={"csrf_token": token, "email": "a@b.c", "password": "x" * 10})
    assert ok.status_code == 422
    too_big = client.post(
        "/login", data={"csrf_token": token, "email": "a@b.c", "password": "x" * 5000}
    )
    assert too_big.status_code == 413
    assert "Too large" in too_big.get_data(as_text=True)
    assert_security_headers(too_big)


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_oversized_bank_upload_is_413_and_writes_nothing(small_limit_app, accept):
    make_user(small_limit_app, "admin@example.com", admin=True)
    admin = small_limit_app.test_client()
    assert admin.login("admin@example.com").status_code == 302
    before = row_counts(small_limit_app)
    response = admin.post(
        "/admin/banks",
        data={
            "csrf_token": admin.csrf_token(),
            "file": (io.BytesIO(b"slug: big\n" + b"#" * 8000), "big.yaml"),
        },
        content_type="multipart/form-data",
        headers={"Accept": accept},
    )
    assert response.status_code == 413
    assert_security_headers(response)
    assert_no_leak(response)
    assert row_counts(small_limit_app) == before
    # The admin is still logged in and the page still works after the refused upload.
    assert admin.get("/admin/banks").status_code == 200


def test_default_limit_is_five_megabytes(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
