"""Choosing what to study: one-click topic and bank quizzes, interleaved new questions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    Bank,
    CardState,
    Question,
    Review,
    StudySession,
    StudySessionItem,
    Topic,
    User,
    UserExcludedTopic,
)
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, count, next_item, start


def topic_id(app, slug: str) -> int:
    """The id of a topic by slug."""
    with app.app_context():
        return db.session.scalar(select(Topic.id).where(Topic.slug == slug))


def bank_id(app, slug: str) -> int:
    """The id of a bank by slug."""
    with app.app_context():
        return db.session.scalar(select(Bank.id).where(Bank.slug == slug))


def session_topics(app, session_id: int) -> list[str]:
    """The topic slug of each item of a session, in order."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Topic.slug)
                .join(Question, Question.topic_id == Topic.id)
                .join(StudySessionItem, StudySessionItem.question_id == Question.id)
                .where(StudySessionItem.session_id == session_id)
                .order_by(StudySessionItem.sort_key)
            )
        )


def two_banks(app) -> None:
    """Django (three topics) and SQL (two topics), four questions each topic."""
    load(
        app,
        bank(
            "django",
            [question(f"{t}{i}", topic=t) for t in ("m2m", "orm", "views") for i in range(4)],
            title="Django",
        ),
    )
    load(
        app,
        bank("sql", [question(f"{t}{i}", topic=t) for t in ("joins", "indexes") for i in range(4)]),
    )


def test_dashboard_groups_topics_by_bank_with_study_buttons(app, auth_client):
    two_banks(app)
    page = auth_client.get("/").get_data(as_text=True)
    # One folded group per bank, each with its own "Study this bank" and per-topic buttons.
    assert page.count('<details class="bank-details">') == 2
    assert f'name="bank" value="{bank_id(app, "django")}"' in page
    assert f'name="topic" value="{topic_id(app, "orm")}" class="button small"' in page
    assert page.count(">Study this<span") == 5
    # Select all/none are buttons the script reveals (no inline script: the CSP forbids it).
    assert "data-topic-bulk hidden" in page and "<script>" not in page
    assert "none ticked means all" not in page


def test_study_this_topic_starts_a_quiz_on_that_topic_only(app, auth_client, user_id):
    two_banks(app)
    orm = topic_id(app, "orm")
    session_id = start(auth_client, topics=[orm])
    assert session_topics(app, session_id) == ["orm"] * 4
    with app.app_context():
        assert db.session.get(StudySession, session_id).topic_ids == [orm]
    # The user's studied topics are unchanged: a one-off quiz, not a new choice.
    assert count(app, UserExcludedTopic) == 0


def test_study_this_bank_starts_a_quiz_on_the_banks_topics(app, auth_client):
    two_banks(app)
    response = auth_client.post_form("/quiz/start", {"bank": str(bank_id(app, "sql"))})
    assert response.status_code == 302
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert sorted(set(session_topics(app, session_id))) == ["indexes", "joins"]
    with app.app_context():
        topics = db.session.get(StudySession, session_id).topic_ids
    assert topics == sorted([topic_id(app, "joins"), topic_id(app, "indexes")])


def test_unknown_or_bad_bank_is_refused_and_writes_nothing(app, auth_client):
    two_banks(app)
    for value in ("999999", "abc", "", "-1"):
        response = auth_client.post_form("/quiz/start", {"bank": value})
        assert response.status_code == 400, value
    assert count(app, StudySession) == 0


def test_study_this_needs_csrf(app, auth_client):
    two_banks(app)
    response = auth_client.post("/quiz/start", data={"bank": str(bank_id(app, "sql"))})
    assert response.status_code == 400
    assert count(app, StudySession) == 0


