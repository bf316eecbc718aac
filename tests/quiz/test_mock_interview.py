"""Mock interviews over HTTP: the server's clock, no feedback, the report, "add what I missed"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, StudySessionItem, Topic
from quizapp.services.verify import verify_reviews
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, answer_data, count, next_item, reviews, start

MOCK_URL = re.compile(r"/mock/(\d+)$")


@pytest.fixture
def loaded(app):
    """Two topics of explain and typed questions, a flashcard (never asked) and a choice."""
    load(
        app,
        bank(
            "mock",
            [
                *(
                    question(f"e{i}", "explain", topic="signals", difficulty="easy")
                    for i in range(4)
                ),
                *(
                    question(f"s{i}", "short_answer", topic="orm", difficulty="easy")
                    for i in range(4)
                ),
                question("f", "flashcard", topic="orm"),
                question("c", "single_choice", topic="orm"),
            ],
        ),
    )


def begin(client, minutes="15", **extra) -> int:
    response = client.post_form("/mock/start", {"minutes": minutes, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(MOCK_URL.search(response.headers["Location"]).group(1))


def items(app, session_id):
    with app.app_context():
        return db.session.execute(
            select(StudySessionItem.id, Question.id, Question.type, StudySessionItem.answered_at)
            .join(Question, Question.id == StudySessionItem.question_id)
            .where(StudySessionItem.session_id == session_id)
            .order_by(StudySessionItem.sort_key)
        ).all()


def pending(app, session_id):
    return [row for row in items(app, session_id) if row[3] is None]


def post_answer(client, app, item_id, question_id, right=True):
    data = answer_data(app, question_id, right)
    data["version"] = "0"
    with app.app_context():
        card = db.session.scalar(select(CardState).where(CardState.question_id == question_id))
        if card is not None:
            data["version"] = str(card.version)
    return client.post_form(f"/quiz/items/{item_id}/answer", data)


def test_start_builds_a_timed_mock_of_interleaved_open_questions(
    app, auth_client, user_id, loaded, clock
):
    session_id = begin(auth_client)
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.mode == "mock" and session.user_id == user_id
        assert session.ends_at - session.started_at == timedelta(minutes=15)
        assert session.details["minutes"] == 15
    rows = items(app, session_id)
    types = [t for _, _, t, _ in rows]
    assert "flashcard" not in types
    # 80% of 15 minutes in guide times (explain easy 60 s, short answer easy 40 s) fit them all.
    assert len(rows) == 9
    assert sum(t in ("explain", "short_answer") for t in types) > len(types) / 2
    page = auth_client.get(f"/mock/{session_id}").get_data(as_text=True)
    assert (
        'data-seconds-left="900"' in page and "Time left: <strong data-countdown-text>15:00" in page
    )
    assert 'data-key="s"' in page  # skip


def test_answers_get_no_feedback_until_the_end(app, auth_client, loaded, clock):
    session_id = begin(auth_client)
    item_id, question_id, _, _ = pending(app, session_id)[0]
    response = post_answer(auth_client, app, item_id, question_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mock/{session_id}")
    # Neither the feedback page nor the report shows anything while the interview runs.
    assert (
        auth_client.get(f"/quiz/items/{item_id}")
        .headers["Location"]
        .endswith(f"/mock/{session_id}")
    )
    assert auth_client.get(f"/mock/{session_id}/report").status_code == 302
    assert auth_client.post_form(f"/quiz/sessions/{session_id}/undo").status_code == 303
    assert count(app, Review) == 1


def test_the_server_clock_ends_the_interview(app, auth_client, user_id, loaded, clock):
    session_id = begin(auth_client)
    (first_item, first_q, _, _), (second_item, _, _, _) = pending(app, session_id)[:2]
    clock.advance(minutes=14, seconds=59)
    assert post_answer(auth_client, app, first_item, first_q).status_code == 302
    clock.advance(seconds=1)
    refused = post_answer(auth_client, app, second_item, pending(app, session_id)[0][1])
    assert refused.status_code == 409
    assert "Time is up: this mock interview ended at 12:15:00 UTC" in refused.get_data(as_text=True)
    skipped = auth_client.post_form(f"/mock/items/{second_item}/skip")
    assert skipped.status_code == 409
    assert len(reviews(app, user_id)) == 1
    assert len(pending(app, session_id)) == 8  # nothing recorded after the deadline
    assert auth_client.get(f"/mock/{session_id}").headers["Location"].endswith("/report")


def test_what_a_mock_answer_does_to_the_schedule(app, auth_client, user_id, loaded, clock):
    # Study three questions in the daily quiz, so some mock questions have cards.
    daily = start(auth_client)
    studied = set()
    while (nxt := next_item(app, daily)) is not None and len(studied) < 3:
        answer(auth_client, app, daily, right=True, elapsed_ms=60_000)
        studied.add(nxt[2])
    clock.advance(days=1)
    session_id = begin(auth_client)
    with app.app_context():
        before = {
            c.question_id: (c.due_day, c.interval_days, c.lapses)
            for c in db.session.scalars(select(CardState))
        }
    today = clock.now().date()
    outcomes = {}
    for item_id, question_id, _, _ in pending(app, session_id):
        right = question_id % 2 == 0
        assert post_answer(auth_client, app, item_id, question_id, right).status_code == 302
        outcomes[question_id] = right
    with app.app_context():
        for review in db.session.scalars(select(Review).where(Review.study_day == today)):
            card = db.session.scalar(
                select(CardState).where(CardState.question_id == review.question_id)
            )
            right = outcomes[review.question_id]
            if review.question_id in before:
                assert review.mode == "mock"
                due, interval, lapses = before[review.question_id]
                if right:  # the schedule is left alone
                    assert (card.due_day, card.interval_days, card.lapses) == (
                        due,
                        interval,
                        lapses,
                    )
                else:  # a lapse, due tomorrow
                    assert card.lapses == lapses + 1
                    assert card.due_day == today + timedelta(days=1)
            else:  # never studied: its first answer, a new card due tomorrow
                assert review.mode == "new"
                assert card.due_day == today + timedelta(days=1)
        # No re-asks in a mock interview.
        assert not db.session.scalar(
            select(StudySessionItem.id).where(
                StudySessionItem.session_id == session_id, StudySessionItem.kind == "reask"
            )
        )
        assert list(verify_reviews()) == []


def test_report_figures_match_the_log(app, auth_client, user_id, loaded, clock):
    session_id = begin(auth_client)
    rows = pending(app, session_id)
    plan = {}
    for n, (item_id, question_id, _type, _) in enumerate(rows[:6]):
        clock.advance(seconds=10 * (n + 1))
        if n == 2:
            assert auth_client.post_form(f"/mock/items/{item_id}/skip").status_code == 302
            plan[question_id] = "skipped"
            continue
        right = n % 3 != 1
        assert post_answer(auth_client, app, item_id, question_id, right).status_code == 302
        plan[question_id] = "right" if right else "wrong"
    assert auth_client.post_form(f"/mock/{session_id}/finish").status_code == 302
    page = auth_client.get(f"/mock/{session_id}/report").get_data(as_text=True)

    # Figures from the database alone: the items, their reviews and the questions' topics.
    with app.app_context():
        logged = db.session.execute(
            select(StudySessionItem, Review, Topic.name)
            .join(Question, Question.id == StudySessionItem.question_id)
            .join(Topic, Topic.id == Question.topic_id)
            .outerjoin(Review, Review.id == StudySessionItem.review_id)
            .where(StudySessionItem.session_id == session_id)
        ).all()
    asked = [(i, r, t) for i, r, t in logged if i.answered_at is not None]
    right = [1 for _, r, _ in asked if r is not None and r.correct]
    assert len(asked) == 6 and len(right) == sum(v == "right" for v in plan.values())
    score = round(100 * len(right) / len(asked))
    assert f'data-figure="score">{score}%' in page
    assert f"{len(right)} of 6 right" in page
    for topic in {t for _, _, t in asked}:
        mine = [(i, r) for i, r, t in asked if t == topic]
        won = sum(1 for _, r in mine if r is not None and r.correct)
        pct = round(100 * won / len(mine))
        assert re.search(
            rf'data-topic="{topic}"><td>.*?</td><td class="num">{len(mine)}</td>'
            rf'<td class="num">{won}</td><td class="num">{pct}%</td>',
            page,
        ), topic
    # Time per question by the server's clock: 10, 20, 30... seconds after the previous one.
    statuses = re.findall(r'<tr data-status="([a-z ]+)">', page)
    assert statuses == [plan[q] for _, q, _, _ in rows[:6]] + ["not reached"] * 3
    times = re.findall(r'<td class="num"><span class="(?:badge warn)?">(\d+) s</span>', page)
    assert times == ["10", "20", "30", "40", "50", "60"]
    # Wrong explain answers ticked no key point, right ones all: the missed points are
    # every point of each wrong explain answer, counted across them.
    wrong_explains = sum(1 for _, q, t, _ in rows[:6] if t == "explain" and plan[q] == "wrong")
    if wrong_explains:
        times = (
            f' <span class="muted">({wrong_explains} times)</span>' if wrong_explains > 1 else ""
        )
        assert f"<li>post_save runs after Model.save(){times}</li>" in page
    else:
        assert "Key points you missed" not in page


def test_add_what_i_missed_schedules_through_the_review_service(
    app, auth_client, user_id, loaded, clock
):
    session_id = begin(auth_client)
    rows = pending(app, session_id)
    item_id, question_id, _, _ = rows[0]
    assert post_answer(auth_client, app, item_id, question_id, right=False).status_code == 302
    skipped_item, skipped_q, _, _ = rows[1]
    assert auth_client.post_form(f"/mock/items/{skipped_item}/skip").status_code == 302
    item3, q3, _, _ = rows[2]
    assert post_answer(auth_client, app, item3, q3, right=True).status_code == 302
    assert auth_client.post_form(f"/mock/{session_id}/finish").status_code == 302
    today = clock.now().date()

    response = auth_client.post_form(f"/mock/{session_id}/add-missed")
    assert response.status_code == 302
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 questions added to today&#39;s reviews." in page
    with app.app_context():
        logged = db.session.scalars(select(Review).where(Review.mode == "requeue")).all()
        assert sorted(r.question_id for r in logged) == sorted([question_id, skipped_q])
        for q in (question_id, skipped_q):
            card = db.session.scalar(select(CardState).where(CardState.question_id == q))
            assert card.due_day == today
        # The right answer is not requeued: still due tomorrow as a new card's first answer.
        card3 = db.session.scalar(select(CardState).where(CardState.question_id == q3))
        assert card3.due_day == today + timedelta(days=1)
        assert list(verify_reviews()) == []
    verified = app.test_cli_runner().invoke(args=["reviews", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "every card state matches its log" in verified.output
    # Twice adds nothing more.
    again = auth_client.post_form(f"/mock/{session_id}/add-missed")
    assert "already in today" in auth_client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(app, Review, Review.mode == "requeue") == 2
    # And today's quiz now asks them.
    daily = start(auth_client)
    with app.app_context():
        asked = set(
            db.session.scalars(
                select(StudySessionItem.question_id).where(StudySessionItem.session_id == daily)
            )
        )
    assert {question_id, skipped_q} <= asked


def test_other_users_mocks_are_404_and_posts_need_csrf(app, auth_client, loaded, clock):
    session_id = begin(auth_client)
    item_id = pending(app, session_id)[0][0]
    make_user(app, "other@example.com")
    other = app.test_client()
    other.login("other@example.com")
    for url in (f"/mock/{session_id}", f"/mock/{session_id}/report"):
        assert other.get(url).status_code == 404
    for url in (
        f"/mock/items/{item_id}/skip",
        f"/mock/{session_id}/finish",
        f"/mock/{session_id}/add-missed",
    ):
        assert other.post_form(url).status_code == 404
    assert auth_client.post(f"/mock/{session_id}/finish").status_code == 400
    assert auth_client.post("/mock/start", data={"minutes": "15"}).status_code == 400


@pytest.mark.parametrize("minutes", ["10", "", "abc", "60"])
def test_bad_lengths_are_refused_and_write_nothing(app, auth_client, loaded, minutes):
    response = auth_client.post_form("/mock/start", {"minutes": minutes})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert count(app, StudySession) == 0


def test_topics_without_questions_say_so(app, auth_client, loaded):
    with app.app_context():
        orm = db.session.scalar(select(Topic.id).where(Topic.slug == "orm"))
    assert (
        auth_client.post_form("/mock/start", {"minutes": "15", "topic": ["999"]}).status_code == 400
    )
    session_id = begin(auth_client, topic=[str(orm)])
    assert {t for _, _, t, _ in items(app, session_id)} == {"short_answer", "single_choice"}


def test_progress_page_shows_the_history_and_trend(app, auth_client, loaded, clock):
    for _ in range(2):
        session_id = begin(auth_client)
        item_id, question_id, _, _ = pending(app, session_id)[0]
        post_answer(auth_client, app, item_id, question_id, right=True)
        auth_client.post_form(f"/mock/{session_id}/finish")
        clock.advance(hours=1)
    page = auth_client.get("/progress/").get_data(as_text=True)
    assert 'id="mock-interviews"' in page
    assert "Mock interview scores, oldest first: 2 points, from 100% to 100%" in page
    assert page.count('<td class="num">1 of 1</td>') == 2


def test_nothing_tells_the_result_while_the_interview_runs(
    app, auth_client, user_id, loaded, clock
):
    session_id = begin(auth_client)
    item_id, question_id, _, _ = pending(app, session_id)[0]
    assert post_answer(auth_client, app, item_id, question_id, right=True).status_code == 302
    # Posting the same answer again (a second tab) goes back to the interview, not feedback.
    again = post_answer(auth_client, app, item_id, question_id, right=True)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/mock/{session_id}")
    summary = auth_client.get(f"/quiz/sessions/{session_id}/summary")
    assert summary.headers["Location"].endswith(f"/mock/{session_id}/report")
    assert auth_client.get(summary.headers["Location"]).status_code == 302  # still running
    start_page = auth_client.get("/mock").get_data(as_text=True)
    assert "1 of 1 right" not in start_page
    assert f'href="/mock/{session_id}">Continue it</a>' in start_page
    assert "No mock interview yet" in auth_client.get("/progress/").get_data(as_text=True)
    history = auth_client.get(f"/progress/questions/{question_id}").get_data(as_text=True)
    assert "<td>new</td>" not in history and "badge good" not in history
    # Once it is over, all of it shows.
    auth_client.post_form(f"/mock/{session_id}/finish")
    history = auth_client.get(f"/progress/questions/{question_id}").get_data(as_text=True)
    assert "<td>new</td>" in history and "badge good" in history
    assert "1 of 1 right" in auth_client.get("/mock").get_data(as_text=True)


def test_the_daily_finish_button_keeps_a_mocks_questions(app, auth_client, loaded, clock):
    session_id = begin(auth_client)
    response = auth_client.post_form(f"/quiz/sessions/{session_id}/finish")
    assert response.status_code == 307
    assert response.headers["Location"].endswith(f"/mock/{session_id}/finish")
    follow = auth_client.post_form(response.headers["Location"])
    assert follow.status_code == 302
    report = auth_client.get(f"/mock/{session_id}/report").get_data(as_text=True)
    assert report.count('data-status="not reached"') == 9
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.finished_at == clock.now()


@pytest.mark.parametrize("then", ["undo", "adjust"])
def test_a_daily_new_item_answered_after_the_mock_keeps_the_log_consistent(
    app, auth_client, user_id, loaded, clock, then
):
    daily = start(auth_client)
    mock_id = begin(auth_client)
    # A question that is new in today's quiz and also asked in the mock interview.
    in_mock = {q: i for i, q, _, _ in pending(app, mock_id)}
    daily_item, question_id = next((i, q) for i, q, _, _ in items(app, daily) if q in in_mock)
    assert post_answer(auth_client, app, in_mock[question_id], question_id).status_code == 302
    assert post_answer(auth_client, app, daily_item, question_id).status_code == 302
    with app.app_context():
        modes = [r.mode for r in reviews(app, user_id)]
    assert modes == ["new", "practice"]  # the card exists since the mock: not new again
    if then == "undo":
        assert auth_client.post_form(f"/quiz/sessions/{daily}/undo").status_code == 302
    else:
        assert (
            auth_client.post_form(f"/quiz/items/{daily_item}/grade", {"grade": "3"}).status_code
            == 302
        )
    with app.app_context():
        assert db.session.scalar(select(CardState).where(CardState.question_id == question_id))
        assert list(verify_reviews()) == []
