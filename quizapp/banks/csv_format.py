"""Read banks written as CSV: one question per row, bank metadata in leading ``#key:`` lines."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from quizapp.banks.delimited import Record, read_records
from quizapp.banks.errors import SourceError
from quizapp.banks.flashcard_csv import header_roles, read_flashcards
from quizapp.banks.limits import MAX_QUESTIONS
from quizapp.banks.model import (
    CHOICE_TYPES,
    QUESTION_TYPES,
    Bank,
    Choice,
    Problem,
    Question,
    Topic,
)
from quizapp.banks.text import (
    clean_line,
    clean_markdown,
    is_slug,
    shown,
    slug_from_filename,
    small_number,
    title_from_filename,
)
from quizapp.banks.validate import Draft, too_many_questions
from quizapp.spreadsheet import unprotect, unprotect_line

COLUMNS = (
    "id",
    "topic",
    "type",
    "difficulty",
    "prompt",
    "choices",
    "correct",
    "answer",
    "explanation",
    "tags",
    "source_section",
    "source_article",
)
REQUIRED_COLUMNS = ("id", "topic", "type", "difficulty", "prompt", "explanation")
META_KEYS = ("slug", "title", "version", "source", "description", "topic")

# "#key: value" with no space after "#"; "# anything" is a plain comment.
_META_LINE = re.compile(r"#([A-Za-z_]+)[ \t]*:(.*)")
_CORRECT_SEPARATORS = re.compile(r"[|,\s]+")
_LIST_COLUMNS = ("choices", "tags", "answer")
_MAX_ITEMS = 100


def _unescape_to(out: list[str], text: str, i: int, newlines: bool) -> int:
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt in ("\\", "|"):
        out.append(nxt)
        return i + 2
    if newlines and nxt == "n":
        out.append("\n")
        return i + 2
    out.append("\\")
    return i + 1


def split_items(text: str, *, newlines: bool = False) -> list[str]:
    """Split a ``|``-separated cell; ``\\|`` is a literal pipe and ``\\\\`` a backslash.

    With ``newlines`` (metadata lines), ``\\n`` is a line break too. Any other backslash is
    kept as written, so code such as ``C:\\temp`` needs no escaping. An empty cell has no items.
    """
    if not text.strip():
        return []
    if "\\" not in text:
        return text.split("|")
    items: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i = _unescape_to(current, text, i, newlines)
        elif char == "|":
            items.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    items.append("".join(current))
    return items


def unescape(text: str, *, newlines: bool = False) -> str:
    """Undo escape_item() on a value that is not split (a whole metadata value)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i = _unescape_to(out, text, i, newlines)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def escape_item(text: str, *, newlines: bool = False) -> str:
    """Escape one item so that split_items() gives it back unchanged."""
    out: list[str] = []
    for i, char in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if char == "|":
            out.append("\\|")
        elif newlines and char == "\n":
            out.append("\\n")
        elif char == "\\" and (nxt in ("", "\\", "|") or (newlines and nxt in ("n", "\n"))):
            # Only backslashes that would otherwise start an escape are doubled.
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


def topic_name_from_slug(slug: str) -> str:
    """Name an undeclared topic after its slug: ``sql-joins`` gives ``Sql Joins``."""
    return slug.replace("-", " ").title()


def _column_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


