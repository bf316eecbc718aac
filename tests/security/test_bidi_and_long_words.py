"""Bank text cannot flip or widen the app's own text: bidi controls refused, text isolated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp.banks import parse_bank
from quizapp.banks.model import Topic
from tests.factories import bank, load, question

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
YAML = """slug: bidi
title: {title}
version: 1
source: {source}
topics:
  - slug: t
    name: {name}
questions:
  - id: q1
    topic: t
    type: true_false
    difficulty: easy
    prompt: Is this a prompt?
    answer: true
    explanation: It is a prompt, and that is all.
    tags: [{tag}]
    source: {{article: {source}, section: {section}}}
"""
CLEAN = {"title": "Bidi", "source": "Article", "name": "Topic", "tag": "tag", "section": "S"}


@pytest.mark.parametrize("field", ["title", "source", "name", "tag", "section"])
@pytest.mark.parametrize("char", [RLO, "\u2066", "\u200b", "\ue000"])
def test_one_line_bank_fields_refuse_invisible_and_direction_characters(field, char):
    text = YAML.format(**{**CLEAN, field: f"x{char}y (19)"})
    result = parse_bank(text.encode(), "bidi.yaml")
    assert not result.ok
    assert any(f"U+{ord(char):04X}" in p.message for p in result.errors), result.errors
    assert parse_bank(YAML.format(**CLEAN).encode(), "bidi.yaml").ok


def test_right_to_left_names_are_allowed_and_isolated_on_every_page(app, auth_client):
    # Arabic is a legitimate topic name; it must not reorder the counts printed after it.
    name = "\u0627\u0644\u0628\u064a\u0627\u0646\u0627\u062a"
    load(
        app,
        bank("rtl", [question("q1", topic="rtl-topic")], topics=(Topic("rtl-topic", name),)),
    )
    page = auth_client.get("/").get_data(as_text=True)
    assert f"<bdi>{name}</bdi>" in page
    assert name not in re.sub(r"<bdi>[^<]*</bdi>", "", page)


def test_long_words_wrap_and_directions_are_isolated_in_the_stylesheet():
    css = (Path(__file__).resolve().parents[2] / "quizapp/static/css/app.css").read_text()
    rule = re.search(r"\.prose, bdi \{([^}]*)\}", css)
    assert rule, "no rule for bank text"
    assert "overflow-wrap: anywhere" in rule.group(1)
    assert "unicode-bidi: isolate" in rule.group(1)
