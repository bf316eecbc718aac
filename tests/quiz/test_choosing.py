"""Choosing what to study: one-click topic and bank quizzes, interleaved new questions."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, StudySession, StudySessionItem, Topic, UserExcludedTopic
from tests.factories import bank, load, question
from tests.quiz.helpers import count, start


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
