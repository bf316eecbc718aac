"""Read Moodle GIFT files: choice, true/false and short-answer questions.

Answers follow Moodle's own import (qformat_gift):

- A choice question with an ``=`` answer is single-answer, and only its ``=`` answer (or one
  weighted ``%100%``) is right; ``~%50%`` partial credit never makes an answer right. With no
  ``=`` answer it is multiple-answer, and the answers with positive weights are right when the
  weights add up to 100 (``~%50%a ~%50%b ~%-100%c``); otherwise the question cannot be graded
  right-or-wrong faithfully and is skipped with a warning, as is a single-answer question
  with several ``=`` answers (any one of which Moodle accepts).
- Short answers accept the ``=`` answers without a weight or weighted ``%100%``; partial-credit
  answers (``=%50%1823``) are not accepted and are listed in a warning.
- Empty answers (``~=right`` is an empty ``~`` answer followed by ``=right``) are dropped, as
  Moodle drops them.
- Ids come from the ``::title::``: an ASCII title gives its slug (``::Q 1::`` is ``q-1``), any
  other keeps its letters (``::Вопрос 1::`` is ``вопрос-1``). Untitled questions get
  ``gift-`` and a hash of the question text *and* its answers, so re-importing an edited file
  keeps every id whose question did not change. Two questions with the same id keep it on the
  first and get ``-2``, ``-3``... on the others, with a warning.

Matching, numerical, essay and description questions have no counterpart here; they are
skipped with a warning naming each one (errors in strict mode), never dropped silently.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from quizapp.banks.html_text import html_to_plain, html_to_text, plain_to_markdown, removed_media
from quizapp.banks.ids import dedupe_keys
from quizapp.banks.limits import MAX_ID, MAX_QUESTIONS
from quizapp.banks.model import Bank, Choice, NumberRange, Pair, Problem, Question, Topic
from quizapp.banks.text import (
    clean_line,
    clean_markdown,
    scoped_slug,
    shown,
    slug_from_filename,
    slugify,
    stable_id,
    title_from_filename,
)
from quizapp.banks.validate import Draft, too_many_questions
from quizapp.scheduling.grading import parse_number

_FORMATS = ("html", "moodle", "markdown", "plain")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
# Beyond any real question (the limits are 9 choices and 20 accepted answers); stops a
# hostile file from making us convert millions of answers before validation says no.
_MAX_ANSWERS = 100
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
# Escaped special characters are swapped for placeholders while the question is taken apart.
# Each placeholder is two characters, like the escape it replaces, so offsets (and so line
# numbers) stay valid; NUL never occurs in decoded input, so they cannot clash with text.
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_PLACEHOLDERS = {
    "\\": "\0b",
    ":": "\0c",
    "#": "\0h",
    "=": "\0e",
    "{": "\0o",
    "}": "\0x",
    "~": "\0t",
    "n": "\0n",
}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _PLACEHOLDERS.items()}
_PLACEHOLDER = re.compile("\0[bcheoxtn]")


class _Skip(Exception):
    """The question is valid GIFT but cannot be imported faithfully (the message says why)."""


class _GiftError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class _Block:
    """The lines of one question (blank lines separate questions; comments removed)."""

    text: str
    starts: list[int]  # offset in text where each line starts
    numbers: list[int]  # the file line number of each line

    def line_at(self, offset: int) -> int:
        return self.numbers[max(0, bisect.bisect_right(self.starts, offset) - 1)]


def _blocks(text: str) -> Iterator[_Block]:
    lines: list[tuple[int, str]] = []
    for number, physical in enumerate([*text.split("\n"), ""], start=1):
        if physical.strip():
            if not physical.strip().startswith("//"):
                lines.append((number, physical))
            continue
        if lines:
            starts, offset = [], 0
            for _, content in lines:
                starts.append(offset)
                offset += len(content) + 1
            yield _Block("\n".join(c for _, c in lines), starts, [n for n, _ in lines])
            lines = []


def _restore(text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: _RESTORE[m.group()], text)


@dataclass
class _File:
    """State across the questions of one file."""

    name: str
    bank_slug: str
    topic: Topic
    topics: dict[str, Topic] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    no_explanation: list[int] = field(default_factory=list)
    media: int = 0
    rejected: bool = False


def _plain(raw: str) -> str:
    """An accepted answer: compared as typed, so it is only unescaped, never reformatted."""
    return clean_line(_restore(raw))


def _text(raw: str, fmt: str, state: _File, *, own_format: bool = True) -> str:
    """Turn a piece of question text into Markdown according to its format.

    Answers and feedback may start with their own ``[format]``; the question text's format
    has already been taken off by the caller (own_format=False).
    """
    raw = raw.strip()
    if own_format and raw.startswith("["):
        close = raw.find("]")
        if close != -1 and raw[1:close] in _FORMATS:
            fmt, raw = raw[1:close], raw[close + 1 :]
    text = _restore(raw)
    if fmt == "markdown":
        return clean_markdown(text)
    if fmt == "plain":
        return clean_markdown(plain_to_markdown(text))
    # Moodle's own format is text with HTML allowed in which line breaks are kept.
    text, media = html_to_text(text if fmt == "html" else text.replace("\n", "<br>"))
    state.media += media
    return clean_markdown(text)


@dataclass
class _Answer:
    text: str
    feedback: str
    weight: float | None  # None when the answer has no %weight%
    marker: str


def _answers(body: str, markers: str, offset: int) -> list[_Answer]:
    """Split an answer block on unescaped markers (= and ~, or = only)."""
    pieces = re.split(f"([{re.escape(markers)}])", body)
    if len(pieces) // 2 > _MAX_ANSWERS:
        raise _GiftError(f"more than {_MAX_ANSWERS} answers in one question", offset)
    if pieces[0].strip():
        raise _GiftError(
            f"answer {shown(pieces[0].strip())} has no '=' or '~' in front of it", offset
        )
    answers = []
    for marker, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        weight = None
        content = piece.strip()
        match = _WEIGHT.match(content)
        if match:
            weight, content = float(match.group(1)), content[match.end() :]
        text, _, feedback = content.partition("#")
        answers.append(_Answer(text, feedback, weight, marker))
    return answers


def _kind(body: str) -> str:
    """Classify an answer block the way Moodle does, in the same order."""
    if not body:
        return "essay"
    if body.startswith("#"):
        return "numerical"
    if "~" in body:
        return "choice"
    if "=" in body and "->" in body:
        return "matching"
    if body.split("#", 1)[0].strip() in _TRUE_FALSE:
        return "true_false"
    return "short_answer"


_SKIPPED = {
    "essay": "empty answer braces",
    "description": "no answer braces",
}


@dataclass
class _Parsed:
    qtype: str
    choices: tuple[Choice, ...] = ()
    answer: bool | None = None
    accepted: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    numbers: tuple[NumberRange, ...] = ()
    feedback: list[str] = field(default_factory=list)  # feedback of the right answers
    left_out: str = ""  # content that could not be imported, for a warning


def _full_credit(answer: _Answer) -> bool:
    return answer.weight is None or answer.weight == 100


def _right_choices(options: list[_Answer]) -> list[bool]:
    """Which choices are right, by Moodle's rules (module docstring); raises _Skip."""
    if any(a.marker == "=" for a in options):
        right = [a.marker == "=" and _full_credit(a) for a in options]
        if sum(right) > 1:
            raise _Skip(
                "several answers are marked '=' (Moodle accepts any one of them); quizapp "
                "needs exactly one right answer here"
            )
        return right
    weights = [a.weight or 0 for a in options]
    total = sum(w for w in weights if w > 0)
    if total and abs(total - 100) > 0.01:
        raise _Skip(
            f"partial-credit weights add up to {total:g}%, not 100%; quizapp grades answers "
            "right or wrong and cannot import this question faithfully"
        )
    return [w > 0 for w in weights]


