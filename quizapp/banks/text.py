"""Small text helpers shared by the parsers: normalising, slugs, stable ids and safe display."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from quizapp.banks.limits import MAX_SLUG, MAX_TITLE

_NEWLINES = re.compile(r"\r\n?")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
_MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]~]")
_MARKDOWN_LINE_START = re.compile(r"(?m)^([ \t]*)([#>+-])")
_MARKDOWN_NUMBERED = re.compile(r"(?m)^([ \t]*\d+)([.)])")
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Characters that are never wanted in text: C0/C1 controls (tab and newline aside), lone
# surrogates (JSON and YAML escapes can produce them; they cannot be stored as UTF-8) and the
# Unicode line/paragraph separators, which YAML and browsers treat inconsistently.
_BAD_TEXT_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
# Ids must also be visible: no format characters (zero-width, bidi overrides), private-use
# characters or spaces of any kind.
_BAD_ID_CATEGORIES = _BAD_TEXT_CATEGORIES | {"Cf", "Co", "Zs"}
_BAD_LINE_CATEGORIES = _BAD_TEXT_CATEGORIES | {"Cf", "Co"}
_SHOWN_ESCAPED = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR line endings into LF."""
    return _NEWLINES.sub("\n", text)


def clean_line(text: str) -> str:
    """Normalise a single-line field: strip surrounding whitespace."""
    return normalize_newlines(text).strip()


def clean_markdown(text: str) -> str:
    """Normalise a Markdown field: LF line endings, no leading blank lines, no trailing space.

    Leading spaces on the first line are kept because they can start an indented code block.
    """
    return _LEADING_BLANK_LINES.sub("", normalize_newlines(text)).rstrip()


def describe_char(char: str) -> str:
    """Name a character for an error message, e.g. ``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def bad_text_char(text: str) -> str | None:
    """Return the first character not allowed in bank text, or None."""
    for char in text:
        if char not in "\t\n" and unicodedata.category(char) in _BAD_TEXT_CATEGORIES:
            return char
    return None


def bad_line_char(text: str) -> str | None:
    """Return the first character not allowed in a one-line field (a title, a name), or None.

    Besides what no text may hold, no format characters (zero-width, bidi overrides such as
    U+202E, which would flip the app's own text after the field) and no private-use ones.
    """
    for char in text:
        if char not in "\t\n" and unicodedata.category(char) in _BAD_LINE_CATEGORIES:
            return char
    return None


def bad_id_char(text: str) -> str | None:
    """Return the first invisible, whitespace or control character in an id, or None."""
    for char in text:
        if char.isspace() or unicodedata.category(char) in _BAD_ID_CATEGORIES:
            return char
    return None


def small_number(text: str) -> int | None:
    """Parse a count or position written in ASCII digits; None for anything else.

    ``str.isdigit`` also accepts characters such as "²" that ``int`` rejects, and huge
    numbers are never meaningful here.
    """
    return int(text) if _SMALL_NUMBER.fullmatch(text) else None


def is_slug(text: str) -> bool:
    """True when ``text`` is a valid slug (lowercase letters and digits joined by hyphens)."""
    return len(text) <= MAX_SLUG and SLUG_PATTERN.fullmatch(text) is not None


def slugify(text: str) -> str:
    """Make a slug from free text; returns "" when nothing ASCII-alphanumeric is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


def scoped_slug(bank_slug: str, name: str) -> str:
    """A topic slug the importer makes up, owned by its bank: ``<bank>-<name>``.

    Topic slugs are unique across banks; prefixing the bank's slug keeps a "Default" deck or
    an unnamed GIFT category of one file from clashing with another file's.
    """
    part = slugify(name) or stable_id("topic", name)
    return f"{bank_slug}-{part}"[:MAX_SLUG].rstrip("-")


def stable_id(prefix: str, text: str) -> str:
    """Derive an id from text that survives whitespace-only edits: ``prefix-<12 hex digits>``."""
    canonical = " ".join(text.split())
    return f"{prefix}-{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:12]}"


def escape_html_like(text: str) -> str:
    """Escape ``<`` and ``&`` where Markdown would read them as a tag or an entity.

    Plain text such as "use <script> tags" must reach the reader as written; left alone, the
    renderer would treat it as HTML and the sanitiser would remove it.
    """
    return _TAG_START.sub("&lt;", _ENTITY_START.sub("&amp;", text))


def escape_markdown(text: str) -> str:
    """Escape what Markdown would read as formatting, so literal text shows as written.

    Backslashes (MathJax's ``\\(A^T\\)``), emphasis and code markers, brackets and tildes are
    escaped everywhere; headings, quotes, list markers and numbered items only at the start of
    a line, where they mean something. HTML-like text is escaped as ``escape_html_like`` does.
    """
    text = _MARKDOWN_INLINE.sub(r"\\\g<0>", text)
    text = _MARKDOWN_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = _MARKDOWN_NUMBERED.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return escape_html_like(text)


def shown(value: object, *, quote: bool = True, limit: int = 80) -> str:
    """Render a value from a bank file for a message: quoted, shortened, invisibles escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if not isinstance(value, str):
        return shown(repr(value), quote=False, limit=limit)
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    text = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in _SHOWN_ESCAPED else c for c in text
    )
    return f"'{text}'" if quote else text


def base_name(filename: str) -> str:
    """The last component of a file name given with either kind of slash (never opened)."""
    return re.split(r"[\\/]", filename)[-1]


def _stem(filename: str) -> str:
    name = base_name(filename)
    return name.rsplit(".", 1)[0] if "." in name[1:] else name


def slug_from_filename(filename: str) -> str:
    """Derive a bank slug from a file name, e.g. ``SQL basics.csv`` gives ``sql-basics``."""
    return slugify(_stem(filename)) or "bank"


def title_from_filename(filename: str) -> str:
    """Derive a bank title from a file name, e.g. ``sql_basics.csv`` gives ``Sql basics``."""
    visible = "".join(c for c in _stem(filename) if bad_line_char(c) is None)
    words = " ".join(re.split(r"[\s_\-.]+", visible)).strip()
    if not words:
        return "Untitled bank"
    return (words[0].upper() + words[1:])[:MAX_TITLE].strip()
