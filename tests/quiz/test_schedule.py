"""The schedule across simulated days, limits, integrity under races, and the log replay."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from quizapp.extensions import db
from quizapp.models import CardState, Review, StudySessionItem, User
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, answer_data, card, count, next_item, reviews, start


def finish(client, app, session_id, right=True):
    """Answer everything left in a session (re-asks right)."""
    while next_item(app, session_id) is not None:
        answer(client, app, session_id, right=right, elapsed_ms=60_000)
        right = True


def test_new_per_day_limit_counts_earlier_sessions(app, auth_client, user_id):
    load(app, bank("b", [question(f"q{i}") for i in range(25)]))
    with app.app_context():
        db.session.get(User, user_id).new_per_day = 7
        db.session.commit()
    first = start(auth_client)
    for _ in range(3):
        answer(auth_client, app, first, elapsed_ms=60_000)
    # A restart the same day resumes; answered new cards count against the allowance.
    assert start(auth_client) == first
    finish(auth_client, app, first)
    assert count(app, CardState) == 7
    assert start(auth_client) is None


def test_day_boundary_in_the_users_time_zone(app, clock):
    uid = make_user(app, "ny@example.com", timezone="America/New_York", day_start_hour=4)
    load(app, bank("b", [question(f"q{i}") for i in range(3)]))
    client = app.test_client()
    client.login("ny@example.com")
    # 2026-03-04 12:00 UTC is 07:00 in New York: study day March 4.
    session_id = start(client)
    finish(client, app, session_id)
    assert {c.due_day for c in (card(app, uid, r.question_id) for r in reviews(app, uid))} == {
        date(2026, 3, 5)
    }
    # 07:30 UTC on March 5 is 02:30 in New York: still study day March 4, nothing due.
    clock.set(datetime(2026, 3, 5, 7, 30, tzinfo=UTC))
    assert start(client) is None
    # 09:00 UTC is 04:00 in New York: study day March 5 begins.
    clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=UTC))
    assert start(client) is not None


def test_reviews_come_back_on_schedule_over_several_days(app, auth_client, user_id, clock):
    load(app, bank("b", [question("a", "true_false")]))
    due_days = []
    for _ in range(30):
        session_id = start(auth_client)
        if session_id is not None:
            answer(auth_client, app, session_id, right=True, elapsed_ms=1000)
            due_days.append(card(app, user_id, reviews(app, user_id)[-1].question_id).due_day)
        clock.advance(days=1)
    # Grade 5 each time, answered on the day the card falls due: EF 2.5 -> 2.6 -> 2.7 -> 2.8,
    # intervals 1, 6, 6 * 2.7 = 16.2 -> 17, then 17 * 2.8 = 47.6 -> 48.
    assert due_days == [date(2026, 3, 5), date(2026, 3, 11), date(2026, 3, 28), date(2026, 5, 15)]


def test_backlog_after_a_break_is_capped_per_day(app, auth_client, user_id, clock):
    load(app, bank("b", [question(f"q{i}") for i in range(30)]))
    with app.app_context():
        user = db.session.get(User, user_id)
        user.new_per_day, user.reviews_per_day = 30, 12
        db.session.commit()
    finish(auth_client, app, start(auth_client))
    clock.advance(days=14)
    session_id = start(auth_client)
    with app.app_context():
        kinds = db.session.scalars(
            select(StudySessionItem.kind).where(StudySessionItem.session_id == session_id)
        ).all()
    assert kinds == ["review"] * 12
    finish(auth_client, app, session_id)
    assert start(auth_client) is None
    clock.advance(days=1)
    assert start(auth_client) is not None
    with app.app_context():
        still_due = db.session.scalar(
            select(db.func.count())
            .select_from(CardState)
            .where(CardState.due_day <= date(2026, 3, 19))
        )
    assert still_due == 18


def test_interview_date_pulls_reviews_before_it(app, auth_client, user_id, clock):
    load(app, bank("b", [question("a", "true_false")]))
    with app.app_context():
        db.session.get(User, user_id).interview_date = date(2026, 3, 9)
        db.session.commit()
    session_id = start(auth_client)
    answer(auth_client, app, session_id, elapsed_ms=1000)  # interval 1: due March 5
    clock.advance(days=1)
    session_id = start(auth_client)
    _, _, qid = answer(auth_client, app, session_id, elapsed_ms=1000)  # interval 6: March 11
    state = card(app, user_id, qid)
    assert state.interval_days == 6
    assert state.due_day == date(2026, 3, 6)  # the final window starts 3 days before
    # After the interview, normal SM-2 resumes.
    with app.app_context():
        db.session.get(User, user_id).interview_date = date(2026, 3, 4)
        db.session.commit()
    clock.advance(days=1)
    session_id = start(auth_client)
    answer(auth_client, app, session_id, elapsed_ms=1000)
    # The interval (6 * EF 2.7 = 16.2 -> 17) is no longer capped.
    assert card(app, user_id, qid).due_day == date(2026, 3, 6) + timedelta(days=17)


def test_double_submission_applies_once(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    item_id, _, qid = next_item(app, session_id)
    data = {**answer_data(app, qid), "version": "0"}
    first = auth_client.post_form(f"/quiz/items/{item_id}/answer", data)
    second = auth_client.post_form(f"/quiz/items/{item_id}/answer", data)
    assert first.status_code == 302 and second.status_code == 409
    assert count(app, Review) == 1
    assert card(app, user_id, qid).version == 1


def test_stale_card_version_is_refused(app, auth_client, user_id, clock):
    load(app, bank("b", [question("a")]))
    finish(auth_client, app, start(auth_client))
    clock.advance(days=1)
    session_id = start(auth_client)
    item_id, _, qid = next_item(app, session_id)
    response = auth_client.post_form(
        f"/quiz/items/{item_id}/answer", {**answer_data(app, qid), "version": "0"}
    )
    assert response.status_code == 409
    assert count(app, Review) == 1


def test_two_tabs_racing_on_a_file_database(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    item_id, _, qid = next_item(app, session_id)
    data = {**answer_data(app, qid), "version": "0"}
    tabs = [app.test_client() for _ in range(6)]
    for tab in tabs:
        tab.login("user@example.com")
    tokens = [tab.csrf_token() for tab in tabs]
    barrier = threading.Barrier(len(tabs))
    statuses = []

    def post(tab, token):
        barrier.wait()
        statuses.append(
            tab.post(
                f"/quiz/items/{item_id}/answer", data={**data, "csrf_token": token}
            ).status_code
        )

    threads = [threading.Thread(target=post, args=pair) for pair in zip(tabs, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302] + [409] * 5
    assert count(app, Review) == 1
    assert card(app, user_id, qid).version == 1


def test_other_users_items_and_sessions_are_not_found(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    item_id, _, qid = next_item(app, session_id)
    make_user(app, "intruder@example.com")
    intruder = app.test_client()
    intruder.login("intruder@example.com")
    data = {**answer_data(app, qid), "version": "0"}
    assert intruder.post_form(f"/quiz/items/{item_id}/answer", data).status_code == 404
    assert intruder.get(f"/quiz/items/{item_id}").status_code == 404
    assert intruder.get(f"/quiz/sessions/{session_id}").status_code == 404
    assert intruder.get(f"/quiz/sessions/{session_id}/summary").status_code == 404
    assert intruder.post_form(f"/quiz/sessions/{session_id}/undo").status_code == 404
    assert intruder.post_form(f"/quiz/items/{item_id}/grade", {"grade": "3"}).status_code == 404
    assert count(app, Review) == 0


def test_replaying_the_log_matches_the_cards(app, auth_client, user_id, clock, runner):
    load(
        app,
        bank(
            "b",
            [
                question(f"q{i}", ("single_choice", "true_false", "short_answer")[i % 3])
                for i in range(9)
            ],
        ),
    )
    for day in range(12):
        session_id = start(auth_client)
        if session_id is not None:
            tried = set()
            while (nxt := next_item(app, session_id)) is not None:
                right = nxt[2] in tried or (day + nxt[2]) % 3 != 0
                tried.add(nxt[2])
                answer(auth_client, app, session_id, right=right, elapsed_ms=5_000)
        clock.advance(days=1)
    result = runner.invoke(args=["reviews", "verify", "user@example.com"])
    assert result.exit_code == 0, result.output
    assert "every card state matches" in result.output
    # Tampering with a card is caught.
    with app.app_context():
        db.session.execute(update(CardState).where(CardState.id == 1).values(easiness=131))
        db.session.commit()
    result = runner.invoke(args=["reviews", "verify"])
    assert result.exit_code == 1 and "mismatch" in result.output
