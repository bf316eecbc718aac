"""The exception the low-level readers raise for input they cannot read."""

from __future__ import annotations


class SourceError(Exception):
    """The file cannot be read at all (bad encoding, malformed syntax, a limit exceeded)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