def test_new_questions_take_turns_across_topics(app, auth_client):
    two_banks(app)
    session_id = start(auth_client)
    slugs = session_topics(app, session_id)
    # Ten new questions over five topics: two of each, never the same topic twice in a row.
    assert len(slugs) == 10
    assert {slug: slugs.count(slug) for slug in set(slugs)} == dict.fromkeys(
        ["m2m", "orm", "views", "joins", "indexes"], 2
    )
    assert slugs[:5] == slugs[5:] and len(set(slugs[:5])) == 5


def set_user(app, user_id: int, **fields) -> None:
    """Change columns of a user directly."""
    with app.app_context():
        user = db.session.get(User, user_id)
        for name, value in fields.items():
            setattr(user, name, value)
        db.session.commit()


def user_row(app, user_id: int) -> tuple:
    """(new_per_day, extra_new, extra_new_day) of a user."""
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.new_per_day, user.extra_new, user.extra_new_day


def sql_bank(app, size: int = 5) -> int:
    """A bank with one topic, "Sql", of `size` questions; return the topic id."""
    load(app, bank("sql", [question(f"s{i}", topic="sql") for i in range(size)]))
    return topic_id(app, "sql")


def finish(client, app, session_id: int) -> None:
    """Answer every question of a session right."""
    while next_item(app, session_id) is not None:
        response, _, _ = answer(client, app, session_id, right=True)
        assert response.status_code == 302


