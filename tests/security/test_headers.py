"""Security headers on every response: pages, JSON, redirects and every kind of error."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.security.conftest import client_address, make_client

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def assert_security_headers(response, *, hsts: bool = False) -> None:
    """The headers every response must carry."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d for d in (p.strip() for p in csp.split(";")) if d}
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", csp
    assert directives.get("script-src") == "script-src 'self'", csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives.get("object-src") == "object-src 'none'"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer", "strict-origin"}
    if hsts:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in headers


def _error_requests(app, client, admin_client):
    """One request per error status: (expected status, response) pairs, HTML and JSON."""
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for accept in (HTML, JSON):
        yield 400, client.post("/login", data={"email": "a"}, headers=accept)  # no CSRF token
        yield 404, client.get("/no-such-page", headers=accept)
        yield 405, client.get("/logout", headers=accept)
        yield (
            413,
            client.post(
                "/login", data=big, content_type="application/x-www-form-urlencoded", headers=accept
            ),
        )
        yield 500, client.get("/_test/boom", headers=accept)
        yield 500, client.get("/_test/sql", headers=accept)
        if admin_client is not None:
            yield 403, admin_client.get("/admin/", headers=accept)


@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_every_error_status_carries_the_headers(make_app, production):
    extra = {"ENV_NAME": "production", "TRUSTED_HOSTS": ["localhost"]} if production else {}
    app = make_app(TESTING=False, SECRET_KEY="k" * 48, **extra)
    client = make_client(app, https=production)
    make_user(app, "plain@example.com")
    user = make_client(app, https=production)
    assert user.login("plain@example.com").status_code == 302
    seen = set()
    for status, response in _error_requests(app, client, user):
        assert response.status_code == status, (status, response.status_code)
        assert_security_headers(response, hsts=production)
        seen.add(status)
    assert seen == {400, 403, 404, 405, 413, 500}


def test_json_errors_are_json_with_the_headers(boom_app):
    client = boom_app.test_client()
    for url, status in (("/no-such-page", 404), ("/_test/boom", 500)):
        response = client.get(url, headers=JSON)
        assert response.status_code == status
        assert response.is_json and set(response.get_json()) == {"error", "message"}
        assert_security_headers(response)


def test_429_carries_the_headers(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = make_client(app, addr=client_address())
    for n in range(10):
        # Another email each time: the per-address limit is the one reached.
        client.login(f"nobody-{n}@example.com")
    for accept in (HTML, JSON):
        token = client.csrf_token()
        response = client.post(
            "/login", data={"csrf_token": token, "email": "a@b.c", "password": "x"}, headers=accept
        )
        assert response.status_code == 429
        assert_security_headers(response)


@pytest.mark.parametrize("url", ["/", "/login", "/register", "/static/css/app.css"])
def test_pages_and_static_files_carry_the_headers(client, url):
    with client.get(url) as response:
        assert response.status_code == 200
        assert_security_headers(response)


def test_redirects_and_logged_in_pages_carry_the_headers(auth_client):
    for url in ("/settings", "/progress/", "/quiz"):
        assert_security_headers(auth_client.get(url))
    assert_security_headers(auth_client.get("/login"))  # a redirect for a logged-in user


def test_hsts_only_in_production(client, prod_app):
    assert "Strict-Transport-Security" not in client.get("/").headers
    response = make_client(prod_app, https=True).get("/")
    assert_security_headers(response, hsts=True)