def _option_text(raw: str) -> str:
    """A matching option, shown as plain text in a list: formats and tags dropped."""
    raw = raw.strip()
    if raw.startswith("["):
        close = raw.find("]")
        if close != -1 and raw[1:close] in _FORMATS:
            raw = raw[close + 1 :]
    return clean_line(html_to_plain(_restore(raw)))


def _matching(body: str, fmt: str, state: _File, offset: int) -> _Parsed:
    pairs = []
    for answer in _answers(body, "=", offset):
        left, arrow, right = answer.text.partition("->")
        if not arrow:
            raise _GiftError(f"matching answer {shown(answer.text.strip())} has no '->'", offset)
        # "= -> Chat" has no left-hand item: a distractor among the options.
        pairs.append(Pair(clean_line(_text(left, fmt, state)), _option_text(right)))
    lefts = [" ".join(p.left.split()) for p in pairs if p.left]
    repeated = next((text for text in lefts if lefts.count(text) > 1), None)
    if repeated is not None:
        raise _Skip(f"the item {shown(repeated)} is matched twice, to different answers")
    return _Parsed("matching", pairs=tuple(pairs))


def _number_range(spec: str, offset: int) -> NumberRange:
    """``3.14``, ``3.14:0.01`` (value and tolerance) or ``1..5`` (a range)."""

    def number(text: str) -> Decimal:
        value = parse_number(text)
        if value is None:
            raise _GiftError(f"{shown(text.strip())} is not a number", offset)
        return value

    text = _restore(spec).strip()
    if ".." in text:
        low, _, high = text.partition("..")
        return NumberRange(number(low), number(high))
    value, _, tolerance = text.partition(":")
    margin = abs(number(tolerance)) if tolerance.strip() else Decimal(0)
    return NumberRange(number(value) - margin, number(value) + margin)


