"""Hypothesis strategies for valid, normalised banks (what a parser could have produced)."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

from quizapp.banks import Bank, Choice, Question, Topic
from quizapp.banks.text import clean_line, clean_markdown

# Everything the validator accepts in text: no controls, surrogates or line separators.
TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
# One-line fields shown beside the app's own text: no format or private-use characters either.
LINE_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Co", "Zl", "Zp"))
ID_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Co", "Zl", "Zp", "Zs"))


def line(max_size: int, chars: st.SearchStrategy[str] = TEXT_CHARS) -> st.SearchStrategy[str]:
    """Non-empty single-line text, already normalised."""
    return st.text(chars, min_size=1, max_size=max_size).map(clean_line).filter(bool)


def label(max_size: int) -> st.SearchStrategy[str]:
    """A one-line field shown beside the app's text: a title, a name, a tag, a source."""
    return line(max_size, LINE_CHARS)


def prose(max_size: int) -> st.SearchStrategy[str]:
    """Possibly multi-line text as a description field holds it (surrounding space stripped)."""
    return st.text(st.one_of(TEXT_CHARS, st.just("\n")), max_size=max_size).map(clean_line)


def markdown(max_size: int = 120) -> st.SearchStrategy[str]:
    """Non-empty Markdown, normalised the way every reader normalises it."""
    pieces = st.one_of(
        st.text(TEXT_CHARS, max_size=20),
        st.sampled_from(["\n", "\n\n", "  ", "|", "\\", "```", "- ", "\t", ": ", "#", '"']),
    )
    text = st.lists(pieces, min_size=1, max_size=max_size // 10).map("".join)
    return text.map(clean_markdown).filter(str.strip)


SLUGS = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
IDS = st.text(ID_CHARS, min_size=1, max_size=30)


def _spaced(text: str) -> str:
    return " ".join(text.split())


@st.composite
def questions(draw: st.DrawFn, key: str, topics: list[str]) -> Question:
    """One valid question of any type."""
    qtype = draw(st.sampled_from(["flashcard", "single_choice", "multiple_choice", "true_false",
                                  "short_answer"]))  # fmt: skip
    choices: tuple[Choice, ...] = ()
    answer: str | bool | None = None
    accepted: tuple[str, ...] = ()
    if qtype in ("single_choice", "multiple_choice"):
        texts = draw(st.lists(line(30), min_size=2, max_size=9, unique_by=_spaced))
        if qtype == "single_choice":
            right = {draw(st.integers(0, len(texts) - 1))}
        else:
            right = set(draw(st.lists(st.integers(0, len(texts) - 1), min_size=1, unique=True)))
        choices = tuple(Choice(t, i in right) for i, t in enumerate(texts))
    elif qtype == "flashcard":
        answer = draw(markdown())
    elif qtype == "true_false":
        answer = draw(st.booleans())
    else:
        accepted = tuple(draw(st.lists(line(40), min_size=1, max_size=5)))
    return Question(
        key=key,
        topic=draw(st.sampled_from(topics)),
        type=qtype,
        prompt=draw(markdown()),
        explanation=draw(markdown()),
        difficulty=draw(st.sampled_from(["easy", "medium", "hard"])),
        choices=choices,
        answer=answer,
        accepted=accepted,
        tags=tuple(draw(st.lists(label(40), max_size=4, unique=True))),
        source_article=draw(label(80)),
        source_section=draw(label(80)),
    )


@st.composite
def banks(draw: st.DrawFn) -> Bank:
    """A valid bank with every topic used."""
    slugs = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    keys = draw(
        st.lists(IDS, min_size=len(slugs), max_size=4,
                 unique_by=lambda k: unicodedata.normalize("NFKC", k))
    )  # fmt: skip
    qs = [draw(questions(key, slugs)) for key in keys]
    # Use every topic once so that no "unused topic" warning appears.
    qs = [
        Question(**{**q.__dict__, "topic": slugs[i]}) if i < len(slugs) else q
        for i, q in enumerate(qs)
    ]
    source = draw(label(80))
    if draw(st.booleans()):
        qs = [Question(**{**q.__dict__, "source_article": source}) for q in qs]
    return Bank(
        slug=draw(SLUGS),
        title=draw(label(80)),
        version=draw(st.integers(1, 10**6)),
        description=draw(prose(200)),
        source=source,
        topics=tuple(Topic(s, draw(label(40)), draw(prose(80))) for s in slugs),
        questions=tuple(qs),
    )
