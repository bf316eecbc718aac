"""Read Anki "Notes in Plain Text" exports (Anki 2.1.55+ headers; older files are sniffed).

Each note becomes a flashcard: the first field is the front, the second the back, and any
further fields (a reading, an example, a source...) the explanation, one paragraph each.
A cloze note becomes one card per cloze number, as Anki makes them: card ``c2`` hides only
the ``{{c2::...}}`` gaps (showing the ``::hint`` when there is one) and shows the other gaps'
text; its id is the note's id with ``-c2``. A note's id is its GUID column when the export
has one; otherwise a hash of its fields, so two notes with the same front but different backs
get different ids, and true duplicates get ``-2``, ``-3``... with a warning. ``[sound:...]``
references are removed with a warning; image-occlusion notes (nothing to show without their
images) are skipped with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizapp.banks.delimited import Record, read_records
from quizapp.banks.errors import SourceError
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
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_SOUND = re.compile(r"\[sound:[^\]]*\]")
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
    skipped: list[Problem] = field(default_factory=list)
    unused_fields: set[int] = field(default_factory=set)
    empty: list[int] = field(default_factory=list)  # lines of notes with an empty side
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


MAX_FIELDS = 20


@dataclass(frozen=True)
class FieldMap:
    """Which of a note's fields (1-based, guid/notetype/deck/tags columns not counted) is the
    prompt, the answer and the explanation; ``None`` explanation means every other field."""

    prompt: int = 1
    answer: int = 2
    explanation: tuple[int, ...] | None = None

    @classmethod
    def parse(cls, spec: str) -> FieldMap:
        """Read ``PROMPT,ANSWER[,EXPLANATION...]`` such as ``1,3,2``; raise ValueError."""
        parts = [p.strip() for p in spec.split(",")]
        numbers = [small_number(p) for p in parts]
        chosen = [n for n in numbers if n is not None and 1 <= n <= MAX_FIELDS]
        if len(parts) < 2 or len(chosen) != len(parts):
            raise ValueError(
                f"fields must be field numbers from 1 to {MAX_FIELDS}: the prompt's, the "
                "answer's, then any explanation fields, e.g. 1,3,2"
            )
        if len(set(chosen)) != len(chosen):
            raise ValueError("fields: each field can be used once")
        return cls(chosen[0], chosen[1], tuple(chosen[2:]))

    def explanation_fields(self, count: int) -> list[int]:
        """The 1-based fields that form the explanation of a note with ``count`` fields."""
        if self.explanation is not None:
            return list(self.explanation)
        return [n for n in range(1, count + 1) if n not in (self.prompt, self.answer)]


@dataclass
class _Notes:
    """Per-file facts reported once rather than per note."""

    media: int = 0
    sounds: int = 0
    sound_line: int | None = None
    questions: list[Question] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    unused_fields: set[int] = field(default_factory=set)
    empty: list[int] = field(default_factory=list)  # lines of notes with an empty side


def _convert(raw: str, html: bool, notes: _Notes, line: int) -> str:
    raw, sounds = _SOUND.subn("", raw)
    if sounds:
        notes.sounds += sounds
        notes.sound_line = notes.sound_line or line
    if not html:
        return clean_markdown(plain_to_markdown(raw))
    text, media = html_to_text(raw)
    notes.media += media
    return clean_markdown(text)


def _topic(deck: str, notes: _Notes, bank_slug: str) -> str:
    deck = deck.strip() or DEFAULT_DECK
    # Subdecks are flattened: "Python::Basics" in python.txt is the topic "python-python-basics";
    # the bank's slug in front keeps one file's "Default" deck from clashing with another's.
    slug = scoped_slug(bank_slug, deck)
    name = " / ".join(part.strip() for part in deck.split("::") if part.strip()) or DEFAULT_DECK
    notes.topics.setdefault(slug, Topic(slug, name))
    return slug


def _cloze_cards(front: str) -> list[tuple[int, str, str]]:
    """(number, front with only that number's gaps hidden, the text with them in bold)."""
    numbers = sorted({int(m.group(1)) for m in _CLOZE.finditer(front)})
    cards = []
    for number in numbers:

        def hide(m: re.Match[str], n: int = number) -> str:
            return f"[{m.group(3) or '...'}]" if int(m.group(1)) == n else m.group(2)

        def show(m: re.Match[str], n: int = number) -> str:
            return f"**{m.group(2)}**" if int(m.group(1)) == n else m.group(2)

        cards.append((number, _CLOZE.sub(hide, front), _CLOZE.sub(show, front)))
    return cards


def _note(
    record: Record, header: _Header, html: bool, notes: _Notes, file: str, fields_map: FieldMap
) -> None:
    fields = record.fields
    special = set(header.columns.values())

    def column(name: str) -> str:
        index = header.columns.get(name)
        return fields[index] if index is not None and index < len(fields) else ""

    notetype = column("notetype") or header.notetype
    # Image occlusion notes are cloze notes whose gaps are regions of an image.
    if "image occlusion" in notetype.lower() or "{{c1::image-occlusion:" in "".join(fields):
        notes.skipped.append(
            Problem(
                file,
                record.line,
                clean_line(column("guid")) or None,
                "skipped an image-occlusion note: its cards are regions of an image, and "
                "images are not imported",
                "warning",
            )
        )
        return
    regular = [f for i, f in enumerate(fields) if i not in special]
    media_before = notes.media
    converted = [_convert(f, html, notes, record.line) for f in regular]

    def numbered(number: int) -> str:
        return converted[number - 1] if number <= len(converted) else ""

    front, back = numbered(fields_map.prompt), numbered(fields_map.answer)
    if not front.strip() or not back.strip():
        # Anki skips a note with an empty first field; an empty back makes no card to learn.
        notes.empty.append(record.line)
        return
    # By default every other field (a reading, an example...) forms the explanation.
    wanted = fields_map.explanation_fields(len(converted))
    explanation = "\n\n".join(t for t in (numbered(n) for n in wanted) if t)
    chosen = {fields_map.prompt, fields_map.answer, *wanted}
    notes.unused_fields.update(
        n for n in range(1, len(converted) + 1) if n not in chosen and numbered(n)
    )
    guid = clean_line(column("guid"))
    base = guid or stable_id("anki", "\n".join(converted))
    topic = _topic(column("deck") or header.deck, notes, slug_from_filename(file))
    if notes.media > media_before:
        notes.skipped.append(removed_media(file, record.line, base, notes.media - media_before))
    tags = tuple(dict.fromkeys(header.tags + column("tags").split()))
    cards = _cloze_cards(front) if ("cloze" in notetype.lower() or _CLOZE.search(front)) else []
    if not cards:
        cards = [(0, front, "")]
    for number, prompt, revealed in cards:
        notes.questions.append(
            Question(
                key=f"{base}-c{number}" if number else base,
                topic=topic,
                type="flashcard",
                prompt=prompt,
                explanation=explanation,
                difficulty="medium",
                answer=(f"{revealed}\n\n{back}".strip() if number else back) or None,
                tags=tags,
                line=record.line,
            )
        )


def _no_explanations(notes: _Notes, file: str) -> list[Problem]:
    missing = sum(1 for q in notes.questions if not q.explanation)
    if not missing:
        return []
    message = (
        f"{missing} of the {len(notes.questions)} flashcards have no explanation (no field "
        "after the back), so they import with an empty one"
    )
    return [Problem(file, None, None, message, "warning")]


def _dropped(notes: _Notes, file: str) -> list[Problem]:
    """One warning per kind of content that is left out."""
    out = list(notes.skipped)
    if notes.empty:
        out.append(empty_sides(file, notes.empty, "note"))
    if notes.unused_fields:
        listed = ", ".join(str(n) for n in sorted(notes.unused_fields))
        out.append(
            Problem(
                file,
                None,
                None,
                f"field(s) {listed} of the notes are not imported (not chosen as the prompt, "
                "answer or explanation)",
                "warning",
            )
        )
    if notes.sounds:
        out.append(
            Problem(
                file,
                notes.sound_line,
                None,
                f"{notes.sounds} [sound:...] reference(s) removed (media files are not imported)",
                "warning",
            )
        )
    return out


_ANKI_HEADER = re.compile(
    r"#(separator|html|notetype|deck|tags|columns|(guid|notetype|deck|tags) column):"
)


def is_anki_import(text: str) -> bool:
    """True when a file starts with Anki's import headers (``#separator:``, ``#html:``...):
    a .csv written for Anki is read as an Anki export."""
    return _ANKI_HEADER.match(text.lstrip("\ufeff")) is not None


def first_note_fields(text: str) -> list[str]:
    """The fields of the first note (guid/notetype/deck/tags columns left out), as written."""
    header, pos, line = _read_header(text, "")
    separator = header.separator or _sniff_separator(text, pos)
    special = set(header.columns.values())
    try:
        for record in read_records(
            text, separator, start=pos, first_line=line, comments=True, lenient=True
        ):
            if any(f.strip() for f in record.fields):
                return [f for i, f in enumerate(record.fields) if i not in special]
    except SourceError:
        return []
    return []


def read_anki(text: str, file: str, fields: FieldMap | None = None) -> Draft:
    """Parse an Anki plain-text export into a draft of flashcards, one per note."""
    fields_map = fields or FieldMap()
    header, pos, line = _read_header(text, file)
    separator = header.separator or _sniff_separator(text, pos)
    notes = _Notes(problems=list(header.problems))
    complete = True
    records: list[Record] = []
    try:
        for record in read_records(
            text, separator, start=pos, first_line=line, comments=True, lenient=True
        ):
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
        _note(record, header, html, notes, file, fields_map)
    questions, duplicates = dedupe_keys(notes.questions, file)
    bank = Bank(
        slug=slug_from_filename(file),
        title=title_from_filename(file),
        version=1,
        description="",
        source="",
        topics=tuple(notes.topics.values()),
        questions=tuple(questions),
    )
    return Draft(
        bank,
        notes.problems + duplicates + _no_explanations(notes, file),
        dropped=header.ignored + _dropped(notes, file),
        require_explanation=False,
        complete=complete and len(notes.problems) == len(header.problems),
    )