def _numerical(body: str, fmt: str, state: _File, offset: int) -> _Parsed:
    spec = body[1:].strip()
    if "=" not in spec:
        # {#3:2} or {#3:2#feedback}; a "~#..." part is feedback for wrong answers.
        value, _, feedback = spec.split("~", 1)[0].partition("#")
        return _Parsed(
            "numerical",
            numbers=(_number_range(value, offset),),
            feedback=[_text(feedback, fmt, state)],
        )
    answers = [a for a in _answers(spec, "=~", offset) if a.text.strip()]
    right = [a for a in answers if a.marker == "=" and _full_credit(a)]
    partial = [a for a in answers if a not in right and a.weight and a.weight > 0]
    listed = ", ".join(shown(_plain(a.text)) for a in partial)
    return _Parsed(
        "numerical",
        numbers=tuple(_number_range(a.text, offset) for a in right),
        feedback=[_text(a.feedback, fmt, state) for a in right],
        left_out=f"partial-credit answers are not accepted: {listed}" if partial else "",
    )


def _parse_answers(kind: str, body: str, fmt: str, state: _File, offset: int) -> _Parsed:
    if kind == "matching":
        return _matching(body, fmt, state, offset)
    if kind == "numerical":
        return _numerical(body, fmt, state, offset)
    if kind == "true_false":
        value, _, feedback = body.partition("#")
        # {T#shown when wrong#shown when right}: the second is the right answer's feedback.
        _wrong, _, if_right = feedback.partition("#")
        return _Parsed(
            "true_false", answer=_TRUE_FALSE[value.strip()], feedback=[_text(if_right, fmt, state)]
        )
    if kind == "short_answer":
        # As in Moodle, text before the first "=" is an accepted answer too ({anything}).
        marked = body if body.lstrip().startswith("=") else "=" + body
        answers = [a for a in _answers(marked, "=", offset) if a.text.strip()]
        right = [a for a in answers if _full_credit(a)]
        partial = [a for a in answers if not _full_credit(a) and a.weight and a.weight > 0]
        listed = ", ".join(shown(_plain(a.text)) for a in partial)
        return _Parsed(
            "short_answer",
            accepted=tuple(_plain(a.text) for a in right),
            feedback=[_text(a.feedback, fmt, state) for a in right],
            left_out=f"partial-credit answers are not accepted: {listed}" if partial else "",
        )
    # Moodle drops answers with no text ("~=right" is an empty "~" answer, then "=right").
    options = [a for a in _answers(body, "=~", offset) if a.text.strip()]
    correct = _right_choices(options)
    choices = _distinct_choices(
        tuple(
            Choice(clean_line(_text(a.text, fmt, state)), ok)
            for a, ok in zip(options, correct, strict=True)
        )
    )
    return _Parsed(
        "single_choice"
        if any(a.marker == "=" for a in options) or sum(correct) == 1
        else "multiple_choice",
        choices=choices,
        feedback=[
            _text(a.feedback, fmt, state) for a, ok in zip(options, correct, strict=True) if ok
        ],
    )


