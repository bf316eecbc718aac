"""Abuse limits: per real client address, shared through Redis, a clear 429 with Retry-After."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from limits.storage import MemoryStorage, RedisStorage

from quizapp.extensions import limiter
from tests.conftest import PASSWORD, make_user
from tests.security.conftest import client_address, make_client

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def bad_login() -> dict[str, str]:
    """A failed log-in for a new email each time, so only the per-address limit is tested
    (tests/security/test_login_throttle.py tests the per-account one)."""
    return {"email": f"nobody-{secrets.token_hex(6)}@example.com", "password": "wrong password"}


def post_login(client, headers=None):
    return client.post_form("/login", bad_login(), headers=headers or {})


def hit_until_limited(client, post, allowed: int) -> None:
    """`allowed` requests pass (not 429), the next one is refused with 429."""
    for n in range(allowed):
        response = post(client)
        assert response.status_code != 429, f"limited after {n} requests, expected {allowed}"
    assert post(client).status_code == 429


def register_post(client):
    return client.post_form(
        "/register",
        {"email": "bad", "display_name": "x", "password": "short", "confirm": "short"},
    )


def password_post(client):
    return client.post_form(
        "/settings/password",
        {"current": "not it at all", "password": "new password 1", "confirm": "new password 1"},
    )


def forgot_post(client):
    return client.post_form("/password/forgot", {"email": "someone@example.com"})


def answer_post(client):
    return client.post_form("/quiz/items/999999/answer", {"version": "0"})


@pytest.mark.parametrize(
    ("post", "allowed", "logged_in"),
    [
        (post_login, 10, False),
        (register_post, 5, False),
        (forgot_post, 5, False),
        (password_post, 5, True),
        (answer_post, 120, True),
    ],
    ids=["login-10", "register-5", "forgot-5", "password-5", "answer-120"],
)
def test_limits_per_endpoint(limited_app, post, allowed, logged_in):
    client = make_client(limited_app, addr=client_address())
    if logged_in:
        make_user(limited_app)
        assert client.login("user@example.com").status_code == 302
    hit_until_limited(client, post, allowed)
    # Another address is not affected.
    other = make_client(limited_app, addr=client_address())
    if logged_in:
        assert other.login("user@example.com").status_code == 302
    assert post(other).status_code != 429


def test_the_limit_does_not_block_pages_or_other_forms(limited_app):
    client = make_client(limited_app, addr=client_address())
    hit_until_limited(client, post_login, 10)
    assert client.get("/login").status_code == 200
    assert register_post(client).status_code == 422


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_limited_request_gets_a_clear_429_with_retry_after(limited_app, accept):
    client = make_client(limited_app, addr=client_address())
    for _ in range(10):
        post_login(client)
    response = post_login(client, headers={"Accept": accept})
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    if accept == "application/json":
        assert response.get_json() == {
            "error": "Slow down",
            "message": "Too many attempts. Wait a minute and try again.",
        }
    else:
        page = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert "Slow down" in page and "Wait a minute" in page


def test_forwarded_for_is_ignored_without_trusted_proxies(make_app):
    """With TRUSTED_PROXIES=0 (the default) a client cannot dodge limits with a fake header."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    assert app.config["TRUSTED_PROXIES"] == 0
    client = make_client(app, addr=client_address())
    fake = iter(range(1, 1000))
    hit_until_limited(
        client, lambda c: post_login(c, {"X-Forwarded-For": f"192.0.2.{next(fake)}"}), 10
    )


def test_behind_a_trusted_proxy_limits_key_on_the_forwarded_client(make_app):
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    proxy = make_client(app, addr="127.0.0.1")
    alice, bob = client_address(), client_address()
    hit_until_limited(proxy, lambda c: post_login(c, {"X-Forwarded-For": alice}), 10)
    # Bob, behind the same proxy, is a different client.
    assert post_login(proxy, {"X-Forwarded-For": bob}).status_code == 422
    # Alice cannot escape by prepending a made-up hop: the proxy appends the real address,
    # and only the last (trusted) hop counts.
    spoofed = post_login(proxy, {"X-Forwarded-For": f"203.0.113.7, {alice}"})
    assert spoofed.status_code == 429


def test_in_memory_storage_without_redis_url(make_app, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = make_app(RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, MemoryStorage)


# --- Redis: limits shared by every worker --------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    """The test Redis; CI (REQUIRE_REDIS=1) must have it, a laptop without it skips."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_REDIS") or os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
    return REDIS_URL


# A second app instance in its own process, as another gunicorn worker would be.
WORKER = """
import json, os, secrets, sys
from quizapp import create_app
from tests.conftest import QuizClient
config = json.loads(os.environ["WORKER_CONFIG"])
app = create_app(config)
app.test_client_class = QuizClient
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = os.environ["WORKER_ADDR"]
statuses = [
    client.post_form(
        "/login", {"email": f"n-{secrets.token_hex(6)}@example.com", "password": "wrong"}
    ).status_code
    for _ in range(int(os.environ["WORKER_POSTS"]))
]
print(json.dumps(statuses))
"""


def other_worker(app_config, redis_url: str, addr: str, posts: int) -> list[int]:
    """POST `posts` bad log-ins from `addr` through another process; return the statuses."""
    config = {
        key: value
        for key, value in app_config.items()
        if isinstance(value, str | int | bool) and key != "CLOCK"
    }
    config["RATELIMIT_ENABLED"] = True
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "WORKER_CONFIG": json.dumps(config),
        "WORKER_ADDR": addr,
        "WORKER_POSTS": str(posts),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_redis_storage_is_used_when_redis_url_is_set(make_app, monkeypatch, redis_url):
    monkeypatch.setenv("REDIS_URL", redis_url)
    make_app(RATELIMIT_ENABLED=True)
    assert isinstance(limiter.storage, RedisStorage)
    # A hung Redis must not hang every request.
    options = limiter.storage.storage.connection_pool.connection_kwargs
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 1


def test_limits_are_shared_between_app_instances_through_redis(
    make_app, app_config, monkeypatch, redis_url
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = make_app(RATELIMIT_ENABLED=True)
    addr = client_address()
    here = make_client(app, addr=addr)
    for _ in range(6):
        assert post_login(here).status_code == 422
    # Four more in another process use up the shared allowance of ten...
    assert other_worker(app_config, redis_url, addr, 4) == [422] * 4
    # ...so both instances now refuse this client, and only this client.
    assert post_login(here).status_code == 429
    assert other_worker(app_config, redis_url, addr, 1) == [429]
    assert post_login(make_client(app, addr=client_address())).status_code == 422


def test_log_in_still_works_when_redis_is_down(make_app, monkeypatch):
    """An unreachable Redis falls back to per-process limits instead of failing every log-in."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    app = make_app(RATELIMIT_ENABLED=True)
    make_user(app)
    client = make_client(app, addr=client_address())
    assert client.login("user@example.com", PASSWORD).status_code == 302
    other = make_client(app, addr=client_address())
    hit_until_limited(other, post_login, 10)