def test_daily_new_limit_is_explained_with_numbers_and_a_link(app, auth_client, user_id):
    sql = sql_bank(app, 5)
    set_user(app, user_id, new_per_day=2)
    finish(auth_client, app, start(auth_client, topics=[sql]))
    response = auth_client.post_form("/quiz/start", {"topic": [str(sql)]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quiz/new-limit?topic={sql}")
    assert count(app, StudySession, StudySession.finished_at.is_(None)) == 0
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have started your 2 new questions for today" in page
    assert "3 more are waiting in <bdi>Sql</bdi>" in page
    assert 'href="/settings#new_per_day"' in page
    assert "all caught up" not in page.lower()
    # The dashboard says the same instead of "All caught up".
    dashboard = auth_client.get("/").get_data(as_text=True)
    assert "You have started your 2 new questions for today" in dashboard
    assert "All caught up" not in dashboard


def test_study_more_new_today_starts_a_session_and_counts_against_today_only(
    app, auth_client, user_id, clock
):
    sql = sql_bank(app, 10)
    set_user(app, user_id, new_per_day=2)
    finish(auth_client, app, start(auth_client, topics=[sql]))
    response = auth_client.post_form("/quiz/more-new", {"more": "3", "topic": [str(sql)]})
    assert response.status_code == 302
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        items = db.session.scalars(
            select(StudySessionItem).where(StudySessionItem.session_id == session_id)
        ).all()
        today = db.session.get(StudySession, session_id).study_day
    assert len(items) == 3 and {item.kind for item in items} == {"new"}
    # Recorded for today; the setting itself is unchanged.
    assert user_row(app, user_id) == (2, 3, today)
    # A reload resumes the same session; after it, the day's allowance is used up again.
    assert start(auth_client, topics=[sql]) == session_id
    finish(auth_client, app, session_id)
    assert count(app, CardState, CardState.user_id == user_id) == 5
    assert (
        auth_client.post_form("/quiz/start", {"topic": [str(sql)]})
        .headers["Location"]
        .endswith("/quiz/new-limit?topic=" + str(sql))
    )
    # Asking again counts from what was started: 1 more is one more question.
    response = auth_client.post_form("/quiz/more-new", {"more": "1", "topic": [str(sql)]})
    assert user_row(app, user_id) == (2, 4, today)
    # The next day only the setting counts: two new questions.
    clock.advance(days=1)
    session_id = start(auth_client, topics=[sql])
    assert session_id is not None
    with app.app_context():
        assert [item.kind for item in study_items(session_id)].count("new") == 2


def study_items(session_id: int) -> list:
    """The items of a session (inside an app context)."""
    return list(
        db.session.scalars(
            select(StudySessionItem).where(StudySessionItem.session_id == session_id)
        )
    )


@pytest.mark.parametrize("more", ["", "0", "101", "abc", "-3", "2.5"])
def test_bad_number_of_more_new_questions_is_refused_beside_the_input(
    app, auth_client, user_id, more
):
    sql = sql_bank(app, 5)
    set_user(app, user_id, new_per_day=2)
    finish(auth_client, app, start(auth_client, topics=[sql]))
    sessions = count(app, StudySession)
    response = auth_client.post_form("/quiz/more-new", {"more": more, "topic": [str(sql)]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error" id="more-error"' in page and 'aria-invalid="true"' in page
    assert user_row(app, user_id)[1:] == (0, None)
    assert count(app, StudySession) == sessions


def test_more_new_needs_csrf(app, auth_client, user_id):
    sql_bank(app, 3)
    response = auth_client.post("/quiz/more-new", data={"more": "2"})
    assert response.status_code == 400
    assert user_row(app, user_id)[1:] == (0, None)


def test_topic_quiz_asks_before_closing_the_open_daily_quiz(app, auth_client, user_id):
    two_banks(app)
    daily = start(auth_client)
    # Miss one question: its re-ask is pending in the daily quiz.
    answer(auth_client, app, daily, right=False)
    with app.app_context():
        reasks = count(app, StudySessionItem, StudySessionItem.kind == "reask")
    assert reasks == 1
    orm = topic_id(app, "orm")
    response = auth_client.post_form("/quiz/start", {"topic": [str(orm)]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quiz/switch?topic={orm}")
    # Nothing was closed or created.
    with app.app_context():
        assert db.session.get(StudySession, daily).finished_at is None
    assert count(app, StudySession) == 1
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "10 questions to go" in page and "1 of them a question you missed" in page
    assert f'href="/quiz/sessions/{daily}"' in page
    # Choosing to replace it closes it and starts the topic quiz; the answer stays recorded.
    response = auth_client.post_form("/quiz/start", {"topic": [str(orm)], "replace": "1"})
    topic_quiz = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(StudySession, daily).finished_at is not None
        assert db.session.get(StudySession, topic_quiz).topic_ids == [orm]
    assert count(app, Review, Review.user_id == user_id) == 1


def test_continuing_keeps_the_open_quiz_and_its_reasks(app, auth_client, user_id):
    two_banks(app)
    daily = start(auth_client)
    answer(auth_client, app, daily, right=False)
    auth_client.post_form("/quiz/start", {"bank": str(bank_id(app, "sql"))})
    # The user follows "Continue that quiz": the same session, the re-ask still to come.
    assert auth_client.get("/quiz").headers["Location"].endswith(f"/quiz/sessions/{daily}")
    assert start(auth_client) == daily
    assert (
        count(
            app,
            StudySessionItem,
            StudySessionItem.kind == "reask",
            StudySessionItem.answered_at.is_(None),
        )
        == 1
    )


def test_switch_page_without_an_open_quiz_goes_back_to_the_dashboard(app, auth_client):
    two_banks(app)
    response = auth_client.get("/quiz/switch?topic=1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert auth_client.get("/quiz/switch?topic=abc").status_code == 400
    assert count(app, StudySession) == 0


def test_study_this_works_on_a_topic_left_out_of_the_daily_choice(app, auth_client):
    two_banks(app)
    orm, joins = topic_id(app, "orm"), topic_id(app, "joins")
    assert auth_client.post_form("/topics", {"topic": [str(orm)]}).status_code == 302
    assert count(app, UserExcludedTopic) == 4
    session_id = start(auth_client, topics=[joins])
    assert session_id is not None
    assert session_topics(app, session_id) == ["joins"] * 4
    # The daily quiz still keeps to the saved choice.
    assert count(app, UserExcludedTopic) == 4