@dataclass
class _Meta:
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    version: int = 1
    topics: list[Topic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _read_meta_line(meta: _Meta, key: str, raw: str, line: int, file: str) -> None:
    def fail(message: str) -> None:
        meta.problems.append(Problem(file, line, None, message))

    if key not in META_KEYS:
        close = difflib.get_close_matches(key, META_KEYS, n=1)
        hint = f"did you mean '#{close[0]}:'?" if close else f"use one of: {', '.join(META_KEYS)}"
        fail(f"unknown metadata line '#{key}:' ({hint})")
        return
    # Exports put a quote before text a spreadsheet would run as a formula; take it off.
    raw = unprotect_line(raw)
    if key == "topic":
        parts = [clean_line(p) for p in split_items(raw, newlines=True)]
        if not parts or not parts[0]:
            fail("'#topic:' needs a slug: '#topic: slug | Name | description'")
            return
        if len(parts) > 3:
            fail("'#topic:' has more than three parts (slug | Name | description)")
            return
        slug, name, description = (parts + ["", ""])[:3]
        meta.lines[f"topics[{len(meta.topics)}]"] = line
        meta.topics.append(Topic(slug, name or topic_name_from_slug(slug), description))
        return
    if key in meta.lines:
        fail(f"'#{key}:' is given twice (first on line {meta.lines[key]})")
        return
    meta.lines[key] = line
    value = clean_line(unescape(raw, newlines=True))
    if key == "version":
        version = small_number(value)
        if version is None or version < 1:
            fail(f"'#version:' must be a whole number of at least 1, not {shown(value)}")
        else:
            meta.version = version
        return
    meta.values[key] = value


def _read_preamble(text: str, file: str) -> tuple[_Meta, int, int]:
    """Read blank, comment and metadata lines; return them and where the header starts."""
    meta = _Meta()
    pos, line = 0, 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        physical = text[pos:end]
        if physical.strip() and not physical.startswith("#"):
            break
        match = _META_LINE.fullmatch(physical)
        if match:
            _read_meta_line(meta, match.group(1).lower(), match.group(2), line, file)
        pos, line = end + 1, line + 1
    return meta, pos, line


def _header(record: Record, file: str) -> tuple[list[str], list[Problem]]:
    names = [_column_name(cell) for cell in record.fields]
    problems = []
    # A broken file can have a header of thousands of cells: report a few, not all.
    for name in [n for n in dict.fromkeys(names) if n not in COLUMNS][:5]:
        close = difflib.get_close_matches(name, COLUMNS, n=1)
        hint = f" (did you mean {shown(close[0])}?)" if close else ""
        problems.append(Problem(file, record.line, None, f"unknown column {shown(name)}{hint}"))
    repeated = [name for name, count in Counter(names).items() if count > 1 and name in COLUMNS]
    for name in repeated:
        problems.append(Problem(file, record.line, None, f"column {shown(name)} appears twice"))
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(
            Problem(
                file,
                record.line,
                None,
                f"missing column{'s' if len(missing) > 1 else ''} "
                + ", ".join(missing)
                + f"; the header needs {', '.join(REQUIRED_COLUMNS)}",
            )
        )
    return names, problems


def _choice_numbers(cell: str, count: int) -> tuple[set[int], list[str]]:
    numbers: set[int] = set()
    problems = []
    tokens = _CORRECT_SEPARATORS.split(cell.strip())
    if len(tokens) > _MAX_ITEMS:
        return numbers, [f"correct: more than {_MAX_ITEMS} numbers"]
    for token in tokens:
        if not token:
            continue
        number = small_number(token)
        if number is None:
            problems.append(f"correct: {shown(token)} is not a choice number (count from 1)")
        elif not 1 <= number <= count:
            problems.append(f"correct: there is no choice {number} (this row has {count})")
        else:
            numbers.add(number)
    return numbers, problems


def _row_question(row: dict[str, str], line: int, bank_source: str) -> tuple[Question, list[str]]:
    """Build the question of one row; also return problems only the CSV layout can have."""
    qtype = clean_line(row.get("type", "")).lower()
    correct = row.get("correct", "").strip()
    answer_cell = row.get("answer", "")
    # The answer cell is a list only for short answers; a flashcard's may hold a Markdown table.
    lists = _LIST_COLUMNS if qtype == "short_answer" else _LIST_COLUMNS[:-1]
    items = {name: split_items(row.get(name, "")) for name in lists}
    problems = [
        f"{name}: more than {_MAX_ITEMS} items separated by '|'"
        for name, values in items.items()
        if len(values) > _MAX_ITEMS
    ]
    if problems:
        # Far past every limit; building thousands of items would only slow the report down.
        items = dict.fromkeys(lists, [])
    texts = [clean_line(t) for t in items["choices"]]
    choices = tuple(Choice(t, False) for t in texts)
    answer: str | bool | None = clean_markdown(answer_cell) or None
    accepted: tuple[str, ...] = ()
    if qtype in CHOICE_TYPES:
        numbers, number_problems = _choice_numbers(correct, len(texts))
        problems += number_problems
        choices = tuple(Choice(t, n in numbers) for n, t in enumerate(texts, start=1))
    elif qtype == "true_false":
        if answer is not None:
            problems.append("true_false questions take true or false in the correct column")
        answer = None
        if correct.lower() in ("true", "false"):
            answer = correct.lower() == "true"
        elif correct:
            problems.append(f"correct must be true or false, not {shown(correct)}")
    elif correct and qtype in QUESTION_TYPES:  # an unknown type is reported by itself
        problems.append("the correct column is only for choice and true_false questions")
    if qtype == "short_answer":
        accepted = tuple(clean_line(a) for a in items["answer"])
        answer = None
    return (
        Question(
            key=clean_line(row.get("id", "")),
            topic=clean_line(row.get("topic", "")),
            type=qtype,
            prompt=clean_markdown(row.get("prompt", "")),
            explanation=clean_markdown(row.get("explanation", "")),
            difficulty=clean_line(row.get("difficulty", "")).lower(),
            choices=choices,
            answer=answer,
            accepted=accepted,
            tags=tuple(clean_line(t) for t in items["tags"]),
            source_article=clean_line(row.get("source_article", "")) or bank_source,
            source_section=clean_line(row.get("source_section", "")),
            line=line,
        ),
        problems,
    )


def _detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number of cells (tab first).

    Spreadsheets in some locales save with semicolons, Quizlet and copy-paste give tabs; a
    comma inside a tab-separated definition must not win.
    """
    best, best_score = ",", (-1, -1)
    for preference, delimiter in enumerate(("\t", ";", ",", "|")):
        counts = [line.count(delimiter) for line in lines if line.strip()]
        if not counts or min(counts) == 0:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, -preference)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(text: str, file: str) -> Draft:
    """Parse a CSV bank into a draft for the common validator."""
    meta, pos, line = _read_preamble(text, file)
    problems = list(meta.problems)
    if pos >= len(text):
        problems.append(
            Problem(file, None, None, "no header row (expected: " + ",".join(COLUMNS[:-1]) + ")")
        )
        return Draft(None, problems)
    delimiter = _detect_delimiter(text[pos : pos + 20_000].split("\n")[:10])
    source = meta.values.get("source", "")
    records = read_records(text, delimiter, start=pos, first_line=line)
    questions: list[Question] = []
    auto_topics: list[str] = []
    complete = True
    try:
        header = next(records, None)
        if header is None:  # unreachable: the preamble stopped at a non-blank line
            return Draft(None, problems)
        names = [_column_name(cell) for cell in header.fields]
        if not meta.values and not meta.topics and not {"id", "type"} & set(names):
            # Not quizapp's layout: a plain question/answer file (with or without a header).
            # Read again as flashcard tools write: quotes handled leniently, as Anki does.
            roles = header_roles(header.fields)
            rows = read_records(text, delimiter, start=pos, first_line=line, lenient=True)
            if roles is not None:
                next(rows, None)
            return read_flashcards(rows, roles, file)
        names, header_problems = _header(header, file)
        if header_problems:
            return Draft(None, problems + header_problems)
        for record in records:
            # Exports put a quote before cells a spreadsheet would run as formulas.
            fields = [unprotect(f) for f in record.fields]
            if not any(f.strip() for f in fields):
                continue
            if len(questions) + len(problems) >= MAX_QUESTIONS:
                problems.append(too_many_questions(file, record.line))
                complete = False
                break
            if len(fields) > len(names) and any(f.strip() for f in fields[len(names) :]):
                problems.append(
                    Problem(
                        file,
                        record.line,
                        None,
                        f"row has {len(fields)} cells but the header has {len(names)} columns "
                        "(quote cells that contain the delimiter)",
                    )
                )
                continue
            row = dict(zip(names, fields + [""] * (len(names) - len(fields)), strict=True))
            question, row_problems = _row_question(row, record.line, source)
            if not meta.topics and question.topic and not is_slug(question.topic):
                row_problems.append(
                    f"topic {shown(question.topic)} is not a slug (use lowercase letters and "
                    "digits joined by hyphens, or declare it with a '#topic:' line)"
                )
            if row_problems:
                problems += [
                    Problem(file, record.line, question.key or None, m) for m in row_problems
                ]
                continue
            if question.topic and question.topic not in auto_topics:
                auto_topics.append(question.topic)
            questions.append(question)
    except SourceError as exc:
        problems.append(Problem(file, exc.line, None, f"malformed CSV: {exc.message}"))
        complete = False
    topics = meta.topics or [Topic(s, topic_name_from_slug(s)) for s in auto_topics]
    bank = Bank(
        slug=meta.values.get("slug") or slug_from_filename(file),
        title=meta.values.get("title") or title_from_filename(file),
        version=meta.version,
        description=meta.values.get("description", ""),
        source=source,
        topics=tuple(topics),
        questions=tuple(questions),
    )
    # A row that failed here is missing from the draft, so "no questions" or "unused topic"
    # would mislead; those checks wait until every row is sound.
    rows_ok = complete and len(problems) == len(meta.problems)
    return Draft(bank, problems, complete=rows_ok, field_lines=meta.lines)
