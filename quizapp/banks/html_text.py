"""Turn HTML from Anki or GIFT fields into Markdown text that shows as the author meant."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from quizapp.banks.model import Problem
from quizapp.banks.text import escape_markdown

_BLOCK_TAGS = frozenset(
    {"div", "p", "ul", "ol", "table", "tr", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
     "hr", "section", "article", "header", "footer"}
)  # fmt: skip
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "head", "title"})
_MEDIA_TAGS = frozenset({"audio", "video", "object", "embed", "iframe"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Stands for <br> while the text is collected: a hard line break, unless a paragraph ends there.
_BREAK = "\0"
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
        self.links: list[tuple[int, str]] = []  # (index in parts where <a> began, href)

    @property
    def in_code(self) -> bool:
        return self.preformatted > 0 or any(_INLINE_MARKERS[t] == "`" for t, _ in self.open_inline)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skipping += 1
        elif tag in _MEDIA_TAGS:
            self.media += 1
        elif tag == "img":
            self._image(dict(attrs))
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append((len(self.parts), href if _linkable(href) else ""))
        elif tag in _INLINE_MARKERS and not self.preformatted:
            self.open_inline.append((tag, len(self.parts)))
        elif tag == "pre":
            self.preformatted += 1
            self.parts.append("\n```\n")
        elif tag == "br":
            self.parts.append("\n" if self.preformatted else _BREAK + "\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif self.parts and self.parts[-1] == "\n- " and tag in _BLOCK_TAGS:
            # <li><p>text: the text is the item's first line, not a line after an empty item.
            pass
        elif tag == "div":
            # Anki and Moodle editors write each line of a field as a <div>.
            self._end_line()
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            self._close_link()
        elif tag in _DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _INLINE_MARKERS and self.open_inline and self.open_inline[-1][0] == tag:
            self._close_inline()
        elif tag in ("ul", "ol"):
            # A blank line ends the list; otherwise following text joins the last item.
            self.parts.append("\n\n")
        elif tag == "pre" and self.preformatted:
            self.preformatted -= 1
            self.parts.append("\n```\n")
        elif tag == "div":
            self._end_line()
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def _end_line(self) -> None:
        # A line ends here unless one already has (</div><div> is one line break, not two).
        if self.parts and not "".join(self.parts[-2:]).endswith("\n"):
            self.parts.append(_BREAK + "\n")

    def _image(self, attrs: dict[str, str | None]) -> None:
        # Only images on the web can still be reached: those become links; files that came
        # with the deck or the quiz are not imported.
        src = attrs.get("src") or ""
        if src.startswith(("http://", "https://")):
            alt = escape_markdown(" ".join((attrs.get("alt") or "").split())) or "image"
            self.parts.append(f"[{alt}]({_url(src)})")
        else:
            self.media += 1

    def _close_link(self) -> None:
        start, href = self.links.pop()
        if not href:
            return
        text = "".join(self.parts[start:]).strip() or escape_markdown(href)
        self.parts[start:] = [f"[{text}]({_url(href)})"]

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
        self.parts.append(data if self.in_code else escape_markdown(data))


def _linkable(href: str) -> bool:
    return urlsplit(href.strip()).scheme.lower() in _LINK_SCHEMES


def _url(href: str) -> str:
    """A URL safe inside Markdown's ``(...)``: spaces, brackets and parentheses encoded."""
    return quote(href.strip(), safe=":/?#@!$&'*+,;=%~-._")


def empty_sides(file: str, lines: list[int], what: str) -> Problem:
    """The warning for notes or rows skipped because their prompt or answer is empty."""
    shown_lines = ", ".join(str(n) for n in lines[:10]) + (" ..." if len(lines) > 10 else "")
    return Problem(
        file,
        lines[0],
        None,
        f"{len(lines)} {what}(s) skipped because the prompt or the answer is empty (lines "
        f"{shown_lines})",
        "warning",
    )


def removed_media(file: str, line: int | None, key: str | None, count: int) -> Problem:
    """The warning for a question whose images or other media files were left out."""
    return Problem(
        file,
        line,
        key,
        f"{count} image or media file(s) removed: media files are not imported (images on the "
        "web are kept as links)",
        "warning",
    )


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_plain(html: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded (for plain-text spots)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


def looks_like_html(text: str) -> bool:
    """Guess whether a field holds HTML (used when a file does not say)."""
    return _LOOKS_LIKE_HTML.search(text) is not None


def html_to_text(html: str) -> tuple[str, int]:
    """Return Markdown for an HTML fragment and how many media elements were dropped.

    ``<br>`` becomes a hard line break and block elements new lines; list items become ``- ``
    lines, bold, italic and code Markdown, ``<pre>`` a fenced block, ``<a href>`` to the web a
    Markdown link, and an ``<img>`` on the web a link to it (other images and media are
    removed and counted). Text is escaped so that it shows as written; entities are decoded
    and all other tags removed.
    """
    collector = _MarkdownCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    text = _MANY_NEWLINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text))
    return _MANY_NEWLINES.sub("\n\n", hard_breaks(text.strip())), collector.media


def plain_to_markdown(text: str) -> str:
    """Markdown that shows plain text as written, each line break kept."""
    return hard_breaks(escape_markdown(text).replace("\n", _BREAK + "\n"))


def hard_breaks(text: str) -> str:
    """Turn break marks into Markdown hard line breaks (a backslash before the newline).

    A break that ends a paragraph or the text is just the paragraph's end.
    """
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        if line.rstrip().endswith(_BREAK):
            line = line.rstrip()[: -len(_BREAK)].rstrip()
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if following.replace(_BREAK, "").strip() and line.strip():
                line += "\\"
        out.append(line.replace(_BREAK, ""))
    return "\n".join(out).strip()
