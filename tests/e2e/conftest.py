"""Browser tests: the real app on a local port, driven in headless Chromium by Playwright.

Chromium comes from Debian (``tests/e2e/install_chromium.sh``), never from Playwright's own
download. Without Chromium or the ``playwright`` package the tests skip locally and FAIL when
``CI`` is set, so CI cannot pass by running nothing.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.banks import Bank
from quizapp.clock import FrozenClock
from quizapp.extensions import db
from quizapp.services.bank_import import apply_import
from tests.e2e.helpers import LiveApp, PageGuard

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by the `browser` fixture: skip locally, fail in CI
    sync_playwright = None

CHROMIUM = os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out, which a closed network
# refuses; the sandbox needs user namespaces that a root CI container does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
# Listens for CSP violations in every page and reports them as console errors.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable() -> str | None:
    if sync_playwright is None:
        return "the Python package playwright is missing (pip install -e '.[test,e2e]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (run tests/e2e/install_chromium.sh)"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can see whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; skips without it, or fails when CI is set."""
    reason = _unavailable()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests need Chromium and Playwright: {reason}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    """The banks a module's server starts with; modules override this."""
    return []


@pytest.fixture(scope="module")
def live_app(
    browser: Any, banks: list[Bank], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApp]:
    """The real app in a server thread, on a temp-file SQLite database, for one module."""
    tmp = tmp_path_factory.mktemp("e2e")
    clock = FrozenClock(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret-key-that-is-long-enough-for-the-checks",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/e2e.sqlite",
            "INSTANCE_PATH": str(tmp / "instance"),
            "CLOCK": clock,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        for parsed in banks:
            apply_import(parsed)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveApp(app, f"http://127.0.0.1:{server.server_port}", clock)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def guard() -> PageGuard:
    """The problem collector shared by all pages of one test."""
    return PageGuard()


@pytest.fixture
def new_page(
    browser: Any, live_app: LiveApp, guard: PageGuard, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Open guarded pages in fresh contexts; on failure save screenshots and HTML."""
    contexts: list[Any] = []
    pages: list[Any] = []

    def open_page(**context_options: Any) -> Any:
        context_options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_app.url, **context_options)
        context.set_default_timeout(5000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        guard.attach(page)
        pages.append(page)
        return page

    yield open_page

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        out = request.config.rootpath / "test-artifacts"
        out.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for number, page in enumerate(pages, start=1):
            if page.is_closed():
                continue
            base = out / f"{stem}-{number}"
            try:
                page.screenshot(path=f"{base}.png", full_page=True)
                Path(f"{base}.html").write_text(page.content(), encoding="utf-8")
            except Exception as exc:  # the test's own failure matters more
                print(f"could not save {base}: {exc}")
    for context in contexts:
        context.close()
    if report is not None and report.passed:
        guard.check("(found after the test)")


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """One guarded desktop page."""
    return new_page()
