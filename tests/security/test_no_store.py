"""Signed-in pages and exports are never cached, so Back after log-out shows nothing private."""

from __future__ import annotations

import pytest

PRIVATE = ["/", "/progress/", "/progress/weak", "/settings", "/progress/export/reviews.csv",
           "/progress/export/cards.csv"]  # fmt: skip


@pytest.mark.parametrize("url", PRIVATE)
def test_signed_in_pages_and_exports_are_no_store(auth_client, url):
    response = auth_client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_and_static_files_may_be_cached(client, auth_client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    for asset in ("/static/css/app.css", "/assets/pygments.css"):
        response = auth_client.get(asset)
        assert "no-store" not in response.headers.get("Cache-Control", "")
        response.close()


def test_after_log_out_the_pages_are_no_longer_served(auth_client):
    assert auth_client.get("/progress/").headers["Cache-Control"] == "no-store"
    auth_client.post_form("/logout")
    response = auth_client.get("/progress/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
