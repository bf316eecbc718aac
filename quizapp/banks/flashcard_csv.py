"""Plain question/answer CSV files, the shape most flashcard tools and spreadsheets export.

A file is read this way when its header is not quizapp's own layout (no ``id``/``type``
columns) but names a prompt and an answer column, or when it has no header at all and two or
more columns. Recognised column names (any case, spaces or hyphens as underscores):

- prompt: ``question``, ``front``, ``term``, ``prompt``, ``q``, ``word``
- answer: ``answer``, ``back``, ``definition``, ``a``, ``meaning``
- optional: ``topic`` (also ``deck``, ``category``, ``chapter``), ``tags`` (space, comma or
  ``|`` separated), ``explanation`` (also ``notes``, ``note``, ``extra``)

Without a header the first column is the prompt, the second the answer, and any further
columns the explanation. Every row becomes a flashcard; ids are ``csv-`` plus a hash of the
prompt and answer (duplicates get ``-2``...), topics are owned by the bank (a topic column's
``Chapter 1`` in ``deck.csv`` is ``deck-chapter-1``; without one, a topic named after the bank).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quizapp.banks.delimited import Record
from quizapp.banks.html_text import plain_to_markdown
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
}
_ROLE = {alias: role for role, aliases in ALIASES.items() for alias in aliases}
_TAG_SEPARATORS = re.compile(r"[\s,|]+")


def _name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def header_roles(fields: list[str]) -> dict[str, int] | None:
    """Column index by role when ``fields`` is a question/answer header, else None."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(fields):
        role = _ROLE.get(_name(cell))
        if role is not None and role not in roles:
            roles[role] = index
    return roles if "prompt" in roles and "answer" in roles else None


def _text(cell: str) -> str:
    return clean_markdown(plain_to_markdown(cell.strip()))


def read_flashcards(records: Iterable[Record], roles: dict[str, int] | None, file: str) -> Draft:
    """Turn question/answer rows (after the header, if ``roles`` came from one) into a draft."""
    bank_slug = slug_from_filename(file)
    default = Topic(bank_slug, title_from_filename(file))
    topics: dict[str, Topic] = {}
    questions: list[Question] = []
    problems: list[Problem] = []
    for record in records:
        fields = record.fields
        if not any(f.strip() for f in fields):
            continue
        if len(questions) >= MAX_QUESTIONS:
            problems.append(too_many_questions(file, record.line))
            break

        def cell(role: str, row: list[str] = fields) -> str:
            index = roles.get(role) if roles is not None else {"prompt": 0, "answer": 1}.get(role)
            return row[index] if index is not None and index < len(row) else ""

        if roles is None:
            explanation = "\n\n".join(t for t in (_text(f) for f in fields[2:]) if t)
        else:
            explanation = _text(cell("explanation"))
        name = clean_line(cell("topic"))
        topic = Topic(scoped_slug(bank_slug, name), name) if name else default
        topics.setdefault(topic.slug, topic)
        prompt, answer = _text(cell("prompt")), _text(cell("answer"))
        questions.append(
            Question(
                key=stable_id("csv", f"{prompt}\n{answer}"),
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
    unique, duplicates = dedupe_keys(questions, file)
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
    return Draft(bank, problems + duplicates, require_explanation=False)
