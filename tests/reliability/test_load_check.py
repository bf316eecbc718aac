"""The load test's final check catches what it claims to: lost, doubled and drifted answers."""

from __future__ import annotations

import random

from sqlalchemy import select, update
from sqlalchemy.orm import make_transient
from werkzeug.datastructures import MultiDict

from bench.load import check_log, percentile
from bench.load_client import ANSWER_ACTION, Record, _answer_fields
from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySessionItem
from quizapp.vocabulary import QuestionType
from tests.factories import bank, load, mixed_bank, question
from tests.quiz.helpers import answer, start

EMAIL = "user@example.com"


def answered(app, auth_client, n: int = 3) -> Record:
    """Answer n questions through HTTP; return the client's record of them."""
    load(app, mixed_bank())
    session_id = start(auth_client)
    record = Record()
    for _ in range(n):
        response, item_id, question_id = answer(auth_client, app, session_id)
        assert response.status_code == 302
        record.accepted.append((EMAIL, item_id, question_id))
    return record


def test_a_faithful_log_passes(app, auth_client):
    check = check_log(app, answered(app, auth_client))
    assert check.clean and check.accepted == check.reviews == 3


def test_an_answer_missing_from_the_log_is_lost(app, auth_client):
    record = answered(app, auth_client)
    record.accepted.append((EMAIL, 999_999, record.accepted[0][2]))
    check = check_log(app, record)
    assert check.lost == 1 and check.items_missing == 1 and not check.clean


def test_an_answer_logged_twice_is_a_duplicate(app, auth_client):
    record = answered(app, auth_client)
    with app.app_context():
        first = db.session.scalar(select(Review).order_by(Review.id))
        db.session.expunge(first)
        make_transient(first)
        first.id = None
        db.session.add(first)
        db.session.commit()
    check = check_log(app, record)
    assert check.duplicated == 1 and check.mismatches >= 1 and not check.clean


def test_an_accepted_answer_the_client_never_saw_is_reported(app, auth_client):
    record = answered(app, auth_client)
    record.accepted.pop()
    check = check_log(app, record)
    assert check.items_unclaimed == 1 and check.duplicated == 1
    # Unless its outcome was unknown to the client (a transport error): then 0 or 1 is fine.
    record.unknown.append((EMAIL, answered_item(app)))
    assert check_log(app, record).clean


def answered_item(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(StudySessionItem.id)
            .where(StudySessionItem.review_id.is_not(None))
            .order_by(StudySessionItem.id.desc())
        )


def test_a_card_state_that_drifted_from_its_log_is_a_mismatch(app, auth_client):
    record = answered(app, auth_client)
    with app.app_context():
        db.session.execute(update(CardState).values(lapses=CardState.lapses + 1))
        db.session.commit()
    check = check_log(app, record)
    assert check.mismatches == 3 and not check.clean


def test_percentiles_are_nearest_rank():
    values = [float(i) for i in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0
    assert percentile([7.0], 0.99) == 7.0


def test_the_load_client_answers_every_question_type(app, auth_client, user_id):
    # A type the client cannot read fails the load test ("a question page of an unknown
    # kind"), so each one is asked here through the real pages.
    load(app, bank("kinds", [question(t.value, t.value) for t in QuestionType]))
    session_id = start(auth_client)
    rng = random.Random(3)
    seen = set()
    while (page := auth_client.get(f"/quiz/sessions/{session_id}")).status_code == 200:
        html = page.get_data(as_text=True)
        item_id = int(ANSWER_ACTION.search(html).group(1))
        response = auth_client.post(
            f"/quiz/items/{item_id}/answer", data=MultiDict(_answer_fields(html, rng))
        )
        with app.app_context():
            item = db.session.get(StudySessionItem, item_id)
            question_type = db.session.get(Question, item.question_id).type
            assert response.status_code == 302, (question_type, response.status_code)
            assert item.review_id is not None
        seen.add(question_type)
    assert page.headers["Location"].endswith("/summary")
    assert seen == set(QuestionType)
