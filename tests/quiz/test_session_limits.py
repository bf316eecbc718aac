"""A session cannot grow without end: capped and spaced re-asks, and finishing early."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardState, Question, StudySession, StudySessionItem
from quizapp.scheduling.queue import MAX_REASKS_PER_QUESTION
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, card, count, next_item, start


def key_of(app, question_id: int) -> str:
    with app.app_context():
        return db.session.get(Question, question_id).key


def next_key(app, session_id: int) -> str | None:
    found = next_item(app, session_id)
    return key_of(app, found[2]) if found else None


def shown_next(client, app, session_id: int) -> str:
    """The key of the question the question page shows now (what the user sees)."""
    page = client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    with app.app_context():
        for key in db.session.scalars(select(Question.key)):
            if f"Prompt of {key}?" in page:
                return key
    raise AssertionError("no question on the page")


def items_of(app, session_id: int, key: str) -> int:
    return count(
        app,
        StudySessionItem,
        StudySessionItem.session_id == session_id,
        StudySessionItem.question_id
        == select(Question.id).where(Question.key == key).scalar_subquery(),
    )


def test_a_failing_question_is_shown_at_most_four_times(app, auth_client, clock):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    failures = 0
    while (found := next_item(app, session_id)) is not None:
        right = key_of(app, found[2]) == "b"
        response, item_id, _ = answer(auth_client, app, session_id, right=right)
        assert response.status_code == 302
        failures += not right
        clock.advance(minutes=5)
    # The first showing plus MAX_REASKS_PER_QUESTION re-asks, then the session ends.
    assert MAX_REASKS_PER_QUESTION == 3
    assert failures == 4 and items_of(app, session_id, "a") == 4
    assert count(app, StudySession, StudySession.finished_at.is_not(None)) == 1
    page = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert "shown 4 times in this session" in page and "later in this session" not in page


def test_reasks_are_spaced_by_turns_and_by_time(app, auth_client, clock):
    load(app, bank("b", [question(k) for k in "abcdef"]))
    session_id = start(auth_client)
    answer(auth_client, app, session_id, right=False)  # a fails at noon
    for _ in "bcd":  # three others, answered within the minute
        clock.advance(seconds=10)
        answer(auth_client, app, session_id)
    # a's re-ask is next by turn (3 items later) but waits for its minute: e comes first.
    assert shown_next(auth_client, app, session_id) == "e"
    clock.advance(seconds=40)  # 70 s after the failure
    assert shown_next(auth_client, app, session_id) == "a"
    # The second failure waits 6 turns (or the end) and two minutes.
    answer(auth_client, app, session_id, right=False)
    assert shown_next(auth_client, app, session_id) == "e"
    answer(auth_client, app, session_id)
    # Only the waiting re-ask is left after f: it is shown rather than an idle screen.
    assert shown_next(auth_client, app, session_id) == "f"
    answer(auth_client, app, session_id)
    assert shown_next(auth_client, app, session_id) == "a"


def test_finishing_drops_the_rest_and_leaves_due_cards_due(app, auth_client, user_id, clock):
    load(app, bank("b", [question(k) for k in "abc"]))
    session_id = start(auth_client)
    for _ in "abc":
        answer(auth_client, app, session_id)
    clock.advance(days=1)
    session_id = start(auth_client)  # the three come back for review the next day
    assert count(app, StudySessionItem, StudySessionItem.session_id == session_id) == 3
    _, failed_item, _ = answer(auth_client, app, session_id, right=False)
    _, _, waiting_qid = next_item(app, session_id)
    due_before = card(app, user_id, waiting_qid)

    response = auth_client.post_form(f"/quiz/sessions/{session_id}/finish")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/quiz/sessions/{session_id}/summary"
    summary = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 unanswered questions left for another day" in summary
    # Only the answered item stays; the other two and the failed one's re-ask are gone.
    assert count(app, StudySessionItem, StudySessionItem.session_id == session_id) == 1
    with app.app_context():
        assert db.session.get(StudySession, session_id).finished_at is not None
    # Nothing was scheduled for what was not answered: still due today, unchanged.
    after = card(app, user_id, waiting_qid)
    assert (after.due_day, after.version) == (due_before.due_day, due_before.version)
    assert count(app, CardState) == 3
    # The old feedback page of the failed answer says what happened instead of "later".
    page = auth_client.get(f"/quiz/items/{failed_item}").get_data(as_text=True)
    assert "the session ended before it was asked again" in page
    assert "later in this session" not in page
    assert "Finish — show the rest tomorrow" not in page


def test_feedback_of_a_failure_whose_reask_was_answered_says_so(app, auth_client, clock):
    load(app, bank("b", [question("a")]))
    session_id = start(auth_client)
    _, first, _ = answer(auth_client, app, session_id, right=False)
    page = auth_client.get(f"/quiz/items/{first}").get_data(as_text=True)
    assert "later in this session, then tomorrow" in page
    clock.advance(minutes=2)
    answer(auth_client, app, session_id)
    page = auth_client.get(f"/quiz/items/{first}").get_data(as_text=True)
    assert "it was asked again later in this session" in page
    assert "later in this session, then" not in page


def test_only_the_owner_can_finish_a_session_and_only_by_post(app, auth_client, client):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    assert auth_client.get(f"/quiz/sessions/{session_id}/finish").status_code == 405
    make_user(app, "other@example.com")
    assert client.login("other@example.com").status_code == 302
    assert client.post_form(f"/quiz/sessions/{session_id}/finish").status_code == 404
    assert count(app, StudySessionItem, StudySessionItem.session_id == session_id) == 2
    assert count(app, StudySession, StudySession.finished_at.is_not(None)) == 0
