"""quizapp: interview-prep quizzes scheduled with SM-2."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp.clock import SystemClock
from quizapp.config import load_config

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# How long a thread keeps the GIL while another waits for it (CPython's default is 5 ms). A
# worker's threads share one GIL: beside a thread parsing a 5 MB upload, each of an answer's
# waits on SQLite or its socket cost up to 5 ms more to get it back (answer p99 105 to 296 ms
# during an upload and an import, tests/reliability/test_admin_work_and_answers.py; 30 to
# 47 ms at 0.5 ms, with the upload and the import as fast as before).
GIL_SWITCH_INTERVAL_S = 0.0005


def resource_dir(name: str) -> Path:
    """Return the `templates` or `migrations` folder: the installed package's, or the checkout's.

    The wheel carries both inside the package (setup.py maps them there); a checkout and an
    editable install keep them at the top level of the project.
    """
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PROJECT_ROOT / name


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build and configure the application."""
    overrides = dict(test_config or {})
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app = Flask(
        __name__,
        instance_path=overrides.pop("INSTANCE_PATH", None),
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, overrides))
    app.extensions["quizapp.clock"] = overrides.get("CLOCK") or SystemClock()
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from quizapp import cli, errors, security, templating

    _init_extensions(app)
    security.bound_url_ids(app)
    _register_blueprints(app)

    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    if not app.testing:
        freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Leave everything made so far out of the garbage collector's full collections.

    Modules, mappers, compiled statements and the app itself live as long as the process, yet
    each full collection walked all of them (about 120,000 objects): a 60-70 ms stall of every
    thread of a worker, every few thousand requests, which showed in the answer cycle's p99.
    Frozen, a full collection takes about 2 ms. Tests build many apps, so they do not freeze.
    """
    gc.freeze()


def _init_extensions(app: Flask) -> None:
    from quizapp import models  # noqa: F401  (registers the tables with the metadata)
    from quizapp.auth.session import init_login
    from quizapp.db import init_db, render_migration_item
    from quizapp.extensions import csrf, db, limiter, migrate

    init_db(app)
    migrate.init_app(
        app,
        db,
        directory=str(resource_dir("migrations")),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    # Every POST is checked for its CSRF token before any view runs (400 otherwise).
    csrf.init_app(app)
    init_login(app)
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from quizapp import admin, auth, mock, progress, quiz, reminders

    app.register_blueprint(auth.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(mock.bp)
    app.register_blueprint(progress.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(reminders.bp)