def _distinct_choices(choices: tuple[Choice, ...]) -> tuple[Choice, ...]:
    """Choices that read the same count once; raises _Skip when one is right and one wrong."""
    seen: dict[str, Choice] = {}
    for choice in choices:
        text = " ".join(choice.text.split())
        earlier = seen.setdefault(text, choice)
        if earlier.correct != choice.correct:
            raise _Skip(f"two choices read the same ({shown(text)}) but one is right and one wrong")
    return tuple(seen.values())


def _answer_fingerprint(parsed: _Parsed) -> str:
    """The answers as text, so two questions with the same stem get different ids."""
    if parsed.choices:
        return "\n".join(f"{'=' if c.correct else '~'}{c.text}" for c in parsed.choices)
    if parsed.pairs:
        return "\n".join(f"={p.left} -> {p.right}" for p in parsed.pairs)
    if parsed.numbers:
        return "\n".join(f"={n.low}..{n.high}" for n in parsed.numbers)
    if parsed.accepted:
        return "\n".join(f"={a}" for a in parsed.accepted)
    return f"{parsed.answer}"


def title_id(title: str) -> str:
    """An id from a ::title:: (see the module docstring); "" when nothing is left."""
    if title.isascii():
        return slugify(title)
    words = re.sub(r"[^\w-]+", " ", unicodedata.normalize("NFKC", title).casefold()).split()
    return "-".join(words)[:MAX_ID].strip("-")


def _question(block: _Block, start: int, state: _File) -> None:
    """Parse one question from block.text[start:] and add it (or a problem) to state."""
    media_before = state.media
    work = _ESCAPE.sub(lambda m: _PLACEHOLDERS[m.group(1)], block.text)
    line = block.line_at(start)
    pos = start + len(work[start:]) - len(work[start:].lstrip())
    title = ""
    if work.startswith("::", pos):
        end = work.find("::", pos + 2)
        if end == -1:
            raise _GiftError("the '::' that starts the title is never closed", pos)
        title = clean_line(_restore(work[pos + 2 : end]))
        pos = end + 2
    rest = work[pos:].lstrip()
    pos = len(work) - len(rest)
    fmt = "moodle"
    if rest.startswith("["):
        close = rest.find("]")
        if close != -1 and rest[1:close] in _FORMATS:
            fmt, pos = rest[1:close], pos + close + 1
    key = title_id(title) or (stable_id("gift", title) if title else "")
    opening, closing = work.find("{", pos), work.find("}", pos)
    if opening == -1 and closing == -1:
        _skip(state, "description", line, key)
        return
    if opening == -1 or (closing != -1 and closing < opening):
        raise _GiftError("'}' without a '{' before it", closing)
    if closing == -1:
        raise _GiftError("'{' is never closed (is the file cut short?)", opening)
    if "{" in work[closing:] or "}" in work[closing + 1 :]:
        raise _GiftError("a question can have only one answer block {...}", closing + 1)
    body = work[opening + 1 : closing].strip()
    general = ""
    if "####" in body:
        body, _, general = body.rpartition("####")
        body = body.strip()
    kind = _kind(body)
    if kind in _SKIPPED:
        _skip(state, kind, line, key)
        return
    try:
        parsed = _parse_answers(kind, body, fmt, state, opening)
    except _Skip as exc:
        state.skipped.append(Problem(state.name, line, key or None, f"skipped: {exc}", "warning"))
        return
    before, after = work[pos:opening], work[closing + 1 :]
    # Moodle's missing-word form: text after the braces means the answer goes in a blank.
    prompt = _text(
        before + ("_____" + after if after.strip() else ""), fmt, state, own_format=False
    )
    right_feedback = "\n\n".join(dict.fromkeys(f for f in parsed.feedback if f))
    explanation = _text(general, fmt, state) or right_feedback
    if not key:
        key = stable_id("gift", f"{prompt}\n{_answer_fingerprint(parsed)}")
    if state.media > media_before:
        state.skipped.append(removed_media(state.name, line, key, state.media - media_before))
    if parsed.left_out:
        state.skipped.append(Problem(state.name, line, key, parsed.left_out, "warning"))
    if not explanation:
        state.no_explanation.append(line)
    state.topics.setdefault(state.topic.slug, state.topic)
    state.questions.append(
        Question(
            key=key,
            topic=state.topic.slug,
            type=parsed.qtype,
            prompt=prompt,
            explanation=explanation,
            difficulty="medium",
            choices=parsed.choices,
            answer=parsed.answer,
            accepted=parsed.accepted,
            pairs=parsed.pairs,
            numbers=parsed.numbers,
            line=line,
        )
    )


