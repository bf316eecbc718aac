"""The answer form parses picks, refuses bad ones beside the input, and never redirects a 4xx."""

from __future__ import annotations

import pytest

from quizapp.models import CardState, Review, StudySessionItem
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, count, next_item, reviews, start

# Every answer field, empty: what a browser never sends but a hand-made form may.
EMPTY_FIELDS = {"text": "", "truth": "", "grade": "", "choice": ""}


def only(app, client, type_: str) -> tuple[int, int]:
    """A session of one question of this type: (session id, item id)."""
    load(app, bank("one", [question("q", type_)]))
    session_id = start(client)
    item_id, _, _ = next_item(app, session_id)
    return session_id, item_id


def post(client, item_id: int, data: dict):
    return client.post_form(f"/quiz/items/{item_id}/answer", {"version": "0", **data})


def nothing_written(app) -> bool:
    return (
        count(app, Review) == 0
        and count(app, CardState) == 0
        and count(app, StudySessionItem, StudySessionItem.answered_at.is_not(None)) == 0
    )


def test_an_empty_pick_is_no_pick_never_choice_zero(app, auth_client):
    # Choice 0 is the right one: an empty value read as 0 would be graded correct.
    _, item_id = only(app, auth_client, "single_choice")
    response = post(auth_client, item_id, {"choice": ""})
    assert response.status_code == 422 and "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert 'id="choice-error"' in page and "Pick an answer first." in page
    assert nothing_written(app)


@pytest.mark.parametrize(
    ("type_", "picks", "message"),
    [
        ("single_choice", ["3"], "not one of this question"),
        ("single_choice", ["0", "1"], "Pick exactly one answer."),
        ("multiple_choice", ["0", "99"], "not one of this question"),
        ("multiple_choice", ["", ""], "Pick at least one answer"),
        ("multiple_choice", ["1", "x"], "not one of this question"),
    ],
)
def test_out_of_range_or_missing_picks_are_refused_beside_the_choices(
    app, auth_client, type_, picks, message
):
    _, item_id = only(app, auth_client, type_)
    response = post(auth_client, item_id, {"choice": picks})
    assert response.status_code == 422 and "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    # The question is shown again, ready to answer.
    assert f'action="/quiz/items/{item_id}/answer"' in page
    assert nothing_written(app)


def test_empty_picks_beside_a_real_one_are_ignored(app, auth_client, user_id):
    _, item_id = only(app, auth_client, "multiple_choice")
    response = post(auth_client, item_id, {"choice": ["", "1", "", "0"]})
    assert response.status_code == 302
    [review] = reviews(app, user_id)
    assert review.correct is True and review.response == {"selected": [0, 1]}


@pytest.mark.parametrize(
    ("type_", "field", "value"),
    [
        ("flashcard", "grade", "4"),
        ("single_choice", "choice", "0"),
        ("true_false", "truth", "true"),
        ("short_answer", "text", "post_save"),
    ],
)
def test_empty_fields_of_other_types_do_not_fail_a_valid_answer(
    app, auth_client, user_id, type_, field, value
):
    _, item_id = only(app, auth_client, type_)
    response = post(auth_client, item_id, {**EMPTY_FIELDS, field: value})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [review] = reviews(app, user_id)
    assert review.correct is True


@pytest.mark.parametrize(
    ("type_", "data", "message", "marker"),
    [
        ("short_answer", {"text": "   "}, "Type an answer first.", 'id="text-error"'),
        ("multiple_choice", {}, "Pick at least one answer", 'id="choice-error"'),
        ("true_false", {"truth": "maybe"}, "Choose true or false.", "Choose true or false."),
        (
            "flashcard",
            {"grade": "6"},
            "Choose a grade from 0 to 5.",
            '<details class="reveal" open',
        ),
    ],
)
def test_a_refused_answer_rerenders_the_question_with_the_message_at_422(
    app, auth_client, type_, data, message, marker
):
    _, item_id = only(app, auth_client, type_)
    response = post(auth_client, item_id, data)
    assert response.status_code == 422 and "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert message in page and marker in page
    assert "Redirecting" not in page
    assert nothing_written(app)


def test_inputs_say_what_is_required(app, auth_client):
    session_id, _ = only(app, auth_client, "short_answer")
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert 'name="text"' in page and " required" in page


def test_a_stale_version_is_a_409_page_with_the_current_question(app, auth_client):
    session_id, item_id = only(app, auth_client, "single_choice")
    response = post(auth_client, item_id, {"choice": "0", "version": "7"})
    assert response.status_code == 409 and "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert "changed in another tab" in page
    # The form carries the version the card really has, so answering again works.
    assert 'name="version" type="hidden" value="0"' in page
    assert nothing_written(app)


def test_answering_twice_shows_the_recorded_answer_at_409(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    first, item_id, _ = answer(auth_client, app, session_id)
    assert first.status_code == 302
    again = post(auth_client, item_id, {"choice": "1"})
    assert again.status_code == 409 and "Location" not in again.headers
    page = again.get_data(as_text=True)
    assert "already answered" in page and 'data-quiz="feedback"' in page
    [review] = reviews(app, user_id)
    assert review.correct is True


def test_nothing_to_undo_is_a_plain_redirect_with_the_reason(app, auth_client):
    session_id, _ = only(app, auth_client, "single_choice")
    response = auth_client.post_form(f"/quiz/sessions/{session_id}/undo")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/quiz/sessions/{session_id}"
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing to undo" in page
    assert nothing_written(app)


def test_a_typed_call_with_arguments_is_graded_right(app, auth_client, user_id):
    accepted = ("defaultdict", "collections.defaultdict", "defaultdict()")
    load(app, bank("one", [question("q", "short_answer", accepted=accepted)]))
    session_id = start(auth_client)
    item_id, _, _ = next_item(app, session_id)
    response = post(auth_client, item_id, {"text": "collections.defaultdict( list )"})
    assert response.status_code == 302
    [review] = reviews(app, user_id)
    assert review.correct is True and review.response == {"text": "collections.defaultdict( list )"}
