"""The format-independent rules every bank must pass, whichever format it was written in.

Each reader turns its file into a Draft (a Bank plus the reader's own problems); this module
then applies the same checks to all of them, so a rule lives in one place.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from quizapp.banks import limits
from quizapp.banks.model import (
    CHOICE_TYPES,
    DIFFICULTIES,
    QUESTION_TYPES,
    Bank,
    Problem,
    Question,
)
from quizapp.banks.text import (
    bad_id_char,
    bad_line_char,
    bad_text_char,
    describe_char,
    is_slug,
    shown,
)

_SLUG_HINT = "use lowercase letters and digits joined by single hyphens, e.g. 'sql-joins'"


@dataclass
class Draft:
    """What a reader hands to the validator: the bank it built and the problems it found."""

    bank: Bank | None
    problems: list[Problem] = field(default_factory=list)
    # Warnings about content of the file that is not imported (skipped GIFT questions, removed
    # media, ignored Anki fields): errors in strict mode.
    dropped: list[Problem] = field(default_factory=list)
    # Anki notes and GIFT questions often have no explanation; native and CSV banks must.
    require_explanation: bool = True
    # False when the reader already reported the bank-level fields (native schema errors).
    check_bank_fields: bool = True
    # False when some questions of the file are missing from the draft because the reader
    # rejected them; bank-wide counts ("no questions", "unused topic") would then mislead.
    complete: bool = True
    # False when the topics themselves could not be read: every reference would look undeclared.
    check_topic_references: bool = True
    # Lines of bank-level fields: "slug", "title", ..., and "topics[<index>]" per topic.
    field_lines: dict[str, int] = field(default_factory=dict)


def too_many_questions(file: str, line: int | None) -> Problem:
    """The error for a bank past MAX_QUESTIONS (file-wide, so the problem cap never hides it)."""
    where = f" (stopped reading at line {line})" if line is not None else ""
    return Problem(
        file,
        None,
        None,
        f"the bank has more than {limits.MAX_QUESTIONS:,} questions{where}; "
        "split it into several banks",
    )


def _text_problems(
    label: str, value: str, limit: int, *, required: bool, one_line: bool = False
) -> list[str]:
    if not value.strip():
        return [f"{label} is empty"] if required else []
    out = []
    if len(value) > limit:
        out.append(f"{label} is too long ({len(value)} characters; the limit is {limit})")
    char = (bad_line_char if one_line else bad_text_char)(value)
    if char is not None:
        where = "a one-line field" if one_line else "text"
        out.append(f"{label} contains {describe_char(char)}, which is not allowed in {where}")
    return out


def _bank_problems(
    bank: Bank,
    file: str,
    lines: dict[str, int],
    *,
    complete: bool,
    empty_bank_message: str = "the bank has no questions",
) -> list[Problem]:
    def problem(key: str, message: str) -> Problem:
        return Problem(file, lines.get(key), None, message)

    out: list[Problem] = []
    if not is_slug(bank.slug):
        out.append(problem("slug", f"bank slug {shown(bank.slug)} is not valid ({_SLUG_HINT})"))
    out += [
        problem("title", m)
        for m in _text_problems("title", bank.title, limits.MAX_TITLE, required=True, one_line=True)
    ]
    if bank.version < 1:
        out.append(problem("version", f"version must be at least 1, not {bank.version}"))
    out += [
        problem("description", m)
        for m in _text_problems(
            "description", bank.description, limits.MAX_DESCRIPTION, required=False
        )
    ]
    out += [
        problem("source", m)
        for m in _text_problems(
            "source", bank.source, limits.MAX_SOURCE, required=False, one_line=True
        )
    ]
    seen: set[str] = set()
    for index, topic in enumerate(bank.topics):
        key = f"topics[{index}]"
        if not is_slug(topic.slug):
            out.append(problem(key, f"topic slug {shown(topic.slug)} is not valid ({_SLUG_HINT})"))
        if topic.slug in seen:
            out.append(problem(key, f"topic {shown(topic.slug)} is declared twice"))
        seen.add(topic.slug)
        where = f"topic {shown(topic.slug)}"
        name_problems = _text_problems(
            "name", topic.name, limits.MAX_TOPIC_NAME, required=True, one_line=True
        )
        name_problems += _text_problems(
            "description", topic.description, limits.MAX_DESCRIPTION, required=False
        )
        out += [problem(key, f"{where}: {m}") for m in name_problems]
    if not complete:
        return out
    if not bank.questions:
        out.append(Problem(file, None, None, empty_bank_message))
    elif not bank.topics:
        out.append(problem("topics", "the bank declares no topics"))
    if len(bank.questions) > limits.MAX_QUESTIONS:
        out.append(too_many_questions(file, None))
    used = {q.topic for q in bank.questions}
    for index, topic in enumerate(bank.topics):
        if topic.slug not in used and bank.questions:
            out.append(
                Problem(
                    file,
                    lines.get(f"topics[{index}]"),
                    None,
                    f"topic {shown(topic.slug)} has no questions",
                    "warning",
                )
            )
    return out


def _id_problems(key: str) -> list[str]:
    if not key:
        return ["id is empty"]
    out = []
    if len(key) > limits.MAX_ID:
        out.append(f"id is too long ({len(key)} characters; the limit is {limits.MAX_ID})")
    char = bad_id_char(key)
    if char is not None:
        out.append(f"id contains {describe_char(char)}; ids must be visible characters only")
    return out


def _choice_problems(q: Question) -> list[str]:
    count = len(q.choices)
    if count < limits.MIN_CHOICES:
        return [f"needs at least {limits.MIN_CHOICES} choices (has {count})"]
    if count > limits.MAX_CHOICES:
        # Checking each of thousands of choices would only bury this message.
        return [f"has {count} choices; the limit is {limits.MAX_CHOICES}"]
    out = []
    first_seen: dict[str, int] = {}
    for number, choice in enumerate(q.choices, start=1):
        out += _text_problems(f"choice {number}", choice.text, limits.MAX_CHOICE, required=True)
        # Texts that differ only in spacing look identical to the learner.
        normal = " ".join(choice.text.split())
        if normal and normal in first_seen:
            out.append(
                f"duplicate choice text {shown(choice.text)} "
                f"(choices {first_seen[normal]} and {number})"
            )
        first_seen.setdefault(normal, number)
    correct = [n for n, c in enumerate(q.choices, start=1) if c.correct]
    if not correct:
        out.append("no correct choice (mark at least one choice as correct)")
    elif q.type == "single_choice" and len(correct) > 1:
        numbers = ", ".join(str(n) for n in correct)
        out.append(
            f"single_choice has {len(correct)} correct choices ({numbers}); "
            "mark exactly one, or make it multiple_choice"
        )
    return out


def _answer_problems(q: Question) -> list[str]:
    """Rules that depend on the question type: what it must have and must not have."""
    out: list[str] = []
    if q.type in CHOICE_TYPES:
        out += _choice_problems(q)
    elif q.choices:
        out.append(f"{q.type} questions take no choices")
    if q.type in ("flashcard", "explain"):
        if not isinstance(q.answer, str) or not q.answer.strip():
            out.append(
                "missing answer (a flashcard needs the text of its back)"
                if q.type == "flashcard"
                else "missing answer (an explain question needs its model answer)"
            )
        else:
            out += _text_problems("answer", q.answer, limits.MAX_MARKDOWN, required=True)
    elif q.type == "true_false":
        if q.answer is None:
            out.append("missing answer (true_false questions need true or false)")
        elif not isinstance(q.answer, bool):
            out.append(f"answer must be true or false, not {shown(q.answer)}")
    elif q.answer is not None:
        hint = {
            "matching": "list the pairs",
            "numerical": "list the accepted numbers",
            "short_answer": "list accepted answers",
        }.get(q.type, "mark the correct choices")
        out.append(f"{q.type} questions take no single answer; {hint} instead")
    if q.type == "short_answer":
        if not q.accepted:
            out.append("missing accepted answers (short_answer questions need at least one)")
        if len(q.accepted) > limits.MAX_ACCEPTED:
            return [
                *out,
                f"has {len(q.accepted)} accepted answers; the limit is {limits.MAX_ACCEPTED}",
            ]
        for number, answer in enumerate(q.accepted, start=1):
            out += _text_problems(
                f"accepted answer {number}", answer, limits.MAX_ACCEPTED_LENGTH, required=True
            )
    elif q.accepted:
        out.append(f"{q.type} questions take no accepted answers")
    # The fields only one type has: that type's rules, or "takes no ..." for any other.
    for owner, values, noun, rules in (
        ("matching", q.pairs, "pairs", _pair_problems),
        ("numerical", q.numbers, "numbers", _number_problems),
        ("explain", q.key_points, "key points", _key_point_problems),
    ):
        if q.type == owner:
            out += rules(q)
        elif values:
            out.append(f"{q.type} questions take no {noun}")
    return out


def _key_point_problems(q: Question) -> list[str]:
    count = len(q.key_points)
    if not limits.MIN_KEY_POINTS <= count <= limits.MAX_KEY_POINTS:
        return [
            f"has {count} key points; an explain question needs "
            f"{limits.MIN_KEY_POINTS} to {limits.MAX_KEY_POINTS}"
        ]
    out = []
    for number, point in enumerate(q.key_points, start=1):
        out += _text_problems(
            f"key point {number}", point, limits.MAX_KEY_POINT_LENGTH, required=True, one_line=True
        )
        if point.strip() and len(point.strip()) < limits.MIN_KEY_POINT_LENGTH:
            out.append(
                f"key point {number} is too short ({shown(point)}); "
                f"write at least {limits.MIN_KEY_POINT_LENGTH} characters"
            )
    repeated = [
        t for t, n in Counter(" ".join(p.split()).casefold() for p in q.key_points).items() if n > 1
    ]
    if repeated:
        out.append(f"the key point {shown(repeated[0])} is listed twice")
    return out


def _pair_problems(q: Question) -> list[str]:
    matched = [p for p in q.pairs if p.left]
    if len(matched) < limits.MIN_PAIRS:
        return [
            f"needs at least {limits.MIN_PAIRS} pairs with a left-hand item (has {len(matched)})"
        ]
    if len(q.pairs) > limits.MAX_PAIRS:
        return [f"has {len(q.pairs)} pairs; the limit is {limits.MAX_PAIRS}"]
    out = []
    for number, pair in enumerate(q.pairs, start=1):
        out += _text_problems(f"pair {number} left", pair.left, limits.MAX_CHOICE, required=False)
        out += _text_problems(f"pair {number} right", pair.right, limits.MAX_CHOICE, required=True)
    for side, texts in (("left", [p.left for p in matched]), ("right", [p.right for p in q.pairs])):
        repeated = [t for t, n in Counter(" ".join(t.split()) for t in texts).items() if n > 1]
        if repeated:
            out.append(f"the {side}-hand item {shown(repeated[0])} appears in two pairs")
    return out


def _number_problems(q: Question) -> list[str]:
    if not q.numbers:
        return ["missing numbers (numerical questions need at least one accepted number)"]
    if len(q.numbers) > limits.MAX_NUMBERS:
        return [f"has {len(q.numbers)} numbers; the limit is {limits.MAX_NUMBERS}"]
    return [
        f"number {n}: the range {r.low}..{r.high} is empty (min above max)"
        for n, r in enumerate(q.numbers, start=1)
        if r.low > r.high or not (r.low.is_finite() and r.high.is_finite())
    ]


def _question_messages(
    q: Question, topics: set[str] | None, require_explanation: bool
) -> list[tuple[str, str]]:
    """Return (severity, message) pairs for one question."""
    out = [("error", m) for m in _id_problems(q.key)]
    if not q.topic:
        out.append(("error", "topic is empty"))
    elif topics is not None and q.topic not in topics:
        declared = ", ".join(sorted(topics)[:8]) or "none"
        out.append(
            ("error", f"topic {shown(q.topic)} is not declared in the bank (declared: {declared})")
        )
    if q.type not in QUESTION_TYPES:
        out.append(
            ("error", f"unknown type {shown(q.type)} (use one of: {', '.join(QUESTION_TYPES)})")
        )
    if not q.difficulty:
        out.append(("error", "difficulty is empty (use easy, medium or hard)"))
    elif q.difficulty not in DIFFICULTIES:
        out.append(
            ("error", f"unknown difficulty {shown(q.difficulty)} (use easy, medium or hard)")
        )
    texts = _text_problems("prompt", q.prompt, limits.MAX_MARKDOWN, required=True)
    texts += _text_problems(
        "explanation", q.explanation, limits.MAX_MARKDOWN, required=require_explanation
    )
    texts += _text_problems(
        "source article", q.source_article, limits.MAX_SOURCE, required=False, one_line=True
    )
    texts += _text_problems(
        "source section", q.source_section, limits.MAX_SOURCE, required=False, one_line=True
    )
    out += [("error", m) for m in texts]
    if q.type in QUESTION_TYPES:
        out += [("error", m) for m in _answer_problems(q)]
    if len(q.tags) > limits.MAX_TAGS:
        out.append(("error", f"has {len(q.tags)} tags; the limit is {limits.MAX_TAGS}"))
        return out
    for tag in q.tags:
        out += [
            ("error", m)
            for m in _text_problems("tag", tag, limits.MAX_TAG_LENGTH, required=True, one_line=True)
        ]
    repeated = [tag for tag, count in Counter(q.tags).items() if count > 1]
    if repeated:
        out.append(("warning", f"tag {shown(repeated[0])} is listed more than once"))
    return out


def _duplicate_ids(questions: Iterable[Question], file: str) -> list[Problem]:
    out: list[Problem] = []
    first: dict[str, Question] = {}
    for q in questions:
        if not q.key:
            continue
        # NFKC folds look-alikes such as full-width digits, which would read as the same id.
        normal = unicodedata.normalize("NFKC", q.key)
        earlier = first.setdefault(normal, q)
        if earlier is q:
            continue
        where = f"line {earlier.line}" if earlier.line is not None else "an earlier question"
        if earlier.key == q.key:
            message = f"duplicate id (first used on {where})"
        else:
            message = (
                f"duplicate id: it is the same as {shown(earlier.key)} ({where}) "
                "once Unicode is normalised"
            )
        out.append(Problem(file, q.line, q.key, message))
    return out


def validate(draft: Draft, file: str) -> list[Problem]:
    """Apply the common rules to a draft and return the problems found (draft.bank is set)."""
    bank = draft.bank
    if bank is None:
        return []
    out = (
        _bank_problems(
            bank,
            file,
            draft.field_lines,
            complete=draft.complete,
            empty_bank_message=(
                "nothing to import: every question in the file was skipped (the warnings say why)"
                if draft.dropped
                else "the bank has no questions"
            ),
        )
        if draft.check_bank_fields
        else []
    )
    topics = {t.slug for t in bank.topics} if draft.check_topic_references else None
    for q in bank.questions:
        for severity, message in _question_messages(q, topics, draft.require_explanation):
            out.append(
                Problem(
                    file,
                    q.line,
                    q.key or None,
                    message,
                    "warning" if severity == "warning" else "error",
                )
            )
    out += _duplicate_ids(bank.questions, file)
    return out