def _skip(state: _File, kind: str, line: int, key: str) -> None:
    state.skipped.append(
        Problem(
            state.name,
            line,
            key or None,
            f"skipped {'an' if kind[0] in 'aeiou' else 'a'} {kind} question ({_SKIPPED[kind]}): "
            "quizapp has no such question type",
            "warning",
        )
    )


def _default_topic(file: str) -> Topic:
    """The topic of questions before any $CATEGORY: the bank itself."""
    return Topic(slug_from_filename(file), title_from_filename(file))


def _category(line: str, state: _File) -> Topic:
    path = line[len("$CATEGORY:") :].strip()
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if not parts:
        return _default_topic(state.name)
    # Only the last level names the topic: "$course$/top/SQL/Joins" is "Joins", with a slug
    # owned by this bank ("<bank>-joins").
    name = parts[-1]
    return Topic(scoped_slug(state.bank_slug, name), name)


def _no_explanations(state: _File) -> list[Problem]:
    if not state.no_explanation:
        return []
    count, first = len(state.no_explanation), state.no_explanation[0]
    message = (
        f"{count} question(s) have no general feedback (####) or feedback on the right answer, "
        "so they import with an empty explanation"
    )
    return [Problem(state.name, first, None, message, "warning")]


# An answer block as GIFT writes it: "{=", "{~", "{#", "{T}", "{FALSE", "{}" (essay)...
_ANSWER_BLOCK = re.compile(r"\{\s*(?:[=~#]|T\s*[}#]|F\s*[}#]|TRUE\b|FALSE\b|\})")


def looks_like_gift(text: str) -> bool:
    """True for a .txt that is GIFT rather than an Anki export: Moodle saves GIFT as .txt.

    Every note of an Anki export has a tab between its fields; GIFT uses tabs only to indent,
    if at all. So a file with a GIFT answer block where most lines have no tab inside is GIFT.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith(("//", "#"))]
    tabbed = sum("\t" in line for line in lines)
    return tabbed * 2 < len(lines) and _ANSWER_BLOCK.search(text) is not None


def read_gift(text: str, file: str) -> Draft:
    """Parse a GIFT file into a draft; blank lines separate questions."""
    state = _File(file, slug_from_filename(file), _default_topic(file))
    for number, block in enumerate(_blocks(text)):
        if number >= MAX_QUESTIONS:
            state.problems.append(too_many_questions(file, block.numbers[0]))
            state.rejected = True
            break
        start = 0
        if block.text.lstrip().startswith("$CATEGORY:"):
            # Moodle wants the category in a block of its own; a question right below it in
            # the same block is read too rather than folded into the category name.
            end = block.text.find("\n")
            category = block.text[: len(block.text) if end == -1 else end].strip()
            state.topic = _category(category, state)
            if end == -1:
                continue
            start = end + 1
        try:
            _question(block, start, state)
        except _GiftError as exc:
            state.rejected = True
            state.problems.append(
                Problem(
                    file, block.line_at(max(exc.offset, 0)), None, f"malformed GIFT: {exc.message}"
                )
            )
    questions, duplicates = dedupe_keys(state.questions, file)
    bank = Bank(
        slug=slug_from_filename(file),
        title=title_from_filename(file),
        version=1,
        description="",
        source="",
        topics=tuple(state.topics.values()),
        questions=tuple(questions),
    )
    return Draft(
        bank,
        state.problems + duplicates + _no_explanations(state),
        dropped=state.skipped,
        require_explanation=False,
        complete=not state.rejected,
    )
