"""Render bank Markdown to safe HTML: CommonMark, Pygments highlighting, nh3 sanitising.

Bank text is data, never a template: the output is Markup for Jinja to insert as is, and
anything like ``{{ ... }}`` in it stays literal text. Rendering is pure and takes a str, so
it is cached per process (``markdown_html``) and a question's parts are rendered once, when
its bank is imported, and stored with it (``question_html``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

__all__ = [
    "RENDERER_VERSION",
    "inline_html",
    "markdown_html",
    "pygments_css",
    "question_html",
    "render_inline",
    "render_markdown",
]

# Stored with every question's rendered parts (question_html). Bump it whenever the output
# for the same text changes (rules, allow-list, highlighting): parts stored by another
# version are ignored and rendered again on display, and a migration can store them anew.
RENDERER_VERSION = 1

HIGHLIGHT_CLASS = "highlight"
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
LINK_SCHEMES = ("http://", "https://", "mailto:")

_FORMATTER = HtmlFormatter(nowrap=True)
_TOKEN_CLASSES = frozenset(c for c in STANDARD_TYPES.values() if c)

_INLINE_TAGS = {"em", "strong", "code", "a", "del", "s", "br"}
_BLOCK_TAGS = _INLINE_TAGS | {
    "p", "pre", "span", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Dropped together with their content; every other tag outside the allow-list is removed
# but its text is kept (escaped).
_DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "textarea"}


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Highlight a fenced block; unknown or missing languages give plain escaped code."""
    name = lang.split()[0] if lang.strip() else ""
    try:
        lexer = get_lexer_by_name(name) if name else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        # Returned whole (it starts with "<pre"), so markdown-it adds no language-* class.
        return f"<pre><code>{html.escape(code, quote=False)}</code></pre>"
    body = highlight(code, lexer, _FORMATTER)
    return f'<pre><code class="{HIGHLIGHT_CLASS}">{body}</code></pre>'


def _demote_headings(state: StateCore) -> None:
    """Shift headings down two levels: the page owns h1/h2, bank text starts at h3."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"


def _keep_safe_links(tag: str, attribute: str, value: str) -> str | None:
    # Only absolute http(s) and mailto links: no javascript:, data:, or relative URLs that
    # would point into the app itself.
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_SCHEMES) else None
    return value


def _cleaner(tags: set[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes={"a": {"href"}, "ol": {"start"}},
        attribute_filter=_keep_safe_links,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        allowed_classes={"span": set(_TOKEN_CLASSES), "code": {HIGHLIGHT_CLASS}},
        strip_comments=True,
    )


_MD = MarkdownIt("commonmark", {"html": True, "highlight": _highlight}).enable(
    ["table", "strikethrough"]
)
_MD.core.ruler.push("demote_headings", _demote_headings)
_BLOCK_CLEANER = _cleaner(_BLOCK_TAGS)
_INLINE_CLEANER = _cleaner(_INLINE_TAGS)


def render_markdown(text: str) -> Markup:
    """Render Markdown (block level) to sanitised HTML."""
    return Markup(_BLOCK_CLEANER.clean(_MD.render(text)))  # noqa: S704 - sanitised by nh3


def render_inline(text: str) -> Markup:
    """Render Markdown without block elements (for choice texts) to sanitised HTML."""
    return Markup(_INLINE_CLEANER.clean(_MD.renderInline(text)))  # noqa: S704 - sanitised


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> Markup:
    """``render_markdown``, cached per process (keyed by the text: an edit is a new key)."""
    return render_markdown(text)


@lru_cache(maxsize=8192)
def inline_html(text: str) -> Markup:
    """``render_inline``, cached per process."""
    return render_inline(text)


def question_html(
    prompt: str,
    explanation: str,
    answer: str | None,
    choices: Sequence[str],
    lefts: Sequence[str],
) -> dict[str, Any]:
    """A question's Markdown parts as sanitised HTML, to store with it (JSON-ready).

    ``answer`` is a flashcard's back or an explain question's model answer (None for other
    types); ``choices`` and ``lefts`` (a matching question's left-hand items, "" where an
    option has none) are rendered inline, in bank order.
    """
    return {
        "v": RENDERER_VERSION,
        "prompt": str(render_markdown(prompt)),
        "explanation": str(render_markdown(explanation)) if explanation else "",
        "answer": str(render_markdown(answer)) if answer else None,
        "choices": [str(render_inline(text)) for text in choices],
        "lefts": [str(render_inline(text)) if text else "" for text in lefts],
    }


def _style_rules(style: str) -> list[str]:
    """The CSS rules of one Pygments style, all scoped to the highlight class."""
    formatter: HtmlFormatter[str] = HtmlFormatter(style=style)
    # Not get_style_defs(): it adds unscoped rules (such as "pre { ... }") that would restyle
    # every <pre> on the page. The stubs leave these two methods untyped.
    background: Callable[[str], list[str]] = formatter.get_background_style_defs
    tokens: Callable[[str], list[str]] = formatter.get_token_style_defs
    selector = f".{HIGHLIGHT_CLASS}"
    return [*background(selector), *tokens(selector)]


def pygments_css() -> str:
    """Return the highlighting stylesheet: light colours, and dark ones for dark mode."""
    light = "\n".join(_style_rules(LIGHT_STYLE))
    dark = "\n".join(f"  {rule}" for rule in _style_rules(DARK_STYLE))
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
