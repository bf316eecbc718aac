"""The hot queries use the indexes meant for them (SQLite's EXPLAIN QUERY PLAN).

The statements are recorded while the app builds today's queue and serves the dashboard,
the progress page and the quiz pages, then explained one by one: none may scan a table that
grows with use (card states, reviews, session items) and the named indexes must be used.
"""

from __future__ import annotations

import re

import pytest

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import study
from tests.conftest import is_postgres
from tests.perf.helpers import pages, recorded, statements_of, studied

pytestmark = pytest.mark.skipif(is_postgres(), reason="EXPLAIN QUERY PLAN is SQLite's")

GROWING = ("card_states", "reviews", "study_session_items", "study_sessions", "outbox")
FULL_SCAN = re.compile(rf"^SCAN ({'|'.join(GROWING)})\b")

# Each query of today's queue and the indexes it must search.
QUEUE_INDEXES = {
    "new_done_today": ["ix_card_states_user_introduced"],
    "done_today": ["ix_card_states_user_introduced", "ix_reviews_user_day"],
    # Due reviews come from the covering index alone: no card or question row is read.
    "due_cards": ["COVERING INDEX ix_card_states_queue"],
    # New questions: a walk in bank order per topic, probing "never seen" on the unique
    # (user_id, question_id) index.
    "new_cards": [
        "ix_questions_new_order",
        "sqlite_autoindex_card_states_1 (user_id=? AND question_id=?)",
    ],
}
PAGE_INDEXES = {
    "dashboard": ["ix_card_states_queue", "ix_reviews_user_day"],
    "progress": ["ix_card_states_queue", "ix_reviews_user_day"],
    # The next item is the first ready entry of the pending items' partial index; the
    # progress counts read the counts index alone.
    "question": [
        "ix_study_session_items_pending",
        "COVERING INDEX ix_study_session_items_counts",
    ],
    # The last answer (for undo) is the newest answered entry of the same index.
    "feedback": [
        "ix_study_session_items_pending",
        "COVERING INDEX ix_study_session_items_counts",
    ],
}


def plan(statement: str) -> list[str]:
    """SQLite's plan lines for a statement (parameters bound to NULL: the plan is the same)."""
    parameters = (None,) * statement.count("?")
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    return [row[3] for row in rows]


def plans(app, statements: list[str]) -> list[list[str]]:
    """The plan of each statement."""
    with app.app_context():
        return [plan(s) for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def full_scans(all_plans: list[list[str]]) -> list[str]:
    """Plan lines that read a whole growing table."""
    return [line for lines in all_plans for line in lines if FULL_SCAN.match(line)]


@pytest.fixture
def ids(app, auth_client, user_id):
    """An account with a session, some answers and a bank of 30 questions."""
    return studied(app, auth_client, user_id, 30, 12)


def test_todays_queue_searches_its_indexes(app, user_id, ids):
    from quizapp.services import queue_data

    with app.app_context():
        user = db.session.get(User, user_id)
        today = study.today_for(user)
    for name, indexes in QUEUE_INDEXES.items():
        with app.app_context():
            user = db.session.get(User, user_id)
            with recorded(app) as seen:
                if name == "due_cards":
                    queue_data.due_cards(user_id, today, limit=200)
                elif name == "new_cards":
                    queue_data.new_cards(user_id, 20)
                else:
                    getattr(queue_data, name)(user_id, today)
        explained = plans(app, seen)
        assert explained, name
        used = "\n".join(line for lines in explained for line in lines)
        assert all(index in used for index in indexes), (name, explained)
        assert not full_scans(explained), (name, explained)
        if name == "due_cards":
            assert "questions" not in used, explained


def test_the_whole_queue_build_scans_no_growing_table(app, user_id, ids):
    with app.app_context():
        user = db.session.get(User, user_id)
        with recorded(app) as seen:
            study.daily_queue(user, study.today_for(user))
    explained = plans(app, seen)
    # Today's two counts, the due reviews, the topics with unseen questions, their first few.
    assert len(explained) == 4
    assert not full_scans(explained), explained


@pytest.mark.parametrize("page", sorted(PAGE_INDEXES))
def test_pages_search_their_indexes(app, auth_client, ids, page):
    url = pages(ids)[page]
    statements = statements_of(app, lambda: auth_client.get(url))
    explained = plans(app, statements)
    assert not full_scans(explained), (page, full_scans(explained))
    used = "\n".join(line for lines in explained for line in lines)
    missing = [index for index in PAGE_INDEXES[page] if index not in used]
    assert not missing, (page, missing, used)


def test_the_next_item_is_read_in_index_order_without_sorting(app, auth_client, ids):
    statements = statements_of(app, lambda: auth_client.get(pages(ids)["question"]))
    # The session, its progress counts, its next ready item, the question and the card: one
    # statement.
    next_item = [s for s in statements if "answered_at IS NULL" in s and "LIMIT" in s]
    assert len(next_item) == 1, statements
    lines = plans(app, next_item)[0]
    pending = (
        "SEARCH study_session_items USING INDEX ix_study_session_items_pending "
        "(session_id=? AND answered_at=?)"
    )
    assert pending in lines, lines
    assert not [line for line in lines if "TEMP B-TREE" in line], lines
    assert not full_scans([lines]), lines
