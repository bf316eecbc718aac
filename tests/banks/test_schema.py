"""The JSON Schema: one source of truth, valid itself, and in step with the limits."""

from __future__ import annotations

import json

import yaml
from jsonschema import Draft202012Validator

from quizapp.banks import limits
from quizapp.banks.schema import bank_schema, schema_text
from tests.banks.helpers import DOCS, EXAMPLE


def test_docs_copy_is_identical_to_the_one_the_validator_loads() -> None:
    # quizapp/banks/bank.schema.json is canonical; after editing it, copy it to docs/.
    assert (DOCS / "bank.schema.json").read_text(encoding="utf-8") == schema_text()


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(bank_schema())


def test_example_validates_against_the_schema_directly() -> None:
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(bank_schema()).iter_errors(example)) == []


def test_limits_match_the_schema() -> None:
    schema = bank_schema()
    defs = schema["$defs"]
    props = schema["properties"]
    question = defs["question"]["properties"]
    assert defs["slug"]["maxLength"] == limits.MAX_SLUG
    assert props["title"]["maxLength"] == limits.MAX_TITLE
    assert props["description"]["maxLength"] == limits.MAX_DESCRIPTION
    assert props["source"]["maxLength"] == limits.MAX_SOURCE
    assert props["topics"]["items"]["properties"]["name"]["maxLength"] == limits.MAX_TOPIC_NAME
    assert props["topics"]["items"]["properties"]["description"]["maxLength"] == (
        limits.MAX_DESCRIPTION
    )
    assert defs["markdown"]["maxLength"] == limits.MAX_MARKDOWN
    assert defs["choice"]["properties"]["text"]["maxLength"] == limits.MAX_CHOICE
    assert question["choices"]["minItems"] == limits.MIN_CHOICES
    assert question["choices"]["maxItems"] == limits.MAX_CHOICES
    assert question["answers"]["maxItems"] == limits.MAX_ACCEPTED
    assert question["answers"]["items"]["maxLength"] == limits.MAX_ACCEPTED_LENGTH
    assert question["tags"]["maxItems"] == limits.MAX_TAGS
    assert question["tags"]["items"]["maxLength"] == limits.MAX_TAG_LENGTH
    assert question["source"]["properties"]["article"]["maxLength"] == limits.MAX_SOURCE
    assert question["id"]["pattern"] == f"^[^\\s]{{1,{limits.MAX_ID}}}$"


def test_schema_enums_match_the_model() -> None:
    from quizapp.banks import DIFFICULTIES, QUESTION_TYPES

    question = bank_schema()["$defs"]["question"]["properties"]
    assert tuple(question["type"]["enum"]) == QUESTION_TYPES
    assert tuple(question["difficulty"]["enum"]) == DIFFICULTIES


def test_schema_is_plain_json() -> None:
    assert json.loads(schema_text()) == bank_schema()
