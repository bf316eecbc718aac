"""Tampered quiz fields and other users' ids: a clear 4xx and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Review, StudySessionItem
from tests.conftest import make_user
from tests.quiz.helpers import answer_data, next_item, start
from tests.security.conftest import changed_tables, db_snapshot
from tests.security.world import OTHER, OTHER_ADMIN, OWNER, build_world, logged_in

# Per question type: tampered answer fields that must be refused (422, or 400 for a form the
# validators refuse, or 409 for a version that is not the one shown).
TAMPERED = {
    "single_choice": [
        {"choice": "99"},
        {"choice": "-1"},
        {"choice": ["0", "1"]},
        {"choice": "²"},
        {"choice": "9" * 12},
        {},
    ],
    "multiple_choice": [{"choice": ["0", "99"]}, {"choice": "-3"}, {"choice": "x"}, {}],
    "true_false": [{"truth": "maybe"}, {"truth": "1"}, {}],
    "short_answer": [{"text": ""}, {"text": "   "}, {"text": "x" * 501}],
    "flashcard": [
        {"grade": "6"},
        {"grade": "-1"},
        {"grade": "3.5"},
        {"grade": "²"},
        {"grade": "9" * 40},
        {},
    ],
}
TAMPERED_VERSIONS = ["7", "-1", "99999999999999999999", "abc"]


@pytest.fixture
def world(app):
    return build_world(app)


def test_tampered_answers_are_refused_for_every_question_type(app, world):
    make_user(app, "fresh@example.com")
    owner = logged_in(app, "fresh@example.com")
    session_id = start(owner)
    seen_types = set()
    while (item := next_item(app, session_id)) is not None:
        item_id, qtype, question_id = item
        if qtype in seen_types:
            break  # a re-asked question: every type has been covered
        seen_types.add(qtype)
        url = f"/quiz/items/{item_id}/answer"
        for fields in TAMPERED[qtype]:
            before = db_snapshot(app)
            response = owner.post_form(url, {"version": "0", **fields})
            assert response.status_code in (400, 422), (qtype, fields, response.status_code)
            assert changed_tables(before, db_snapshot(app)) == [], (qtype, fields)
        valid = answer_data(app, question_id)
        for version in TAMPERED_VERSIONS:
            before = db_snapshot(app)
            response = owner.post_form(url, {**valid, "version": version})
            # A version that is not the card's is a stale page: 409, nothing applied.
            assert response.status_code in (409, 422), (qtype, version, response.status_code)
            assert changed_tables(before, db_snapshot(app)) == [], (qtype, version)
        answered = owner.post_form(url, {**valid, "version": "0", "elapsed_ms": "-5"})
        assert answered.status_code == 302
        # A tampered timing is ignored (stored as untimed), never trusted.
        with app.app_context():
            review = db.session.scalar(
                select(Review)
                .join(StudySessionItem, StudySessionItem.review_id == Review.id)
                .where(StudySessionItem.id == item_id)
            )
            assert review.elapsed_ms is None
        # The same item again: already answered.
        before = db_snapshot(app)
        again = owner.post_form(url, {**valid, "version": "0"})
        assert again.status_code in (404, 409)
        assert changed_tables(before, db_snapshot(app)) == []
    assert seen_types == set(TAMPERED)


@pytest.mark.parametrize("grade", ["6", "-1", "", "x", "9" * 40, "²", "3.0"])
def test_tampered_grade_adjustments_are_refused(app, world, grade):
    owner = logged_in(app, OWNER)
    before = db_snapshot(app)
    response = owner.post_form(f"/quiz/items/{world.answered_item_id}/grade", {"grade": grade})
    assert response.status_code in (400, 409, 422)
    assert changed_tables(before, db_snapshot(app)) == []


def others_requests(world):
    """(method, url, fields) a user may try with the owner's ids."""
    return [
        ("GET", f"/quiz/sessions/{world.session_id}", None),
        ("GET", f"/quiz/sessions/{world.session_id}/summary", None),
        ("GET", f"/quiz/items/{world.answered_item_id}", None),
        ("GET", f"/progress/questions/{world.question_id}", None),
        ("POST", f"/quiz/items/{world.open_item_id}/answer", {"version": "0", "grade": "4"}),
        ("POST", f"/quiz/items/{world.answered_item_id}/grade", {"grade": "2"}),
        ("POST", f"/quiz/sessions/{world.session_id}/undo", {}),
        ("POST", f"/quiz/questions/{world.question_id}/flag", {"reason": "wrong"}),
        ("POST", f"/progress/cards/{world.question_id}/suspend", {}),
        ("POST", f"/progress/cards/{world.question_id}/reset", {}),
    ]


def admin_requests(world):
    return [
        ("GET", f"/admin/banks/pending/{world.pending_id}", None),
        ("POST", f"/admin/banks/pending/{world.pending_id}/apply", {}),
        ("POST", f"/admin/banks/pending/{world.pending_id}/discard", {}),
    ]


@pytest.mark.parametrize(
    ("email", "requests"),
    [(OTHER, others_requests), (OTHER_ADMIN, others_requests), (OTHER_ADMIN, admin_requests)],
    ids=["user-on-users-data", "admin-on-users-data", "admin-on-other-admins-upload"],
)
def test_other_users_ids_are_not_found_and_nothing_is_written(app, world, email, requests):
    intruder = logged_in(app, email)
    for method, url, fields in requests(world):
        before = db_snapshot(app)
        if method == "GET":
            response = intruder.get(url)
        else:
            response = intruder.post_form(url, fields)
        assert response.status_code == 404, (method, url, response.status_code)
        assert changed_tables(before, db_snapshot(app)) == [], (method, url)
