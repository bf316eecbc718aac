"""CSV cells that spreadsheets would run as formulas, made inert (OWASP's CSV injection rule).

Excel, LibreOffice and Google Sheets read a cell starting with ``=``, ``+``, ``-`` or ``@`` as
a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and some trim a leading tab or
carriage return first. A single quote in front makes such a cell plain text. Our own CSV bank
reader undoes exactly this prefix, so a bank exported and imported again is unchanged.
"""

from __future__ import annotations

import re

# The first characters that make a spreadsheet cell a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A cell that needs the prefix: a formula start, perhaps behind quotes a user wrote. Cells
# already quoted that way get one more quote, so unprotect() tells them apart.
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
# Where a spreadsheet may start a new cell in a line it splits itself (the comma, or the
# semicolon or tab that some locales use).
_SEPARATOR = re.compile(r"([,;\t])")


def protect(cell: str) -> str:
    """Put a single quote in front of a cell a spreadsheet would read as a formula."""
    return "'" + cell if _NEEDS_QUOTE.match(cell) else cell


def unprotect(cell: str) -> str:
    """Undo protect(): ``unprotect(protect(s)) == s`` for every string."""
    return cell[1:] if _QUOTED.match(cell) else cell


def protect_line(text: str) -> str:
    """protect() every cell after the first that a spreadsheet would split a raw line into.

    For text written outside CSV quoting (a ``#key: value`` line), where a comma, semicolon or
    tab starts a new cell. The first cell is the caller's to make safe.
    """
    parts = _SEPARATOR.split(text)
    return "".join(p if i == 0 or i % 2 else protect(p) for i, p in enumerate(parts))


def unprotect_line(text: str) -> str:
    """Undo protect_line()."""
    parts = _SEPARATOR.split(text)
    return "".join(p if i == 0 or i % 2 else unprotect(p) for i, p in enumerate(parts))
