"""The entry point: pick the reader for a file, run the common validation, collect problems."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from quizapp.banks.anki import FieldMap, is_anki_import, read_anki
from quizapp.banks.csv_format import read_csv
from quizapp.banks.decode import decode_bank
from quizapp.banks.errors import SourceError
from quizapp.banks.gift import looks_like_gift, read_gift
from quizapp.banks.limits import MAX_PROBLEMS
from quizapp.banks.model import ParseResult, Problem, Severity
from quizapp.banks.native import read_native
from quizapp.banks.text import base_name, shown
from quizapp.banks.validate import Draft, validate

logger = logging.getLogger(__name__)

FORMATS = ("yaml", "json", "csv", "anki", "gift")
EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": "csv",
    ".txt": "anki",
    ".gift": "gift",
}
INTERNAL_ERROR = "internal error: the file could not be checked; please report this"

_READERS: dict[str, Callable[[str, str], Draft]] = {
    "yaml": lambda text, file: read_native(text, file, "yaml"),
    "json": lambda text, file: read_native(text, file, "json"),
    "csv": read_csv,
    "anki": read_anki,
    "gift": read_gift,
}


def format_for(filename: str) -> str | None:
    """Return the format implied by a file name's extension, or None if it implies none."""
    name = base_name(filename).lower()
    _, dot, extension = name.rpartition(".")
    return EXTENSIONS.get("." + extension) if dot else None


def _finish(problems: list[Problem], file: str) -> list[Problem]:
    # File-wide problems first, then in file order; sorted() keeps discovery order within a line.
    problems = sorted(problems, key=lambda p: (p.line is not None, p.line or 0))
    if len(problems) <= MAX_PROBLEMS:
        return problems
    shown_part, hidden = problems[:MAX_PROBLEMS], problems[MAX_PROBLEMS:]
    severity: Severity = "error" if any(p.severity == "error" for p in hidden) else "warning"
    summary = f"{len(hidden)} more problems not shown; fix the ones above and check again"
    return [*shown_part, Problem(file, None, None, summary, severity)]


def parse_bank(
    data: bytes,
    filename: str,
    *,
    fmt: str | None = None,
    strict: bool = False,
    fields: str | None = None,
) -> ParseResult:
    """Parse and validate one bank file; never raises for bad input.

    The format comes from the extension unless ``fmt`` is given; a .txt without Anki's
    headers that reads as GIFT is GIFT, and a .csv with Anki's headers is an Anki export.
    With ``strict``, content that would not be imported (skipped GIFT questions, removed
    media, ignored Anki fields) is an error rather than a warning. ``bank`` is set only when
    there are no errors. ``filename`` is used in messages and to derive defaults; it is never
    opened. ``fields`` chooses which fields of Anki notes are the prompt, answer and
    explanation (``FieldMap.parse``).
    """
    chosen = fmt if fmt is not None else format_for(filename)
    if chosen not in FORMATS:
        if fmt is not None:
            message = f"unknown format {shown(fmt)} (use one of: {', '.join(FORMATS)})"
        else:
            message = (
                f"cannot tell the format of {shown(base_name(filename))} from its extension "
                "(use .yaml, .yml, .json, .csv, .txt for Anki exports, or .gift)"
            )
        return ParseResult(filename, None, [Problem(filename, None, None, message)])
    draft: Draft | None = None
    field_map = None
    try:
        text = decode_bank(data)
        if chosen == "csv" and is_anki_import(text):
            chosen = "anki"  # a .csv written for Anki's importer, with its # headers
        elif (
            fmt is None and chosen == "anki" and not is_anki_import(text) and looks_like_gift(text)
        ):
            chosen = "gift"  # Moodle exports GIFT as .txt
        if fields:
            if chosen != "anki":
                raise SourceError("choosing fields applies to Anki exports only", None)
            try:
                field_map = FieldMap.parse(fields)
            except ValueError as exc:
                raise SourceError(str(exc), None) from exc
        if field_map is not None:
            draft = read_anki(text, filename, field_map)
        else:
            draft = _READERS[chosen](text, filename)
        dropped = draft.dropped
        if strict:
            dropped = [dataclasses.replace(p, severity="error") for p in dropped]
        problems = draft.problems + dropped + validate(draft, filename)
    except SourceError as exc:
        problems = [Problem(filename, exc.line, None, exc.message)]
    except Exception:
        # A reader bug must not become a server error for the upload; the fuzz tests fail on
        # this message, so it is not a way to hide bugs.
        logger.exception("bank reader %s failed on %r", chosen, filename)
        draft, problems = None, [Problem(filename, None, None, INTERNAL_ERROR)]
    problems = _finish(problems, filename)
    failed = any(p.severity == "error" for p in problems)
    bank = draft.bank if draft is not None and not failed else None
    return ParseResult(filename, bank, problems, chosen)
