"""Explain questions through the quiz: the answer box, the key points, the grade table."""

from __future__ import annotations

import pytest

from quizapp.models import CardState, Review
from tests.factories import bank, load, question
from tests.quiz.helpers import count, next_item, reviews, start


@pytest.fixture
def session_id(app, auth_client):
    load(app, bank("explain", [question("e", "explain", difficulty="medium")]))
    return start(auth_client)


def _post(client, item_id, data):
    return client.post_form(f"/quiz/items/{item_id}/answer", {"version": "0", **data})


def test_question_page_has_answer_box_hidden_model_answer_and_numbered_points(
    auth_client, session_id
):
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert "<textarea" in page and 'name="notes"' in page
    # The model answer and the points are inside the closed reveal, each point with its key.
    assert '<details class="reveal">' in page
    assert page.index("<details") < page.index("Signals <strong>decouple</strong>")
    for number in range(1, 5):
        assert f'name="points" value="{number - 1}" data-key="{number}"' in page
    assert 'data-key="h"' in page and 'data-key="enter"' in page


@pytest.mark.parametrize(
    ("points", "hesitant", "grade", "correct"),
    [
        (["0", "1", "2", "3"], None, 5, True),
        (["0", "1", "2", "3"], "y", 4, True),
        (["0", "2"], None, 4, True),
        (["3", "1"], "y", 3, True),
        (["2"], None, 2, False),
        ([], None, 1, False),
    ],
)
def test_grade_follows_the_documented_table(
    app, auth_client, user_id, session_id, points, hesitant, grade, correct
):
    item_id, qtype, question_id = next_item(app, session_id)
    assert qtype == "explain"
    data = {"points": points, "notes": "Signals let apps react to save()."}
    if hesitant:
        data["hesitant"] = hesitant
    assert _post(auth_client, item_id, data).status_code == 302
    (review,) = reviews(app, user_id)
    assert (review.grade, review.correct, review.mode) == (grade, correct, "new")
    assert review.response == {
        "points": sorted(int(p) for p in points),
        "hesitant": bool(hesitant),
        "text": "Signals let apps react to save().",
    }
    assert count(app, CardState, CardState.question_id == question_id) == 1
    feedback = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert feedback.count('class="choice correct"') == len(points)
    assert feedback.count('class="choice wrong"') == 4 - len(points)
    assert "Signals let apps react to save()." in feedback
    assert "Signals <strong>decouple</strong>" in feedback


@pytest.mark.parametrize(
    "data",
    [
        {"points": ["4"]},
        {"points": ["x"]},
        {"points": ["0"], "notes": "x" * 4001},
    ],
)
def test_tampered_points_or_long_text_are_refused_and_write_nothing(
    app, auth_client, session_id, data
):
    item_id, _, _ = next_item(app, session_id)
    response = _post(auth_client, item_id, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert count(app, Review) == 0
    assert count(app, CardState) == 0


def test_typed_words_are_escaped_on_feedback(app, auth_client, session_id):
    item_id, _, _ = next_item(app, session_id)
    _post(auth_client, item_id, {"points": ["0"], "notes": "<script>alert(1)</script>"})
    feedback = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in feedback
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in feedback


def test_question_history_describes_the_points_covered(app, auth_client, session_id):
    item_id, _, question_id = next_item(app, session_id)
    _post(auth_client, item_id, {"points": ["0", "2"], "hesitant": "y", "notes": "*my* words"})
    page = auth_client.get(f"/progress/questions/{question_id}").get_data(as_text=True)
    # The user's words are shown as typed: their asterisks are not Markdown emphasis.
    assert "2 of 4 key points, hesitant: *my* words" in page
    assert "<em>my</em>" not in page
