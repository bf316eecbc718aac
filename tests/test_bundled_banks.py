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


def test_topic_slugs_are_unique_across_banks(banks):
    slugs = Counter(t.slug for b in banks for t in b.topics)
    assert [s for s, n in slugs.items() if n > 1] == []


def test_cli_dry_run_validates_every_bundled_bank(runner):
    result = runner.invoke(args=["banks", "import", str(BANK_DIR), "--dry-run"])
    assert result.exit_code == 0, result.output
    files = len(list(BANK_DIR.glob("*.yaml")))
    assert f"{files} of {files} file(s) checked; 0 failed" in result.output
