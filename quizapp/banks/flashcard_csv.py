"""Plain question/answer CSV files, the shape most flashcard tools and spreadsheets export.

A file is read this way when its header is not quizapp's own layout (no ``id``/``type``
columns) but names a prompt and an answer column, or when it has no header at all and two or
more columns. Recognised column names (any case, spaces or hyphens as underscores):

- prompt: ``question``, ``front``, ``term``, ``prompt``, ``q``, ``word``
- answer: ``answer``, ``back``, ``definition``, ``a``, ``meaning``
- cells are plain text, or HTML when any cell looks like HTML (as Anki decides), converted
  like Anki fields (images that are not on the web removed with a warning)
- optional: ``topic`` (also ``deck``, ``category``, ``chapter``), ``tags`` (space, comma or
  ``|`` separated), ``explanation`` (also ``notes``, ``note``, ``extra``), ``guid`` or ``id``
  (the card's id)

A first row is taken for a header when it names a prompt and an answer, or names at least one
column above, or is three or more lowercase single-word names (``country,capital,capital:de``);
a header without a prompt or answer name takes the first two other columns. Columns a header
names but that have no role (a reading, a translation) go into the explanation, as do the
columns after the second in a file with no header. Every row becomes a flashcard; rows with an
empty prompt or answer are skipped with one warning naming their lines. Ids are the guid/id
column, or ``csv-`` plus a hash of the prompt and answer (duplicates get ``-2``...); topics
are owned by the bank (a topic column's ``Chapter 1`` in ``deck.csv`` is ``deck-chapter-1``;
without one, a topic named after the bank).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from quizapp.banks.delimited import Record
from quizapp.banks.html_text import (
    empty_sides,
    html_to_text,
    looks_like_html,
    plain_to_markdown,
    removed_media,
)
from quizapp.banks.ids import dedupe_keys
from quizapp.banks.limits import MAX_QUESTIONS
from quizapp.banks.model import Bank, Problem, Question, Topic
from quizapp.banks.text import (
    clean_line,
    clean_markdown,
    scoped_slug,
    slug_from_filename,
    stable_id,
    title_from_filename,
)
from quizapp.banks.validate import Draft, too_many_questions

ALIASES = {
    "prompt": ("question", "front", "term", "prompt", "q", "word"),
    "answer": ("answer", "back", "definition", "a", "meaning"),
    "topic": ("topic", "deck", "category", "chapter"),
    "tags": ("tags", "tag"),
    "explanation": ("explanation", "notes", "note", "extra"),
    "id": ("guid", "id"),
}
_ROLE = {alias: role for role, aliases in ALIASES.items() for alias in aliases}
_TAG_SEPARATORS = re.compile(r"[\s,|]+")


def _name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_:.\-]*( [a-z0-9_:.\-]+)?")


def header_roles(fields: list[str]) -> dict[str, int] | None:
    """Column index by role when ``fields`` is a header row (module docstring), else None."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(fields):
        role = _ROLE.get(_name(cell))
        if role is not None and role not in roles:
            roles[role] = index
    names = [cell.strip() for cell in fields if cell.strip()]
    looks_like_names = len(names) >= 3 and all(_COLUMN_NAME.fullmatch(n) for n in names)
    if not roles and not looks_like_names:
        return None
    free = [i for i in range(len(fields)) if i not in roles.values()]
    for role in ("prompt", "answer"):
        if role not in roles and free:
            roles[role] = free.pop(0)
    return roles if "prompt" in roles and "answer" in roles else None


def _extra_columns(roles: dict[str, int] | None, width: int) -> list[int]:
    if roles is None:
        return list(range(2, width))
    return [i for i in range(width) if i not in roles.values()]


def _converter(html: bool, media: list[int]) -> Callable[[str], str]:
    def text(cell: str) -> str:
        if not html:
            return clean_markdown(plain_to_markdown(cell.strip()))
        converted, removed = html_to_text(cell)
        media[0] += removed
        return clean_markdown(converted)

    return text


def read_flashcards(records: Iterable[Record], roles: dict[str, int] | None, file: str) -> Draft:
    """Turn question/answer rows (after the header, if ``roles`` came from one) into a draft."""
    rows: list[Record] = []
    for record in records:
        if len(rows) > MAX_QUESTIONS:
            break
        rows.append(record)
    media = [0]
    _text = _converter(any(looks_like_html(f) for r in rows for f in r.fields), media)
    bank_slug = slug_from_filename(file)
    default = Topic(bank_slug, title_from_filename(file))
    topics: dict[str, Topic] = {}
    questions: list[Question] = []
    problems: list[Problem] = []
    empty: list[int] = []
    for record in rows:
        fields = record.fields
        if not any(f.strip() for f in fields):
            continue
        if len(questions) >= MAX_QUESTIONS:
            problems.append(too_many_questions(file, record.line))
            break

        def cell(role: str, row: list[str] = fields) -> str:
            index = roles.get(role) if roles is not None else {"prompt": 0, "answer": 1}.get(role)
            return row[index] if index is not None and index < len(row) else ""

        extras = [_text(fields[i]) for i in _extra_columns(roles, len(fields)) if i < len(fields)]
        explanation = "\n\n".join(t for t in [_text(cell("explanation")), *extras] if t)
        name = clean_line(cell("topic"))
        topic = Topic(scoped_slug(bank_slug, name), name) if name else default
        topics.setdefault(topic.slug, topic)
        prompt, answer = _text(cell("prompt")), _text(cell("answer"))
        if not prompt or not answer:
            empty.append(record.line)
            continue
        questions.append(
            Question(
                key=clean_line(cell("id")) or stable_id("csv", f"{prompt}\n{answer}"),
                topic=topic.slug,
                type="flashcard",
                prompt=prompt,
                explanation=explanation,
                difficulty="medium",
                answer=answer or None,
                tags=tuple(dict.fromkeys(t for t in _TAG_SEPARATORS.split(cell("tags")) if t)),
                line=record.line,
            )
        )
    if roles is None and len(empty) > max(2, len(questions) // 4):
        # Without a header, a file most of whose rows have one column is no question/answer
        # file at all (a YAML bank read as CSV, say): refuse it rather than guess.
        message = (
            f"{len(empty)} of {len(empty) + len(questions)} rows have no second column: this does "
            "not look like a question,answer file (is the format right?)"
        )
        return Draft(None, [Problem(file, empty[0], None, message)])
    unique, duplicates = dedupe_keys(questions, file)
    dropped = [removed_media(file, None, None, media[0])] if media[0] else []
    if empty:
        dropped.append(empty_sides(file, empty, "row"))
    missing = sum(1 for q in unique if not q.explanation)
    if missing:
        problems.append(
            Problem(
                file,
                None,
                None,
                f"{missing} of the {len(unique)} cards have no explanation column, so they "
                "import with an empty explanation",
                "warning",
            )
        )
    bank = Bank(
        slug=bank_slug,
        title=title_from_filename(file),
        version=1,
        description="",
        source="",
        topics=tuple(topics.values()),
        questions=tuple(unique),
    )
    return Draft(bank, problems + duplicates, dropped=dropped, require_explanation=False)
