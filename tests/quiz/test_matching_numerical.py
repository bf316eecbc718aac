"""Matching and numerical questions through the quiz: shown, graded, logged, scheduled."""

from __future__ import annotations

import re

import pytest

from quizapp.models import CardState, Review
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, count, next_item, reviews, start


@pytest.fixture
def session_id(app, auth_client):
    load(app, bank("kinds", [question("m", "matching"), question("n", "numerical")]))
    return start(auth_client)


def _post(client, item_id, data):
    return client.post_form(f"/quiz/items/{item_id}/answer", {"version": "0", **data})


def test_matching_shows_every_item_with_shuffled_options_and_grades_all_right(
    app, auth_client, user_id, session_id
):
    item_id, qtype, _ = next_item(app, session_id)
    assert qtype == "matching"
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert page.count('<select name="match"') == 3  # the distractor has no left-hand item
    assert page.count('<option value="3">on every request</option>') == 3
    response, _, _ = answer(auth_client, app, session_id, right=True, elapsed_ms=5000)
    assert response.status_code == 302
    (review,) = reviews(app, user_id)
    assert (review.correct, review.grade) == (True, 5)
    assert review.response == {"matches": [0, 1, 2], "right": 3}
    feedback = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert feedback.count('class="match correct"') == 3


@pytest.mark.parametrize(
    ("picks", "grade"),
    [(["0", "1", "3"], 2), (["1", "0", "2"], 1), (["3", "3", "3"], 1)],
)
def test_matching_partly_right_is_wrong_but_almost_when_half_right(
    app, auth_client, user_id, session_id, picks, grade
):
    item_id, _, _ = next_item(app, session_id)
    assert _post(auth_client, item_id, {"match": picks}).status_code == 302
    (review,) = reviews(app, user_id)
    assert (review.correct, review.grade) == (False, grade)
    feedback = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert 'class="match wrong"' in feedback and "your pick" in feedback


@pytest.mark.parametrize(
    "picks", [["0", "1"], ["0", "", "2"], ["0", "1", "9"], ["0", "1", "x"], []]
)
def test_incomplete_or_tampered_matches_are_refused_and_write_nothing(
    app, auth_client, session_id, picks
):
    item_id, _, _ = next_item(app, session_id)
    assert _post(auth_client, item_id, {"match": picks}).status_code == 422
    assert count(app, Review) == 0 and count(app, CardState) == 0


@pytest.mark.parametrize(
    ("typed", "correct"),
    [("3.14", True), ("3,13", True), (" 3.15 ", True), ("3.151", False), ("-3.14", False)],
)
def test_numerical_answers_are_right_inside_the_range(
    app, auth_client, user_id, session_id, typed, correct
):
    _post(auth_client, next_item(app, session_id)[0], {"match": ["0", "1", "2"]})
    item_id, qtype, _ = next_item(app, session_id)
    assert qtype == "numerical"
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert re.search(r'<input type="text" name="text" id="number" inputmode="decimal"', page)
    assert _post(auth_client, item_id, {"text": typed}).status_code == 302
    last = reviews(app, user_id)[-1]
    assert (last.correct, last.response) == (correct, {"number": typed.strip()})
    feedback = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert "Expected: <strong><bdi>3.13 to 3.15</bdi></strong>" in feedback


@pytest.mark.parametrize("typed", ["", "three", "1/2", "1e", "nan", "inf"])
def test_numerical_answers_that_are_not_numbers_are_refused(app, auth_client, session_id, typed):
    _post(auth_client, next_item(app, session_id)[0], {"match": ["0", "1", "2"]})
    item_id, _, _ = next_item(app, session_id)
    before = count(app, Review)
    assert _post(auth_client, item_id, {"text": typed}).status_code == 422
    assert count(app, Review) == before
