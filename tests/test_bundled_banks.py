"""The bundled question banks: valid, and the counts and mix cannot silently drop."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from quizapp.banks import parse_bank

BANK_DIR = Path(__file__).resolve().parent.parent / "question_bank"
INTERVIEW = "Interview Questions I Faced for a Python Developer"
ARTICLES = {
    "How to Check if an Object Has an Attribute in Python",
    "Many-to-Many Relations with \u2018through\u2019 in Django",
    INTERVIEW,
    "Building Real-World APIs with FastAPI",
    "Python 3.14 Is Here: The Most Exciting Update Yet!",
    "Master Python OS Module: Simple Guide to Powerful System Control",
    "Unlocking Python Dictionaries: A Beginner\u2019s Guide to Adding New Keys",
    "How I made my Django project almost as fast as FastAPI",
    "Exploring FastAPI: The Future of Python Web Frameworks",
    "WebSockets Guide: Real-Time Web Communication Explained",
}
# Choices are shuffled for every presentation, so text must never point at a position.
POSITIONAL = re.compile(
    r"\b(first|second|third|fourth|last)\s+(choice|option|answer)\b|\boption\s+[a-d]\b", re.I
)


def bundled():
    banks = []
    for path in sorted(BANK_DIR.glob("*.yaml")):
        result = parse_bank(path.read_bytes(), path.name)
        assert result.errors == [], [str(p) for p in result.errors]
        banks.append(result.bank)
    return banks


@pytest.fixture(scope="module")
def banks():
    return bundled()


def test_every_article_has_a_bank_and_enough_questions(banks):
    per_article = Counter()
    for bank in banks:
        assert bank.source in ARTICLES, bank.source
        per_article[bank.source] += len(bank.questions)
    assert set(per_article) == ARTICLES
    assert sum(per_article.values()) >= 250
    assert min(per_article.values()) >= 15, per_article
    assert per_article[INTERVIEW] >= 50


def test_the_interview_article_covers_its_topics(banks):
    topics = {t.slug for b in banks if b.source == INTERVIEW for t in b.topics}
    used = Counter(q.topic for b in banks if b.source == INTERVIEW for q in b.questions)
    wanted = {
        "django-signals",
        "django-orm",
        "one-to-many",
        "custom-sql",
        "rest-vs-soap",
        "api-auth",
        "ddl",
        "dml",
        "sql-triggers",
        "js-map",
    }
    assert wanted <= topics
    assert all(used[t] >= 3 for t in wanted), used


def test_types_and_difficulties_are_mixed(banks):
    everything = [q for b in banks for q in b.questions]
    types = Counter(q.type for q in everything)
    assert set(types) == {
        "flashcard",
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "explain",
    }
    assert max(types.values()) <= len(everything) // 2
    for bank in banks:
        mix = Counter(q.type for q in bank.questions)
        assert max(mix.values()) <= len(bank.questions) // 2, (bank.slug, mix)
        assert set(Counter(q.difficulty for q in bank.questions)) == {"easy", "medium", "hard"}


def test_every_question_teaches_and_cites_its_source(banks):
    for bank in banks:
        for q in bank.questions:
            assert len(q.explanation) >= 40, (bank.slug, q.key)
            assert q.source_article == bank.source, (bank.slug, q.key)
            assert q.source_section, (bank.slug, q.key)
            assert not POSITIONAL.search(q.explanation), (bank.slug, q.key)
            if q.type == "multiple_choice" or q.type == "single_choice":
                texts = [c.text.lower() for c in q.choices]
                assert not any("all of the above" in t or "none of the above" in t for t in texts)


# The interview staples around the core article: a bank per area, each checked against the
# official documentation page its questions' source.section names.
STAPLES = {
    "interview-sql-staples": "SQL",
    "interview-django-staples": "Django",
    "interview-http-staples": "REST/HTTP",
    "interview-python-core": "Python core",
    "interview-javascript": "JavaScript",
}
ABSOLUTE = re.compile(r"\b(always|only|never|all|must|none|every)\b", re.I)
# Trivia about the source text, not the technology ("a Post's author" field is fine).
ABOUT_THE_SOURCE = re.compile(
    r"\b(the|this) (article|blog post)\b|\bthe author('s|\s+(says|writes|recommends|suggests|"
    r"mentions|uses|prefers))\b",
    re.I,
)


def test_the_staples_extend_the_interview_article(banks):
    by_slug = {b.slug: b for b in banks}
    assert set(STAPLES) <= set(by_slug)
    total = 0
    for slug in STAPLES:
        bank = by_slug[slug]
        assert bank.source == INTERVIEW
        assert len(bank.questions) >= 20, slug
        used = Counter(q.topic for q in bank.questions)
        assert min(used.values()) >= 4, (slug, used)
        for q in bank.questions:
            assert q.source_section.startswith("Beyond the article"), (slug, q.key)
            assert "https://" in q.source_section, (slug, q.key)
        total += len(bank.questions)
    # Each listed area has far more than the minimum of 8 questions.
    assert {slug: len(by_slug[slug].questions) for slug in STAPLES} == {
        "interview-sql-staples": 45,
        "interview-django-staples": 48,
        "interview-http-staples": 42,
        "interview-python-core": 49,
        "interview-javascript": 30,
    }
    assert total == 214
    assert sum(len(b.questions) for b in banks) == 561


def test_no_question_is_about_the_article_itself(banks):
    for bank in banks:
        for q in bank.questions:
            assert not ABOUT_THE_SOURCE.search(q.prompt), (bank.slug, q.key)


def _longest_is_right(q) -> bool:
    lengths = [len(c.text) for c in q.choices]
    right = next(len(c.text) for c in q.choices if c.correct)
    return right == max(lengths) and lengths.count(right) == 1


def test_choice_questions_cannot_be_gamed(banks):
    """Guessing strategies stay near chance (limits documented in docs/bank-format.md).

    - "Pick the longest choice" wins at most 30% of single-choice questions overall (chance
      is about 1 in 4) and at most half of any one bank's;
    - multiple-choice questions vary how many choices are right: at most half have more than
      half right, at least 10% have exactly one right, none have all right;
    - "tick everything without always/only/never..." wins at most 10% of them.
    """
    singles = [(b.slug, q) for b in banks for q in b.questions if q.type == "single_choice"]
    longest = [slug for slug, q in singles if _longest_is_right(q)]
    assert len(longest) <= 0.30 * len(singles), (len(longest), len(singles))
    for bank in banks:
        own = sum(1 for slug, _ in singles if slug == bank.slug)
        assert Counter(longest)[bank.slug] <= max(1, own // 2), (bank.slug, own)
    multis = [q for b in banks for q in b.questions if q.type == "multiple_choice"]
    right = [sum(c.correct for c in q.choices) for q in multis]
    majority = [q.key for r, q in zip(right, multis, strict=True) if 2 * r > len(q.choices)]
    assert len(majority) <= 0.5 * len(multis), majority
    assert right.count(1) >= 0.10 * len(multis)
    assert all(r < len(q.choices) for r, q in zip(right, multis, strict=True))
    absolutes_game = [
        q.key for q in multis if all(c.correct == (not ABSOLUTE.search(c.text)) for c in q.choices)
    ]
    assert len(absolutes_game) <= 0.10 * len(multis), absolutes_game


def test_topic_slugs_are_unique_across_banks(banks):
    slugs = Counter(t.slug for b in banks for t in b.topics)
    assert [s for s, n in slugs.items() if n > 1] == []


def test_bank_titles_are_plain_text(banks):
    # Titles are shown as plain text (dashboard, topic picker): Markdown marks would show.
    marked = [b.title for b in banks if any(mark in b.title for mark in "`*_[]")]
    assert marked == []


def test_cli_dry_run_validates_every_bundled_bank(runner):
    result = runner.invoke(args=["banks", "import", str(BANK_DIR), "--dry-run"])
    assert result.exit_code == 0, result.output
    files = len(list(BANK_DIR.glob("*.yaml")))
    assert f"{files} of {files} file(s) checked; 0 failed" in result.output
