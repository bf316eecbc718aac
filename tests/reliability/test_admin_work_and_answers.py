"""An admin's big upload and import never stall the users answering meanwhile (SQLite).

The real app under gunicorn on a file database: 20 users answer concurrently (each pausing
about a second between answers, as people do) while an admin
uploads a 5 MB bank of 10,000 questions (parsed and previewed) and then applies it (parsed
again, planned and written). Parsing and planning run before the write lock is taken, so the
answers only ever wait for the writes themselves: every answer is accepted, none gets a 503,
and their p99 stays under 200 ms. (The import writes its new questions in short batches and
publishes them at once; see bank_import.apply_import.)
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from bench.importer import generated_bank
from bench.load import percentile
from bench.load_client import PASSWORD, Browser, Record, _answer_fields
from bench.load_server import bench_app, seed_accounts, server_env, start_gunicorn
from quizapp.banks.export import dump_yaml
from quizapp.extensions import db
from quizapp.models import Question, User
from tests.conftest import is_postgres
from tests.factories import bank, load, question
from tests.reliability.helpers import SECRET

pytestmark = pytest.mark.skipif(is_postgres(), reason="SQLite's single writer is what is tested")

USERS = 20
P99_LIMIT_SECONDS = 0.200
UPLOAD_BYTES = 5_000_000
THINK_SECONDS = (0.5, 1.5)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PENDING = re.compile(r"/admin/banks/pending/(\d+)/apply")


def _upload_file() -> bytes:
    """A YAML bank of 10,000 questions padded to about 5 MB (under the upload limit)."""
    text = dump_yaml(generated_bank(10_000))
    padding = UPLOAD_BYTES - len(text.encode())
    assert padding > 0
    return (text + "#" * (padding - 1) + "\n").encode()


def _log_in(browser: Browser, email: str) -> str:
    """Log in; return the new session's CSRF token."""
    _status, _loc, page = browser.send("login page", "GET", "/login")
    fields = [("csrf_token", CSRF.search(page).group(1)), ("email", email), ("password", PASSWORD)]
    status, location, _ = browser.send("login", "POST", "/login", fields)
    assert status == 302, status
    _status, _loc, page = browser.send("dashboard", "GET", urlsplit(location).path or "/")
    return CSRF.search(page).group(1)


def _upload(browser: Browser, csrf: str, data: bytes) -> tuple[int, str]:
    """POST the bank file to the admin's upload form; (status, page)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.yaml"\r\n'
        "Content-Type: application/x-yaml\r\n\r\n",
    ]
    body = "".join(parts).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection(browser.host, browser.port, timeout=120)
    try:
        conn.request(
            "POST",
            "/admin/banks",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
            },
        )
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Learner(threading.Thread):
    """A user answering today's questions, one after another, until told to stop."""

    def __init__(self, port: int, email: str, start: threading.Barrier, stop: threading.Event):
        super().__init__(daemon=True)
        self.record = Record()
        self.browser = Browser("127.0.0.1", port, self.record)
        self.email, self.start_together, self.stop = email, start, stop
        self.rng = random.Random(email)
        self.csrf = ""
        self.session_path = ""
        self.failures: list[str] = []

    def prepare(self) -> None:
        """Log in and start today's quiz."""
        self.csrf = _log_in(self.browser, self.email)
        status, location, _ = self.browser.send(
            "start", "POST", "/quiz/start", [("csrf_token", self.csrf)]
        )
        assert status == 302, status
        self.session_path = urlsplit(location).path
        # One answer before the clock starts: the server's first requests warm its caches.
        self.answer_one()
        self.failures.clear()
        self.record.samples.clear()

    def answer_one(self) -> bool:
        """Read the next question and answer it; False if there was none to answer."""
        status, _loc, page = self.browser.send("question", "GET", self.session_path)
        if status != 200 or 'action="/quiz/items/' not in page:
            self.failures.append(f"question page: {status}")
            return False
        action = re.search(r'action="(/quiz/items/\d+/answer)"', page).group(1)
        status, _loc, _ = self.browser.send(
            "answer", "POST", action, _answer_fields(page, self.rng)
        )
        if status != 302:
            self.failures.append(f"answer: {status}")
        return True

    def run(self) -> None:
        """Answer until the admin's work is over (at least once)."""
        self.start_together.wait()
        # People do not all press "answer" in the same millisecond: each starts within a pause.
        self.stop.wait(self.rng.uniform(0, THINK_SECONDS[1]))
        while self.answer_one():
            # A person reads the feedback before the next question (a user who never pauses
            # is a load test, which bench/ runs); the pause ends at once when the admin is done.
            if self.stop.wait(self.rng.uniform(*THINK_SECONDS)):
                return


def test_answers_are_not_stalled_by_an_upload_and_an_import(tmp_path):
    url = f"sqlite:///{tmp_path}/shared.sqlite"
    app = bench_app(url, SECRET, tmp_path)
    with app.app_context():
        db.create_all()
    load(app, bank("daily", [question(f"d{i}", topic=("a", "b")[i % 2]) for i in range(300)]))
    emails = seed_accounts(app, USERS + 1)
    admin_email, learner_emails = emails[0], emails[1:]
    with app.app_context():
        db.session.execute(update(User).where(User.email == admin_email).values(is_admin=True))
        db.session.commit()
        db.engine.dispose()
    data = _upload_file()

    server = start_gunicorn(server_env(url, SECRET), workers=4, threads=6, workdir=tmp_path)
    try:
        start_together = threading.Barrier(USERS + 1)
        admin_done = threading.Event()
        learners = [
            Learner(server.port, email, start_together, admin_done) for email in learner_emails
        ]
        for learner in learners:
            learner.prepare()
            learner.start()
        admin = Browser("127.0.0.1", server.port, Record())
        csrf = _log_in(admin, admin_email)
        start_together.wait()
        try:
            began = time.perf_counter()
            status, page = _upload(admin, csrf, data)
            parsed_in = time.perf_counter() - began
            assert status == 200, page[-2000:]
            pending_id = PENDING.search(page).group(1)
            applied = time.perf_counter()
            admin.close()
            status, location, _ = admin.send(
                "apply", "POST", f"/admin/banks/pending/{pending_id}/apply", [("csrf_token", csrf)]
            )
            applied_in = time.perf_counter() - applied
            assert status == 302 and urlsplit(location).path == "/admin/banks", status
        finally:
            admin_done.set()
            for learner in learners:
                learner.join(timeout=60)
                learner.browser.close()
            admin.close()
    finally:
        server.stop()

    with app.app_context():
        shown = db.session.scalar(select(func.count()).where(Question.active.is_(True)))
    assert shown == 300 + 10_000
    failures = [f for learner in learners for f in learner.failures]
    assert not failures, failures
    answers = [s for learner in learners for s in learner.record.samples if s.kind == "answer"]
    assert len(answers) >= USERS
    assert all(s.status == 302 for s in answers)
    p99 = percentile(sorted(s.seconds for s in answers), 0.99)
    assert p99 < P99_LIMIT_SECONDS, (
        f"answer p99 {p99 * 1000:.0f} ms over {len(answers)} answers, while the upload took "
        f"{parsed_in:.1f} s and the import {applied_in:.1f} s"
    )
    assert not server.log_problems(), server.log_tail()
