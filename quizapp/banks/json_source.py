"""Read JSON into plain data plus the line of every value, with depth and size caps.

A small recursive-descent reader instead of ``json.loads``: the standard decoder neither
reports where values start nor bounds nesting (deep input raises RecursionError), and it
silently keeps the last of duplicate keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from quizapp.banks.errors import SourceError
from quizapp.banks.limits import MAX_DEPTH, MAX_NODES
from quizapp.banks.text import shown
from quizapp.banks.yaml_source import LineMap, Path

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS: dict[str, object] = {"true": True, "false": False, "null": None}
# The standard decoder's string scanner: escapes and strictness exactly as json.loads has them.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.nodes = 0
        self.lines: LineMap = {}

    def fail(self, message: str, pos: int | None = None) -> SourceError:
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return SourceError(f"malformed JSON at column {column}: {message}", line)

    def skip_space(self) -> None:
        end = self.pos
        # Cheaper than a regex for the common case of one space or none.
        while end < len(self.text) and self.text[end] in " \t\n\r":
            end += 1
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def value(self, path: Path, depth: int) -> Any:
        self.skip_space()
        self.lines[path] = self.line
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SourceError(f"file has more than {MAX_NODES} values", self.line)
        char = self.peek()
        if char in ("{", "["):
            if depth >= MAX_DEPTH:
                raise SourceError(f"values are nested more than {MAX_DEPTH} levels deep", self.line)
            return self.obj(path, depth + 1) if char == "{" else self.array(path, depth + 1)
        if char == '"':
            return self.string()
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            found = "the end of the file" if not char else shown(char)
            raise self.fail(f"expected a value, found {found}")
        self.pos = match.end()
        try:
            if match.group(1) or match.group(2):
                return float(match.group())
            return int(match.group())
        except ValueError:  # more digits than int() accepts
            raise self.fail("number is too long", match.start()) from None

    def string(self) -> str:
        start = self.pos
        try:
            text, self.pos = _scanstring(self.text, self.pos + 1)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg.lower().removesuffix(" at"), exc.pos) from None
        self.line += self.text.count("\n", start, self.pos)
        return text

    def expect(self, char: str, what: str) -> None:
        self.skip_space()
        if self.peek() != char:
            raise self.fail(f"expected {what}")
        self.pos += 1

    def obj(self, path: Path, depth: int) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        self.skip_space()
        if self.peek() == "}":
            self.pos += 1
            return result
        while True:
            self.skip_space()
            if self.peek() != '"':
                raise self.fail("expected a field name in double quotes")
            line = self.line
            key = self.string()
            if key in key_lines:
                raise SourceError(
                    f"duplicate field {shown(key)} (first on line {key_lines[key]})", line
                )
            key_lines[key] = line
            self.expect(":", "':' after the field name")
            result[key] = self.value((*path, key), depth)
            # A member's line is the line of its key, as in YAML.
            self.lines[(*path, key)] = line
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("}", "',' or '}'")
            return result

    def array(self, path: Path, depth: int) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        self.skip_space()
        if self.peek() == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value((*path, len(result)), depth))
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]", "',' or ']'")
            return result


def load_json(text: str) -> tuple[object, LineMap]:
    """Parse a JSON document into plain data and a map from value paths to 1-based lines."""
    reader = _Reader(text)
    data = reader.value((), 0)
    reader.skip_space()
    if reader.pos != len(text):
        raise reader.fail("unexpected text after the end of the JSON document")
    return data, reader.lines
