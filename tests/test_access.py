"""Sweeps over the URL map: private pages need a log-in, admin pages need an admin."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

# Endpoints anyone may reach.
PUBLIC = {
    "static",
    "static_pygments",
    "quiz.index",
    "auth.login",
    "auth.register",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.logout",
    "reminders.unsubscribe",
}


def _url(rule) -> str:
    values = {}
    for name in rule.arguments:
        numeric = isinstance(rule._converters[name], IntegerConverter)
        values[name] = 1 if numeric else "x"
    return rule.build(values, append_unknown=False)[1]


def rules(app, predicate):
    return [r for r in app.url_map.iter_rules() if predicate(r)]


def test_every_private_endpoint_redirects_anonymous_users(app, client):
    private = rules(app, lambda r: r.endpoint not in PUBLIC)
    assert private, "the sweep found no private endpoints"
    for rule in private:
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post_form(url, {})
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert "/login" in response.headers["Location"], rule.endpoint


def test_every_admin_endpoint_forbids_regular_users(app, auth_client):
    admin = rules(app, lambda r: r.endpoint.startswith("admin."))
    assert admin, "the sweep found no admin endpoints"
    for rule in admin:
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = auth_client.get(url)
            else:
                response = auth_client.post_form(url, {})
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)


def test_admin_can_open_the_admin_home(admin_client):
    assert admin_client.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/register", "/"])
def test_public_pages_render(client, path):
    assert client.get(path).status_code == 200
