"""TRUSTED_HOSTS: a forged Host header gets a 400, never a page or a redirect built from it."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.security.conftest import make_client

SITE = "quiz.example.com"
FORGED = ["evil.example", f"{SITE}.evil.example", f"evil.example:{443}", "quiz.example.co"]


@pytest.fixture
def hosted_app(make_app):
    """An app that answers only to quiz.example.com, as production is configured."""
    return make_app(TRUSTED_HOSTS=[SITE], TESTING=False)


@pytest.mark.parametrize("host", [SITE, f"{SITE}:8443"])
def test_the_configured_host_is_served(hosted_app, host):
    client = make_client(hosted_app)
    assert client.get("/login", headers={"Host": host}).status_code == 200
    # Redirects still work, and point at a path on this site.
    response = client.get("/progress/", headers={"Host": host})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("host", FORGED)
@pytest.mark.parametrize("path", ["/login", "/progress/", "/"])
def test_a_forged_host_gets_400(hosted_app, host, path):
    response = make_client(hosted_app).get(path, headers={"Host": host})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert host not in response.get_data(as_text=True)
    # Still a response of ours, with the security headers.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_forged_host_cannot_log_in(hosted_app):
    make_user(hosted_app)
    client = make_client(hosted_app)
    response = client.post(
        "/login",
        data={"email": "user@example.com", "password": "x"},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_behind_a_proxy_the_forwarded_host_is_checked(make_app):
    app = make_app(TRUSTED_HOSTS=[SITE], TRUSTED_PROXIES=1, TESTING=False)
    client = make_client(app)
    ok = client.get("/login", headers={"Host": "127.0.0.1:8000", "X-Forwarded-Host": SITE})
    assert ok.status_code == 200
    forged = client.get("/login", headers={"Host": SITE, "X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400


def test_production_app_refuses_other_hosts(prod_app):
    client = make_client(prod_app, https=True)
    assert client.get("/login").status_code == 200
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
