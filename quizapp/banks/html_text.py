"""Turn HTML from Anki or GIFT fields into Markdown text that shows as the author meant."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from quizapp.banks.text import escape_html_like

_BLOCK_TAGS = frozenset(
    {"div", "p", "ul", "ol", "table", "tr", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
     "hr", "section", "article", "header", "footer"}
)  # fmt: skip
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "head", "title"})
_MEDIA_TAGS = frozenset({"img", "audio", "video", "object", "embed", "iframe"})
# Inline formatting kept as Markdown: tag -> marker placed on both sides of the content.
_INLINE_MARKERS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`", "kbd": "`",
                   "tt": "`"}  # fmt: skip
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")

# The same idea as Anki's own import: a tag or an entity means the field is HTML.
_LOOKS_LIKE_HTML = re.compile(
    r"<[A-Za-z][A-Za-z0-9]*(?:\s[^>]*)?/?>|</[A-Za-z]+>|&[A-Za-z]+;|&#\d+;"
)


class _MarkdownCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open_inline: list[tuple[str, int]] = []  # (tag, index in parts where it began)
        self.skipping = 0
        self.preformatted = 0
        self.media = 0

    @property
    def in_code(self) -> bool:
        return self.preformatted > 0 or any(_INLINE_MARKERS[t] == "`" for t, _ in self.open_inline)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping += 1
        elif tag in _MEDIA_TAGS:
            self.media += 1
        elif tag in _INLINE_MARKERS and not self.preformatted:
            self.open_inline.append((tag, len(self.parts)))
        elif tag == "pre":
            self.preformatted += 1
            self.parts.append("\n```\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _INLINE_MARKERS and self.open_inline and self.open_inline[-1][0] == tag:
            self._close_inline()
        elif tag in ("ul", "ol"):
            # A blank line ends the list; otherwise following text joins the last item.
            self.parts.append("\n\n")
        elif tag == "pre" and self.preformatted:
            self.preformatted -= 1
            self.parts.append("\n```\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def _close_inline(self) -> None:
        tag, start = self.open_inline.pop()
        marker = _INLINE_MARKERS[tag]
        content = "".join(self.parts[start:])
        core = content.strip()
        # Markers must hug the text ("**x**", not "** x **"); a code span holding a backtick
        # or a line break would not survive, so it stays plain.
        if not core or (marker == "`" and ("`" in core or "\n" in core)):
            return
        lead = content[: len(content) - len(content.lstrip())]
        trail = content[len(content.rstrip()) :]
        self.parts[start:] = [f"{lead}{marker}{core}{marker}{trail}"]

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.preformatted:
            self.parts.append(data)
            return
        # Outside <pre>, newlines in HTML source are spacing, not line breaks. Text that
        # Markdown would take for a tag is escaped, except in code, which shows it verbatim.
        data = data.replace("\n", " ")
        self.parts.append(data if self.in_code else escape_html_like(data))


def looks_like_html(text: str) -> bool:
    """Guess whether a field holds HTML (used when a file does not say)."""
    return _LOOKS_LIKE_HTML.search(text) is not None


def html_to_text(html: str) -> tuple[str, int]:
    """Return Markdown for an HTML fragment and how many media elements were dropped.

    Line breaks (``<br>``, block elements) become newlines, list items ``- `` lines, bold,
    italic and code become Markdown, ``<pre>`` a fenced block; entities are decoded and all
    other tags removed.
    """
    collector = _MarkdownCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    text = _MANY_NEWLINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text))
    return text.strip(), collector.media
