"""Template helpers: Markdown filters (cached per process), bidi isolation, globals."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from quizapp.rendering import inline_html, markdown_html, pygments_css


def isolate(value: object) -> Markup:
    """Wrap bank- or user-provided text in ``<bdi>``: its direction marks stay inside it."""
    return Markup("<bdi>{}</bdi>").format(value)


def csrf_input() -> Markup:
    """The session's CSRF token as the hidden input every POST form carries."""
    # What a WTForms form's csrf_token field renders (the same token, cached per request),
    # without building a form per button: a question page has four forms.
    return Markup(f'<input name="csrf_token" type="hidden" value="{escape(generate_csrf())}">')  # noqa: S704


def register(app: Flask) -> None:
    """Expose the Markdown filters and the button form to templates."""
    # For text that is not a stored question's (which carries its HTML: Question.html).
    app.jinja_env.filters["markdown"] = markdown_html
    app.jinja_env.filters["markdown_inline"] = inline_html
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.globals["csrf_input"] = csrf_input

    stylesheet = pygments_css()

    def _pygments() -> Response:
        response = Response(stylesheet, mimetype="text/css")
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        return response

    app.add_url_rule("/assets/pygments.css", "static_pygments", _pygments)
