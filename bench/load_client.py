"""Simulated quiz users for the load test: plain http.client over keep-alive connections.

Each user logs in, starts today's quiz and answers questions through the real forms, keeping
its own record of every answer the server accepted (a 302 to the feedback page), so the load
test can compare it with the review log afterwards. Some answers are sent twice on purpose:
re-posted after acceptance (must get 409), or posted on two connections at once (exactly one
may win).
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TIMEOUT_SECONDS = 30
# gunicorn closes idle keep-alive connections 2 s after a response; reconnect before reusing
# one that may be that old (counted from when the last request was sent, which is earlier).
STALE_AFTER_SECONDS = 1.0
# The server closing a kept-alive connection just as a request goes out looks like this.
_KEEPALIVE_CLOSED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
PASSWORD = "load-test-password-1234"

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ANSWER_ACTION = re.compile(r'action="/quiz/items/(\d+)/answer"')
VERSION = re.compile(r'name="version"[^>]*value="(\d*)"')
CHOICE = re.compile(r'<input type="(radio|checkbox)" name="choice" value="(\d+)"')
POINT = re.compile(r'<input type="checkbox" name="points" value="(\d+)"')
MATCH = re.compile(r'<select name="match"[^>]*>(.*?)</select>', re.S)
MATCH_OPTION = re.compile(r'<option value="(\d+)"')
QUESTION_ID = re.compile(r'action="/quiz/questions/(\d+)/flag"')
SESSION_URL = re.compile(r"/quiz/sessions/(\d+)$")
FEEDBACK_URL = re.compile(r"/quiz/items/(\d+)$")


@dataclass
class Sample:
    """One request: what it was, its status (0 for a transport failure) and its latency."""

    kind: str
    status: int
    seconds: float


@dataclass
class Record:
    """What one simulated user saw; merged into the run's totals afterwards."""

    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    # (email, item id, question id) of every answer the server accepted.
    accepted: list[tuple[str, int, int]] = field(default_factory=list)
    # (email, item id) of answers whose outcome is unknown (transport error, 5xx).
    unknown: list[tuple[str, int]] = field(default_factory=list)
    duplicate_posts: int = 0
    duplicate_409: int = 0
    duplicate_applied: int = 0
    races: int = 0
    race_one_winner: int = 0
    race_both_applied: int = 0
    logins: int = 0
    exhausted_accounts: int = 0
    # GETs sent again on a new connection because the server had closed the kept-alive one.
    get_retries: int = 0


class Unexpected(Exception):
    """A response the simulated user did not expect; counted as an error."""


