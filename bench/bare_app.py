"""The peer for item 1: a minimal Flask app returning a short text.

Served as ``gunicorn bench.bare_app:app`` with the same settings as the app.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.route("/question")
def question() -> str:
    """A short text, as small as a page can be."""
    return "What is 2 + 2?"


@app.route("/answer", methods=["POST"])
def answer() -> tuple[str, int, dict[str, str]]:
    """Accept an answer and redirect, like the quiz's POST."""
    return "", 302, {"Location": "/question"}
