"""Template helpers: Markdown rendering with a per-revision cache, bidi isolation, globals."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response
from markupsafe import Markup

from quizapp.forms import EmptyForm
from quizapp.rendering import pygments_css, render_inline, render_markdown


@lru_cache(maxsize=4096)
def _cached_markdown(text: str) -> Markup:
    return render_markdown(text)


@lru_cache(maxsize=8192)
def _cached_inline(text: str) -> Markup:
    return render_inline(text)


def isolate(value: object) -> Markup:
    """Wrap bank- or user-provided text in ``<bdi>``: its direction marks stay inside it."""
    return Markup("<bdi>{}</bdi>").format(value)


def register(app: Flask) -> None:
    """Expose the Markdown filters and the button form to templates."""
    # Keyed by the text itself, so an edited question never shows a stale rendering.
    app.jinja_env.filters["markdown"] = _cached_markdown
    app.jinja_env.filters["markdown_inline"] = _cached_inline
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
