"""`make run` serves with gunicorn beside the scheduler, and Ctrl+C stops everything."""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_until(proc: subprocess.Popen[bytes], markers: tuple[bytes, ...], timeout: float) -> bytes:
    """Read the process's output until one of `markers` appears; fail after `timeout` s."""
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while not any(marker in seen for marker in markers):
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                pytest.fail(f"no {markers!r} within {timeout} s; output:\n{seen.decode()[-3000:]}")
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                pytest.fail(f"make run ended early; output:\n{seen.decode()[-3000:]}")
            seen += chunk
    return seen


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (PROJECT_ROOT / ".venv").resolve(),
    reason="make run uses the checkout's .venv; these tests run from another environment",
)
def test_make_run_serves_with_gunicorn_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "REDIS_URL", "QUIZAPP_ENV"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/run.sqlite"
    # Its own process group, as a terminal gives a foreground job: Ctrl+C signals the group.
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Whichever server it starts says where it listens (gunicorn, or Werkzeug's "Running on").
        read_until(proc, (b"Listening at: ", b"Running on "), timeout=180)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=60) as response:
            assert response.status == 200
            server = response.headers["Server"]
        assert "werkzeug" not in server.lower()
        # gunicorn names itself without a version.
        assert server == "gunicorn"

        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
        assert b"Scheduler stopped." in output
        # Nothing of the group is left: not gunicorn, its worker, nor the scheduler.
        with pytest.raises(ProcessLookupError):
            os.killpg(proc.pid, 0)
    finally:
        if proc.poll() is None or _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
