"""The daily quiz end to end through HTTP, with the database checked after each step."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from quizapp.banks.model import Choice
from quizapp.extensions import db
from quizapp.models import CardState, Review, StudySession, StudySessionItem
from tests.conftest import PASSWORD, make_user
from tests.factories import bank, load, mixed_bank, question
from tests.quiz.helpers import answer, answer_data, card, count, next_item, reviews, start


def test_register_pick_topics_take_whole_session_undo_and_summary(app, client):
    load(app, mixed_bank())
    load(app, bank("other", [question("o1", topic="orm")]))
    response = client.post_form(
        "/register",
        {
            "email": "seeker@example.com",
            "display_name": "Seeker",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Start today&#39;s quiz" in page or "Start today's quiz" in page
    assert "Signals" in page and "Orm" in page

    # Study only the "signals" topic.
    with app.app_context():
        from quizapp.models import Topic

        signals = db.session.scalar(select(Topic.id).where(Topic.slug == "signals"))
    assert client.post_form("/topics", {"topic": [str(signals)]}).status_code == 302
    session_id = start(client)
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        user_id = session.user_id
        items = db.session.scalars(
            select(StudySessionItem).where(StudySessionItem.session_id == session_id)
        ).all()
        assert len(items) == 5 and {i.kind for i in items} == {"new"}

    page = client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert "Question <strong>1</strong> of 5" in page

    # Answer all five types right; one of them wrong first.
    seen_types = set()
    response, item_id, qid = answer(client, app, session_id, right=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/quiz/items/{item_id}"
    )
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not quite." in feedback and "later in this session" in feedback
    # The feedback belongs to question 1; the failed item adds one to the session.
    assert "Question <strong>1</strong> of 6" in feedback
    assert count(app, StudySessionItem, StudySessionItem.kind == "reask") == 1

    # Undo restores everything: no review, no card, no re-ask.
    assert client.post_form(f"/quiz/sessions/{session_id}/undo").status_code == 302
    assert count(app, Review) == 0
    assert card(app, user_id, qid) is None
    assert count(app, StudySessionItem, StudySessionItem.kind == "reask") == 0

    while (nxt := next_item(app, session_id)) is not None:
        seen_types.add(nxt[1])
        response, item_id, qid = answer(client, app, session_id, right=True)
        assert response.status_code == 302
        assert client.get(f"/quiz/items/{item_id}").status_code == 200
    assert seen_types == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "flashcard",
    }
    assert count(app, Review, Review.user_id == user_id) == 5
    summary = client.get(f"/quiz/sessions/{session_id}")
    assert summary.status_code == 302 and summary.headers["Location"].endswith("/summary")
    text = client.get(summary.headers["Location"]).get_data(as_text=True)
    assert "100%" in text and '5</span><span class="label">answers' in text
    with app.app_context():
        assert db.session.get(StudySession, session_id).finished_at is not None


def test_a_session_finishes_with_its_own_last_answer_not_before(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b"), question("c")]))
    make_user(app, "other@example.com")
    other = app.test_client()
    assert other.login("other@example.com").status_code == 302
    other_session = start(other)
    session_id = start(auth_client)

    def finished(sid: int) -> bool:
        with app.app_context():
            return db.session.get(StudySession, sid).finished_at is not None

    # A wrong last answer adds its re-ask: the session goes on until that is answered too.
    answer(auth_client, app, session_id, right=True)
    assert not finished(session_id)
    answer(auth_client, app, session_id, right=True)
    assert not finished(session_id)
    answer(auth_client, app, session_id, right=False)
    assert not finished(session_id) and next_item(app, session_id) is not None
    while next_item(app, session_id) is not None:
        response, _, _ = answer(auth_client, app, session_id, right=True)
        assert response.status_code == 302
    # Finished though another user's session still has all its questions open.
    assert finished(session_id)
    assert not finished(other_session)
    still_open = (StudySessionItem.session_id == other_session) & (
        StudySessionItem.answered_at.is_(None)
    )
    assert count(app, StudySessionItem, still_open) == 3


def test_failed_item_comes_back_until_it_scores_four(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b"), question("c")]))
    session_id = start(auth_client)
    _, _, failed = answer(auth_client, app, session_id, right=False)
    order = []
    while (nxt := next_item(app, session_id)) is not None:
        order.append(nxt[2])
        # The re-ask is failed once more, then passed.
        right = not (nxt[2] == failed and order.count(failed) == 1)
        answer(auth_client, app, session_id, right=right, elapsed_ms=60_000)
    assert order.count(failed) == 2
    assert order[-1] == failed
    modes = [r.mode for r in reviews(app, user_id) if r.question_id == failed]
    assert modes == ["new", "reask", "reask"]
    # Re-asks don't move the schedule: the card keeps the failure's state.
    state = card(app, user_id, failed)
    assert (state.repetitions, state.interval_days, state.easiness, state.review_count) == (
        0,
        1,
        250,
        3,
    )
    assert state.due_day == date(2026, 3, 5)


def test_grades_and_schedule_of_a_right_answer(app, auth_client, user_id):
    load(app, bank("b", [question("a", "true_false")]))
    session_id = start(auth_client)
    _, item_id, qid = answer(auth_client, app, session_id, right=True, elapsed_ms=2000)
    [review] = reviews(app, user_id)
    assert (review.grade, review.correct, review.mode) == (5, True, "new")
    assert (review.repetitions_before, review.repetitions_after) == (0, 1)
    state = card(app, user_id, qid)
    assert (state.repetitions, state.interval_days, state.easiness, state.version) == (1, 1, 260, 1)
    assert state.due_day == date(2026, 3, 5) and state.introduced_day == date(2026, 3, 4)
    page = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert "comes back <strong>tomorrow</strong>" in page


def test_adjusting_the_grade_reschedules(app, auth_client, user_id):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    _, item_id, qid = answer(auth_client, app, session_id, right=True, elapsed_ms=1000)
    assert reviews(app, user_id)[0].grade == 5
    response = auth_client.post_form(f"/quiz/items/{item_id}/grade", {"grade": "3"})
    assert response.status_code == 302
    [review] = reviews(app, user_id)
    assert review.grade == 3
    state = card(app, user_id, qid)
    assert state.easiness == 236 and state.review_count == 1
    # A right answer can't be turned into a failure.
    bad = auth_client.post_form(f"/quiz/items/{item_id}/grade", {"grade": "1"})
    # Refused input: the feedback page again with the reason, never a redirect.
    assert bad.status_code == 422 and "Location" not in bad.headers
    assert "That grade is not available here" in bad.get_data(as_text=True)
    assert reviews(app, user_id)[0].grade == 3


def test_adjusting_the_last_answer_of_a_session_leaves_it_finished(app, auth_client, user_id):
    load(app, bank("b", [question("a")]))
    session_id = start(auth_client)
    _, item_id, _ = answer(auth_client, app, session_id, right=True)

    def finished_at():
        with app.app_context():
            return db.session.get(StudySession, session_id).finished_at

    done = finished_at()
    assert done is not None
    # The take-back reopens the session and the new grade's answer ends it again, all in one
    # transaction.
    assert auth_client.post_form(f"/quiz/items/{item_id}/grade", {"grade": "4"}).status_code == 302
    assert reviews(app, user_id)[0].grade == 4
    assert finished_at() == done
    assert auth_client.get(f"/quiz/sessions/{session_id}").headers["Location"].endswith("/summary")
    # Below 4 the question comes back in this session (SM-2): the session is open again.
    assert auth_client.post_form(f"/quiz/items/{item_id}/grade", {"grade": "3"}).status_code == 302
    assert finished_at() is None
    assert count(app, StudySessionItem, StudySessionItem.kind == "reask") == 1


def test_a_conflicting_write_during_an_adjustment_is_a_409_and_changes_nothing(
    app, auth_client, user_id, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    from quizapp.services import reviews as review_service

    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    _, item_id, qid = answer(auth_client, app, session_id, right=True, elapsed_ms=1000)
    before = card(app, user_id, qid)

    def racing_insert(*args, **kwargs):
        # What another request inserting the same card first looks like to this one.
        raise IntegrityError("INSERT INTO card_states", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(review_service, "_apply", racing_insert)
    response = auth_client.post_form(f"/quiz/items/{item_id}/grade", {"grade": "3"})
    assert response.status_code == 409
    [review] = reviews(app, user_id)
    assert review.grade == 5
    after = card(app, user_id, qid)
    assert (after.version, after.easiness, after.due_day) == (
        before.version,
        before.easiness,
        before.due_day,
    )


def test_nothing_due_is_a_friendly_state(app, auth_client):
    response = auth_client.post_form("/quiz/start")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = auth_client.get("/").get_data(as_text=True)
    assert "all caught up" in page
    assert count(app, StudySession) == 0


def test_invalid_answers_are_rejected_and_write_nothing(app, auth_client):
    load(app, mixed_bank())
    session_id = start(auth_client)
    item_id, qtype, qid = next_item(app, session_id)
    for data in ({}, {"choice": ["99"]}, {"choice": ["x"]}, {"grade": "9"}, {"elapsed_ms": "abc"}):
        response = auth_client.post_form(f"/quiz/items/{item_id}/answer", {"version": "0", **data})
        assert response.status_code == 422, data
    assert count(app, Review) == 0
    assert count(app, CardState) == 0


def test_answer_without_csrf_is_rejected(app, auth_client):
    load(app, mixed_bank())
    session_id = start(auth_client)
    item_id, _, qid = next_item(app, session_id)
    response = auth_client.post(f"/quiz/items/{item_id}/answer", data=answer_data(app, qid))
    assert response.status_code == 400
    assert count(app, Review) == 0


def test_question_page_renders_markdown_safely(app, auth_client):
    hostile = question(
        "x",
        "single_choice",
        prompt="Which? <script>alert(1)</script> `code` {{ 7*7 }}",
        explanation="<img src=x onerror=alert(1)>",
    )
    load(app, bank("b", [hostile]))
    session_id = start(auth_client)
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    # Only the prompt is looked at: the page's random CSRF token may well contain "49".
    prompt = re.search(r'<div class="prose prompt">(.*?)</div>', page, re.S).group(1)
    assert "{{ 7*7 }}" in prompt and "49" not in prompt
    assert "<code>code</code>" in prompt


def test_choices_are_shuffled_per_presentation_but_stable(app, auth_client):
    choices = tuple(Choice(f"Choice {i}", i == 0) for i in range(6))
    load(app, bank("b", [question(f"q{i}", choices=choices) for i in range(8)]))
    session_id = start(auth_client)
    url = f"/quiz/sessions/{session_id}"
    shown = re.compile(r'name="choice" value="(\d+)"')
    first = shown.findall(auth_client.get(url).get_data(as_text=True))
    again = shown.findall(auth_client.get(url).get_data(as_text=True))
    assert sorted(first) == [str(i) for i in range(6)]
    assert first == again  # stable within one presentation
    orders = set()
    while next_item(app, session_id) is not None:
        orders.add(tuple(shown.findall(auth_client.get(url).get_data(as_text=True))))
        answer(auth_client, app, session_id, elapsed_ms=60_000)
    # Eight presentations of six choices: the same order every time would mean no shuffle.
    assert len(orders) > 1


def test_time_spent_sums_milliseconds_before_rounding(app, auth_client):
    load(app, bank("b", [question(f"q{i}") for i in range(4)]))
    session_id = start(auth_client)
    for _ in range(4):
        answer(auth_client, app, session_id, right=True, elapsed_ms=800)
    page = auth_client.get(f"/quiz/sessions/{session_id}/summary").get_data(as_text=True)
    # 4 x 0.8 s is 3 s (rounded from 3.2), not 0:00 from rounding each answer down.
    assert re.search(r'<span class="value">0:03</span><span class="label">minutes spent', page)


def test_accuracy_means_the_same_on_every_page(app, auth_client, admin_client):
    load(app, bank("b", [question("q1"), question("q2")]))
    session_id = start(auth_client)
    answer(auth_client, app, session_id, right=False)  # q1, first try: wrong
    answer(auth_client, app, session_id, right=True)  # q2, first try: right
    answer(auth_client, app, session_id, right=True)  # q1 asked again: right
    summary = auth_client.get(f"/quiz/sessions/{session_id}/summary").get_data(as_text=True)
    assert re.search(r'>50%</span><span class="label">first-try accuracy', summary)
    assert re.search(r'>67%</span><span class="label">all answers right \(2 of 3\)', summary)
    progress_page = auth_client.get("/progress/").get_data(as_text=True)
    assert "First-try accuracy (30 d)" in progress_page
    assert re.search(r"<bdi>Signals</bdi></a></td>\s*<td class=\"num\">2/2</td>\s*"
                     r"<td class=\"num\">50%</td>", progress_page)  # fmt: skip
    items = admin_client.get("/admin/questions").get_data(as_text=True)
    # q1: one first try (wrong) and two answers in all.
    row = re.search(r"<bdi>q1</bdi>.*?</tr>", items, re.S)
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(0), re.S)
    assert [re.sub("<[^>]+>", "", c).strip() for c in cells[:3]] == ["1", "0%", "2"]
