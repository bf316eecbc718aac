"""Split delimiter-separated text into records, each with the line it starts on.

Used by the CSV and Anki readers instead of the ``csv`` module, which neither reports where
a multi-line record starts nor notices a quote left open at the end of a truncated file.
Quoting follows RFC 4180: a field in double quotes may hold delimiters and newlines, and
``""`` inside it is one quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from quizapp.banks.errors import SourceError


@dataclass(frozen=True)
class Record:
    """One record: its fields and the 1-based physical line it starts on."""

    line: int
    fields: list[str]


def _match_end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    match = pattern.match(text, pos)
    return match.end() if match else pos


_SPACES = re.compile(" *")


def _quote_is_text(text: str, pos: int, delimiter: str) -> bool:
    """True when the quote at ``pos`` does not open a quoted field: it closes on the same line
    and text follows the closing quote (``"Cracked" engineer``). A quote that never closes is
    still an error (a cut-off file)."""
    closing = pos + 1
    while True:
        closing = text.find('"', closing)
        if closing == -1:
            return False
        if text.startswith('"', closing + 1):
            closing += 2
            continue
        after = closing + 1
        return (
            "\n" not in text[pos:closing]
            and after < len(text)
            and text[after] not in (delimiter, "\n", "\r")
        )


def read_records(
    text: str,
    delimiter: str,
    *,
    start: int = 0,
    first_line: int = 1,
    comments: bool = False,
    lenient: bool = False,
) -> Iterator[Record]:
    """Yield the records of ``text[start:]``; blank lines (and ``#`` lines if asked) are skipped.

    Raises SourceError for a quote that never closes or text straight after a closing quote.
    ``lenient`` reads as Anki and spreadsheets do: spaces before an opening quote are skipped
    (``a; "b"``), and a field that only starts with a quote (``"Cracked" engineer``) is text.
    """
    unquoted = re.compile(f"[^{re.escape(delimiter)}\\n]*")
    pos, line, end = start, first_line, len(text)
    while pos < end:
        if text[pos] == "\n":
            pos, line = pos + 1, line + 1
            continue
        if comments and text[pos] == "#":
            newline = text.find("\n", pos)
            pos, line = (end if newline == -1 else newline + 1), line + 1
            continue
        record_line, fields = line, []
        while True:
            if lenient:
                spaces = _match_end(_SPACES, text, pos)
                if text.startswith('"', spaces):
                    pos = spaces
            if text.startswith('"', pos) and lenient and _quote_is_text(text, pos, delimiter):
                field_end = _match_end(unquoted, text, pos)
                fields.append(text[pos:field_end])
                pos = field_end
            elif text.startswith('"', pos):
                closing = pos + 1
                while True:
                    closing = text.find('"', closing)
                    if closing == -1:
                        raise SourceError(
                            "a quoted field starts here but its closing quote is missing", line
                        )
                    if not text.startswith('"', closing + 1):
                        break
                    closing += 2
                raw = text[pos + 1 : closing]
                fields.append(raw.replace('""', '"'))
                line += raw.count("\n")
                pos = closing + 1
                if pos < end and text[pos] not in (delimiter, "\n"):
                    raise SourceError(
                        "unexpected text after a closing quote (a quote inside a quoted field "
                        'must be doubled: "")',
                        line,
                    )
            else:
                # The pattern can match the empty string, so this always matches.
                field_end = _match_end(unquoted, text, pos)
                fields.append(text[pos:field_end])
                pos = field_end
            if pos < end and text[pos] == delimiter:
                pos += 1
                continue
            if pos < end:  # at a newline
                pos, line = pos + 1, line + 1
            break
        yield Record(record_line, fields)
