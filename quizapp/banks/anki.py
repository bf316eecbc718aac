"""Read Anki "Notes in Plain Text" exports (Anki 2.1.55+ headers; older files are sniffed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizapp.banks.delimited import Record, read_records
from quizapp.banks.errors import SourceError
from quizapp.banks.html_text import html_to_text, looks_like_html
from quizapp.banks.limits import MAX_QUESTIONS
from quizapp.banks.model import Bank, Problem, Question, Topic
from quizapp.banks.text import (
    clean_line,
    clean_markdown,
    escape_html_like,
    scoped_slug,
    shown,
    slug_from_filename,
    small_number,
    stable_id,
    title_from_filename,
)
from quizapp.banks.validate import Draft, too_many_questions

SEPARATORS = {"tab": "\t", "semicolon": ";", "comma": ",", "space": " ", "pipe": "|", "colon": ":"}
# Sniffed in this order when the file has no #separator header.
_SNIFF_ORDER = ("\t", ";", ",", "|")
_COLUMN_HEADERS = ("guid", "notetype", "deck", "tags")
_IGNORED_HEADERS = ("columns",)
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
DEFAULT_DECK = "Default"


@dataclass
class _Header:
    separator: str | None = None
    html: bool | None = None
    columns: dict[str, int] = field(default_factory=dict)  # 0-based
    deck: str = ""
    notetype: str = ""
    tags: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[Problem] = field(default_factory=list)


def _header_value(header: _Header, key: str, value: str, line: int, file: str) -> None:
    def fail(message: str) -> None:
        header.problems.append(Problem(file, line, None, message))

    if key == "separator":
        named = SEPARATORS.get(value.strip().lower())
        literal = value if value in SEPARATORS.values() else None
        if named is None and literal is None:
            fail(
                f"unknown separator {shown(value)} (use tab, semicolon, comma, space, pipe or "
                "colon)"
            )
        else:
            header.separator = named or literal
    elif key == "html":
        if value.strip().lower() not in ("true", "false"):
            fail(f"'#html:' must be true or false, not {shown(value.strip())}")
        else:
            header.html = value.strip().lower() == "true"
    elif key.endswith(" column") and key[: -len(" column")] in _COLUMN_HEADERS:
        number = small_number(value.strip())
        if number is None or number < 1:
            fail(f"'#{key}:' must be a column number from 1, not {shown(value.strip())}")
        else:
            header.columns[key[: -len(" column")]] = number - 1
    elif key == "tags":
        header.tags += value.split()
    elif key == "deck":
        header.deck = value.strip()
    elif key == "notetype":
        header.notetype = value.strip()
    elif key not in _IGNORED_HEADERS:
        header.ignored.append(
            Problem(file, line, None, f"unknown Anki header '#{key}:' is ignored", "warning")
        )


def _read_header(text: str, file: str) -> tuple[_Header, int, int]:
    """Read the header lines at the top; return them and where the notes start."""
    header = _Header()
    pos, line = 0, 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        physical = text[pos:end]
        if line == 1 and physical.startswith("tags:"):
            header.tags += physical[len("tags:") :].split()
        elif physical.startswith("#"):
            key, colon, value = physical[1:].partition(":")
            if colon:  # "#" lines without a colon are comments
                _header_value(header, key.strip().lower(), value, line, file)
        else:
            break
        pos, line = end + 1, line + 1
    return header, pos, line


def _sniff_separator(text: str, pos: int) -> str:
    end = text.find("\n", pos)
    first = text[pos : len(text) if end == -1 else end]
    return next((sep for sep in _SNIFF_ORDER if sep in first), "\t")


@dataclass
class _Notes:
    """Per-file facts reported once rather than per note."""

    media: int = 0
    media_line: int | None = None
    extra_fields_line: int | None = None
    questions: list[Question] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)
    fronts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _convert(raw: str, html: bool, notes: _Notes, line: int) -> str:
    if not html:
        return clean_markdown(escape_html_like(raw))
    text, media = html_to_text(raw)
    if media:
        notes.media += media
        notes.media_line = notes.media_line or line
    return clean_markdown(text)


def _topic(deck: str, notes: _Notes, bank_slug: str) -> str:
    deck = deck.strip() or DEFAULT_DECK
    # Subdecks are flattened: "Python::Basics" in python.txt is the topic "python-python-basics";
    # the bank's slug in front keeps one file's "Default" deck from clashing with another's.
    slug = scoped_slug(bank_slug, deck)
    name = " / ".join(part.strip() for part in deck.split("::") if part.strip()) or DEFAULT_DECK
    notes.topics.setdefault(slug, Topic(slug, name))
    return slug


def _note(record: Record, header: _Header, html: bool, notes: _Notes, file: str) -> None:
    fields = record.fields
    special = set(header.columns.values())

    def column(name: str) -> str:
        index = header.columns.get(name)
        return fields[index] if index is not None and index < len(fields) else ""

    regular = [f for i, f in enumerate(fields) if i not in special]
    if any(f.strip() for f in regular[2:]):
        notes.extra_fields_line = notes.extra_fields_line or record.line
    front = _convert(regular[0] if regular else "", html, notes, record.line)
    back = _convert(regular[1] if len(regular) > 1 else "", html, notes, record.line)
    notetype = column("notetype") or header.notetype
    if "cloze" in notetype.lower() or _CLOZE.search(front):
        revealed = _CLOZE.sub(lambda m: f"**{m.group(1)}**", front)
        front = _CLOZE.sub(lambda m: f"[{m.group(2) or '...'}]", front)
        back = f"{revealed}\n\n{back}".strip()
    guid = clean_line(column("guid"))
    if not guid and front:  # an empty front is reported as such by the validator
        # Without a guid the id comes from the front, so two notes with the same front clash.
        earlier = notes.fronts.setdefault(" ".join(front.split()), record.line)
        if earlier != record.line:
            notes.problems.append(
                Problem(
                    file,
                    record.line,
                    None,
                    f"this note has the same front as the note on line {earlier}; export with "
                    "the GUID column, or make the fronts differ",
                )
            )
            return
    tags = dict.fromkeys(header.tags + column("tags").split())
    notes.questions.append(
        Question(
            key=guid or stable_id("anki", front),
            topic=_topic(column("deck") or header.deck, notes, slug_from_filename(file)),
            type="flashcard",
            prompt=front,
            explanation="",
            difficulty="medium",
            answer=back or None,
            tags=tuple(tags),
            line=record.line,
        )
    )


def _no_explanations(notes: _Notes, file: str) -> list[Problem]:
    if not notes.questions:
        return []
    message = (
        f"Anki notes carry no explanation; {len(notes.questions)} flashcards import with an "
        "empty explanation"
    )
    return [Problem(file, None, None, message, "warning")]


def _dropped(notes: _Notes, file: str) -> list[Problem]:
    """One warning per kind of content that is left out."""
    out = []
    if notes.media:
        out.append(
            Problem(
                file,
                notes.media_line,
                None,
                f"{notes.media} image or media reference(s) removed (media files are not imported)",
                "warning",
            )
        )
    if notes.extra_fields_line is not None:
        out.append(
            Problem(
                file,
                notes.extra_fields_line,
                None,
                "notes have more than two fields; only the first two (front and back) are imported",
                "warning",
            )
        )
    return out


def read_anki(text: str, file: str) -> Draft:
    """Parse an Anki plain-text export into a draft of flashcards, one per note."""
    header, pos, line = _read_header(text, file)
    separator = header.separator or _sniff_separator(text, pos)
    notes = _Notes(problems=list(header.problems))
    complete = True
    records: list[Record] = []
    try:
        for record in read_records(text, separator, start=pos, first_line=line, comments=True):
            if not any(f.strip() for f in record.fields):
                continue
            if len(records) >= MAX_QUESTIONS:
                notes.problems.append(too_many_questions(file, record.line))
                complete = False
                break
            records.append(record)
    except SourceError as exc:
        notes.problems.append(
            Problem(file, exc.line, None, f"malformed Anki export: {exc.message}")
        )
        complete = False
    html = header.html
    if html is None:
        html = any(looks_like_html(f) for r in records for f in r.fields)
    for record in records:
        _note(record, header, html, notes, file)
    bank = Bank(
        slug=slug_from_filename(file),
        title=title_from_filename(file),
        version=1,
        description="",
        source="",
        topics=tuple(notes.topics.values()),
        questions=tuple(notes.questions),
    )
    return Draft(
        bank,
        notes.problems + _no_explanations(notes, file),
        dropped=header.ignored + _dropped(notes, file),
        require_explanation=False,
        complete=complete and len(notes.problems) == len(header.problems),
    )
