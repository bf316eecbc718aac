"""Read YAML safely into plain data plus the line of every value.

The document is built from parser events, not with ``yaml.load``: no object is ever
constructed from a tag, anchors and aliases are refused (so "billion laughs" cannot expand),
nesting depth and node count are capped, and duplicate keys are errors instead of silently
keeping the last value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from quizapp.banks.errors import SourceError
from quizapp.banks.limits import MAX_DEPTH, MAX_NODES
from quizapp.banks.text import shown

Path = tuple[str | int, ...]
LineMap = dict[Path, int]

# libyaml is much faster on large files; the pure-Python parser emits the same events.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _SEQ, _MAP = _CORE + "timestamp", _CORE + "seq", _CORE + "map"
_SCALAR_BUILDERS = {
    _INT: ("an integer", _CONSTRUCTOR.construct_yaml_int),
    _FLOAT: ("a number", _CONSTRUCTOR.construct_yaml_float),
    _BOOL: ("true or false", _CONSTRUCTOR.construct_yaml_bool),
    _NULL: ("null", _CONSTRUCTOR.construct_yaml_null),
}


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    key: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)


# PyYAML's resolver is untyped; this is the one call made to it.
_resolve_scalar_tag: Callable[[str, tuple[bool, bool]], str] = functools.partial(
    _RESOLVER.resolve, yaml.ScalarNode
)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _scalar(event: yaml.ScalarEvent, line: int) -> object:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _resolve_scalar_tag(event.value, event.implicit)
    # Dates stay text: no bank field is a date, and a title like 2024-01-01 should not change type.
    if tag in (_STR, _TIMESTAMP):
        return event.value
    if tag in _SCALAR_BUILDERS:
        kind, build = _SCALAR_BUILDERS[tag]
        try:
            return build(yaml.ScalarNode(tag, event.value))
        except (ValueError, KeyError, OverflowError):
            raise SourceError(f"{shown(event.value)} is not {kind}", line) from None
    raise SourceError(f"YAML tag {shown(_short_tag(tag))} is not allowed", line)


def _check_node_event(event: yaml.NodeEvent, line: int) -> None:
    if isinstance(event, yaml.AliasEvent):
        raise SourceError(
            f"YAML aliases (*{event.anchor}) are not supported; write the value out in full", line
        )
    if event.anchor is not None:
        raise SourceError(
            f"YAML anchors (&{event.anchor}) are not supported; write the value out in full",
            line,
        )
    tag = getattr(event, "tag", None)
    if isinstance(event, yaml.CollectionStartEvent) and tag not in (None, "!", _SEQ, _MAP):
        raise SourceError(f"YAML tag {shown(_short_tag(tag or ''))} is not allowed", line)


def _key(event: yaml.NodeEvent, frame: _Frame, line: int) -> str:
    # Keys are taken as written, never resolved: "1:" or "on:" is the field name "1" or "on".
    if not isinstance(event, yaml.ScalarEvent):
        raise SourceError("a field name must be plain text, not a list or a mapping", line)
    key = event.value
    if key in frame.key_lines:
        raise SourceError(
            f"duplicate field {shown(key)} (first on line {frame.key_lines[key]})", line
        )
    frame.key_lines[key] = line
    return key


def _build(loader: Any, lines: LineMap) -> object:
    """Build one document from the events between DocumentStart and DocumentEnd."""
    stack: list[_Frame] = []
    root: object = None
    nodes = 0
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
            if not stack:
                return root
            continue
        line = event.start_mark.line + 1
        _check_node_event(event, line)
        nodes += 1
        if nodes > MAX_NODES:
            raise SourceError(f"file has more than {MAX_NODES} values", line)
        top = stack[-1] if stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            top.key = _key(event, top, line)
            lines[(*top.path, top.key)] = line
            continue
        value: Any
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event, line)
        else:
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
        if top is None:
            path: Path = ()
            lines[path] = line
            root = value
        elif isinstance(top.container, dict):
            path = (*top.path, top.key or "")
            top.container[top.key or ""] = value
            top.key = None
        else:
            path = (*top.path, len(top.container))
            lines[path] = line
            top.container.append(value)
        if not isinstance(value, dict | list):
            if top is None:
                return root
            continue
        if len(stack) >= MAX_DEPTH:
            raise SourceError(f"values are nested more than {MAX_DEPTH} levels deep", line)
        stack.append(_Frame(value, path))


def _syntax_error(exc: yaml.YAMLError, text: str) -> SourceError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        if exc.context:
            context = exc.context
            start = exc.context_mark
            if start is not None and (mark is None or start.line != mark.line):
                # "while scanning a quoted scalar" is most useful with where that scalar began.
                context += f" that starts on line {start.line + 1}"
            problem = f"{problem} ({context})"
        if mark is None:
            return SourceError(f"malformed YAML: {problem}")
        return SourceError(f"malformed YAML at column {mark.column + 1}: {problem}", mark.line + 1)
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml reports a byte offset into the UTF-8 text, the Python reader a character one.
        offset = exc.position
        prefix = text.encode("utf-8")[:offset] if _Loader is not yaml.SafeLoader else None
        line = (prefix.count(b"\n") if prefix is not None else text.count("\n", 0, offset)) + 1
        return SourceError(f"malformed YAML: {exc.reason}", line)
    return SourceError(f"malformed YAML: {exc}")


def load_yaml(text: str) -> tuple[object, LineMap]:
    """Parse one YAML document into plain data and a map from value paths to 1-based lines."""
    loader = _Loader(text)
    lines: LineMap = {}
    try:
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            raise SourceError("file has no YAML content (only comments or blank lines)")
        loader.get_event()  # DocumentStart
        data = _build(loader, lines)
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            mark = loader.peek_event().start_mark
            raise SourceError(
                "a second YAML document starts here; put one bank in each file", mark.line + 1
            )
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from None
    finally:
        loader.dispose()
    return data, lines
