"""Finding and reading bank files on disk (the CLI and the bundled banks)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from quizapp.banks import (
    EXTENSIONS,
    FORMATS,
    MAX_BANK_BYTES,
    ParseResult,
    Problem,
    parse_bank,
)


def find_bank_files(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into bank files (sorted); also return paths that don't exist."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(raw)
    return files, missing


def read_bank_file(
    path: Path, fmt: str | None = None, *, strict: bool = False, fields: str | None = None
) -> ParseResult:
    """Parse one bank file from disk, refusing files over the size limit."""
    name = str(path)
    size = path.stat().st_size
    if size > MAX_BANK_BYTES:
        return ParseResult(
            file=name,
            bank=None,
            problems=[
                Problem(name, None, None, f"file is {size} bytes; the limit is {MAX_BANK_BYTES}")
            ],
        )
    if fmt is not None and fmt not in FORMATS:
        return ParseResult(
            file=name, bank=None, problems=[Problem(name, None, None, f"unknown format {fmt!r}")]
        )
    return parse_bank(path.read_bytes(), name, fmt=fmt or None, strict=strict, fields=fields)
