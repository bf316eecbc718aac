"""Template helpers: Markdown filters (cached per process), bidi isolation, globals."""

from __future__ import annotations

from flask import Flask, Response
from markupsafe import Markup

from quizapp.forms import EmptyForm
from quizapp.rendering import inline_html, markdown_html, pygments_css


def isolate(value: object) -> Markup:
    """Wrap bank- or user-provided text in ``<bdi>``: its direction marks stay inside it."""
    return Markup("<bdi>{}</bdi>").format(value)


def register(app: Flask) -> None:
    """Expose the Markdown filters and the button form to templates."""
    # For text that is not a stored question's (which carries its HTML: Question.html).
    app.jinja_env.filters["markdown"] = markdown_html
    app.jinja_env.filters["markdown_inline"] = inline_html
    app.jinja_env.filters["isolate"] = isolate

    stylesheet = pygments_css()

    def _pygments() -> Response:
        response = Response(stylesheet, mimetype="text/css")
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        return response

    app.add_url_rule("/assets/pygments.css", "static_pygments", _pygments)

    @app.context_processor
    def _globals() -> dict[str, object]:
        # Never bound to the request: reading the body here would fail again on the 413 page.
        return {"button_form": EmptyForm(formdata=None)}
