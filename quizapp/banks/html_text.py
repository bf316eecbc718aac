"""Turn HTML from Anki or GIFT fields into plain text that reads well as Markdown."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from quizapp.banks.text import escape_html_like

_BLOCK_TAGS = frozenset(
    {
        "div",
        "p",
        "ul",
        "ol",
        "table",
        "tr",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "section",
        "article",
        "header",
        "footer",
    }
)
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "head", "title"})
_MEDIA_TAGS = frozenset({"img", "audio", "video", "object", "embed", "iframe"})
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")

# Anki exports start HTML detection with the same idea: a tag or an entity means HTML.
_LOOKS_LIKE_HTML = re.compile(
    r"<[A-Za-z][A-Za-z0-9]*(?:\s[^>]*)?/?>|</[A-Za-z]+>|&[A-Za-z]+;|&#\d+;"
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.preformatted = 0
        self.media = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping += 1
        elif tag in _MEDIA_TAGS:
            self.media += 1
        elif tag == "pre":
            self.preformatted += 1
            self.parts.append("\n")
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
        elif tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS or tag == "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Outside <pre>, newlines in HTML source are spacing, not line breaks.
            self.parts.append(data if self.preformatted else data.replace("\n", " "))


def looks_like_html(text: str) -> bool:
    """Guess whether a field holds HTML (used when a file does not say)."""
    return _LOOKS_LIKE_HTML.search(text) is not None


def html_to_text(html: str) -> tuple[str, int]:
    """Return the text of an HTML fragment and how many media elements were dropped.

    Line breaks (``<br>``, block elements) become newlines, list items become ``- `` lines,
    entities are decoded, and every other tag is removed. Characters that Markdown would read
    as HTML are escaped so the text shows as written.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    text = _MANY_NEWLINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text))
    return escape_html_like(text.strip()), collector.media
