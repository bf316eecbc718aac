"""What is installed must run: the wheel carries the templates and migrations it needs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import quizapp

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Run from the unpacked wheel, outside the checkout: migrate a fresh database, then serve a page.
INSTALLED = """
import json, os
import quizapp
from flask_migrate import upgrade
from quizapp import create_app
app = create_app()
with app.app_context():
    upgrade()
response = app.test_client().get("/login")
print(json.dumps({
    "package": quizapp.__file__,
    "templates": app.template_folder,
    "migrations": app.extensions["migrate"].directory,
    "status": response.status_code,
}))
"""


def shipped_files(folder: str) -> set[str]:
    """The files of a top-level folder that belong in the wheel (no caches)."""
    root = PROJECT_ROOT / folder
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a clean copy of the checkout (a build/ folder left in the checkout
    would otherwise feed old files into it)."""
    source = tmp_path_factory.mktemp("source") / "quizapp"
    shutil.copytree(
        PROJECT_ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "instance", "__pycache__", ".*_cache"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return next(out.glob("quizapp-*.whl"))


def test_the_checkout_uses_its_top_level_folders():
    assert quizapp.resource_dir("templates") == PROJECT_ROOT / "templates"
    assert quizapp.resource_dir("migrations") == PROJECT_ROOT / "migrations"


@pytest.mark.parametrize("folder", ["templates", "migrations"])
def test_wheel_carries_every_template_and_migration(wheel, folder):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    prefix = f"quizapp/{folder}/"
    packaged = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    assert packaged == shipped_files(folder)


def test_installed_wheel_migrates_and_serves_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = {
        **os.environ,
        # The unpacked wheel comes first on the path, ahead of the editable install.
        "PYTHONPATH": str(site),
        "DATABASE_URL": f"sqlite:///{run_dir}/quizapp.sqlite",
        "QUIZAPP_ENV": "development",
        "SECRET_KEY": "x" * 48,
    }
    done = subprocess.run(
        [sys.executable, "-c", INSTALLED],
        cwd=run_dir, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["package"]).is_relative_to(site)
    assert result["templates"] == str(site / "quizapp" / "templates")
    assert result["migrations"] == str(site / "quizapp" / "migrations")
    assert result["status"] == 200