class Browser:
    """One user's cookies and keep-alive connection."""

    def __init__(self, host: str, port: int, record: Record) -> None:
        self.host, self.port, self.record = host, port, record
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0
        # Why the last request got no response (an exception name), for the error report.
        self.failure = ""

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """The kept-alive connection if it is recent, else a new one; and whether it is reused."""
        if self.conn is not None and time.monotonic() - self.last_used <= STALE_AFTER_SECONDS:
            return self.conn, True
        self.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        return self.conn, False

    def close(self) -> None:
        """Close the connection (a new one is opened on the next request)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _headers(self, body: bool) -> dict[str, str]:
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def _store_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def send(
        self, kind: str, method: str, path: str, fields: list[tuple[str, str]] | None = None
    ) -> tuple[int, str, str]:
        """Make one request; return (status, Location, body); status 0 if no response came.

        A GET that fails on a reused connection is sent once more on a new one, as browsers
        do; a POST is never sent twice (its outcome would be unknown).
        """
        body = urlencode(fields) if fields is not None else None
        for attempt in (1, 2):
            started = time.perf_counter()
            conn, reused = self._connection()
            try:
                self.last_used = time.monotonic()
                conn.request(method, path, body=body, headers=self._headers(body is not None))
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                retry = method == "GET" and attempt == 1 and reused
                if retry and isinstance(exc, _KEEPALIVE_CLOSED):
                    self.record.get_retries += 1
                    continue
                self.record.samples.append(Sample(kind, 0, time.perf_counter() - started))
                self.failure = type(exc).__name__
                return 0, "", ""
            break
        self.record.samples.append(Sample(kind, response.status, time.perf_counter() - started))
        self._store_cookies(response)
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.getheader("Location", ""), text

    def race(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, int]:
        """Post the same form on two connections at once; return both statuses."""
        body = urlencode(fields)
        other = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        conns = [self._connection()[0], other]
        started = time.perf_counter()
        self.last_used = time.monotonic()
        statuses = []
        try:
            for conn in conns:
                conn.request("POST", path, body=body, headers=self._headers(True))
            for conn in conns:
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
                self.record.samples.append(
                    Sample("race", response.status, time.perf_counter() - started)
                )
                if conn is not other:
                    self._store_cookies(response)
        except (OSError, http.client.HTTPException):
            self.close()
            statuses += [0] * (2 - len(statuses))
        finally:
            other.close()
        return statuses[0], statuses[1]


def _outcome(status: int, browser: Browser) -> str:
    return str(status) if status else f"no response ({browser.failure})"


def _expect(status: int, wanted: int, what: str, browser: Browser) -> None:
    if status != wanted:
        raise Unexpected(f"{what}: {_outcome(status, browser)}")


def _answer_fields(page: str, rng: random.Random) -> list[tuple[str, str]]:
    """A plausible answer for the question on the page: right or wrong, the user guesses."""
    csrf = CSRF.search(page)
    version = VERSION.search(page)
    if csrf is None or version is None:
        raise Unexpected("question page without its answer form")
    fields = [
        ("csrf_token", csrf.group(1)),
        ("version", version.group(1)),
        ("elapsed_ms", str(rng.randint(1500, 25000))),
    ]
    choices = CHOICE.findall(page)
    if choices:
        values = [value for _kind, value in choices]
        if choices[0][0] == "radio":
            picked = [rng.choice(values)]
        else:
            picked = rng.sample(values, rng.randint(1, len(values)))
        fields += [("choice", v) for v in picked]
    elif matches := MATCH.findall(page):
        # One pick per left-hand item, among the options its select offers.
        fields += [("match", rng.choice(MATCH_OPTION.findall(select))) for select in matches]
    elif 'name="points"' in page:
        # Explain: the key points the user says they covered (none is an answer too), how
        # fluently, and a few words of their own.
        points = POINT.findall(page)
        fields += [("points", v) for v in rng.sample(points, rng.randint(0, len(points)))]
        if rng.random() < 0.3:
            fields.append(("hesitant", "y"))
        fields.append(("notes", rng.choice(["", "signals run in the same transaction"])))
    elif 'name="truth"' in page:
        fields.append(("truth", rng.choice(["true", "false"])))
    elif 'name="text" id="number"' in page:
        fields.append(("text", rng.choice(["3", "0.5", "42", "1e3"])))
    elif 'name="text"' in page:
        fields.append(("text", rng.choice(["a dict", "post_save", "GIL", "select_related"])))
    elif 'name="grade"' in page:
        fields.append(("grade", str(rng.choice([1, 3, 4, 4, 5, 5]))))
    else:
        raise Unexpected("question page of an unknown kind")
    return fields


@dataclass
class Plan:
    """How the simulated users behave."""

    host: str
    port: int
    deadline: float
    answers_per_visit: tuple[int, int] = (10, 30)
    duplicate_rate: float = 0.08
    race_rate: float = 0.04
    think_seconds: float = 0.0


class SimulatedUser(threading.Thread):
    """Log in, start today's quiz, answer questions, log out; again until the deadline."""

    def __init__(self, number: int, plan: Plan, accounts: AccountPool, seed: int) -> None:
        super().__init__(name=f"user-{number}", daemon=True)
        self.plan, self.accounts = plan, accounts
        self.rng = random.Random(seed)  # noqa: S311 - a simulation, not security
        self.record = Record()
        self.browser = Browser(plan.host, plan.port, self.record)
        self.email = accounts.take()

    def time_left(self) -> bool:
        """Tell whether the run is still on."""
        return time.monotonic() < self.plan.deadline

    def run(self) -> None:
        """Visits until the deadline; an unexpected response is an error, then a new visit."""
        while self.time_left() and self.email is not None:
            try:
                self.visit()
            except Unexpected as exc:
                self.record.errors[str(exc)] += 1
                self.browser.cookies.clear()
                self.browser.close()
        self.browser.close()

    def visit(self) -> None:
        """One sitting: log in, start or resume the quiz, answer some questions, log out."""
        status, _loc, page = self.browser.send("login page", "GET", "/login")
        _expect(status, 200, "GET /login", self.browser)
        token = CSRF.search(page)
        if token is None:
            raise Unexpected("login page without a CSRF token")
        fields = [("csrf_token", token.group(1)), ("email", self.email), ("password", PASSWORD)]
        status, location, _ = self.browser.send("login", "POST", "/login", fields)
        _expect(status, 302, "POST /login", self.browser)
        self.record.logins += 1
        # Logging in starts a fresh session, and with it a new CSRF secret: read it again.
        status, _loc, page = self.browser.send("dashboard", "GET", urlsplit(location).path or "/")
        _expect(status, 200, "GET dashboard", self.browser)
        token = CSRF.search(page)
        if token is None:
            raise Unexpected("dashboard without a CSRF token")
        csrf = [("csrf_token", token.group(1))]
        budget = self.rng.randint(*self.plan.answers_per_visit)
        while budget > 0 and self.time_left():
            status, location, _ = self.browser.send("start", "POST", "/quiz/start", csrf)
            _expect(status, 302, "POST /quiz/start", self.browser)
            session = SESSION_URL.search(location)
            if session is None:  # nothing due: this account is done for today
                self.record.exhausted_accounts += 1
                self.email = self.accounts.take()
                break
            budget = self.answer_session(int(session.group(1)), budget)
        if self.time_left():
            status, _loc, _ = self.browser.send("logout", "POST", "/logout", csrf)
            _expect(status, 302, "POST /logout", self.browser)
        self.browser.cookies.clear()

    def answer_session(self, session_id: int, budget: int) -> int:
        """Answer up to `budget` questions of a session; return what is left of the budget."""
        while budget > 0 and self.time_left():
            path = f"/quiz/sessions/{session_id}"
            status, location, page = self.browser.send("question", "GET", path)
            if status == 302 and location.endswith("/summary"):
                status, _loc, _ = self.browser.send("summary", "GET", urlsplit(location).path)
                _expect(status, 200, "GET summary", self.browser)
                return budget
            _expect(status, 200, "GET question", self.browser)
            item = ANSWER_ACTION.search(page)
            if item is None:
                raise Unexpected("question page without an item")
            self.answer(int(item.group(1)), _answer_fields(page, self.rng))
            budget -= 1
            if self.plan.think_seconds:
                time.sleep(self.rng.uniform(0, 2 * self.plan.think_seconds))
        return budget

    def answer(self, item_id: int, fields: list[tuple[str, str]]) -> None:
        """Post an answer (sometimes twice at once), read the feedback, maybe re-post it."""
        path = f"/quiz/items/{item_id}/answer"
        if self.rng.random() < self.plan.race_rate:
            first, second = self.browser.race(path, fields)
            self.record.races += 1
            if sorted((first, second)) == [302, 409]:
                self.record.race_one_winner += 1
            elif first == second == 302:
                self.record.race_both_applied += 1
            if 302 not in (first, second):
                self.note_unknown(item_id)
                raise Unexpected(f"race: {first}/{second}")
            status = 302
        else:
            status, location, _ = self.browser.send("answer", "POST", path, fields)
            if status != 302 or not FEEDBACK_URL.search(location):
                self.note_unknown(item_id)
                raise Unexpected(f"POST answer: {_outcome(status, self.browser)}")
        status, _loc, feedback = self.browser.send("feedback", "GET", f"/quiz/items/{item_id}")
        question = QUESTION_ID.search(feedback)
        if status != 200 or question is None:
            # Accepted, but we cannot tell which question: keep it as unknown, not as lost.
            self.note_unknown(item_id)
            raise Unexpected(f"GET feedback: {_outcome(status, self.browser)}")
        self.record.accepted.append((self.email, item_id, int(question.group(1))))
        if self.rng.random() < self.plan.duplicate_rate:
            self.record.duplicate_posts += 1
            status, _loc, _ = self.browser.send("duplicate", "POST", path, fields)
            if status == 409:
                self.record.duplicate_409 += 1
            elif status in (302, 200):
                self.record.duplicate_applied += 1
            else:
                self.record.errors[f"duplicate re-post: {_outcome(status, self.browser)}"] += 1

    def note_unknown(self, item_id: int) -> None:
        """An answer whose fate the client cannot know; the log check allows 0 or 1 for it."""
        self.record.unknown.append((self.email, item_id))


class AccountPool:
    """Seeded accounts handed out to simulated users, each to one user at a time."""

    def __init__(self, emails: list[str]) -> None:
        self._emails = list(emails)
        self._lock = threading.Lock()

    def take(self) -> str | None:
        """The next unused account, or None when all are used."""
        with self._lock:
            return self._emails.pop(0) if self._emails else None
