"""Admin item analysis and user flags."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question, QuestionFlag
from quizapp.services import item_analysis
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, count, next_item, reviews, start


def test_item_analysis_matches_the_log(app, clock):
    load(app, bank("b", [question("a"), question("b", "true_false")]))
    users = []
    for n in range(3):
        uid = make_user(app, f"u{n}@example.com")
        client = app.test_client()
        client.login(f"u{n}@example.com")
        session_id = start(client)
        tried = set()
        while (nxt := next_item(app, session_id)) is not None:
            # User n answers question "a" wrong on the first try when n is odd.
            right = nxt[2] in tried or n % 2 == 0
            tried.add(nxt[2])
            answer(client, app, session_id, right=right, elapsed_ms=60_000)
        users.append(uid)
    log = [r for uid in users for r in reviews(app, uid) if r.mode != "reask"]
    with app.app_context():
        stats = {s.question.key: s for s in item_analysis.item_stats()}
        keys = dict(db.session.execute(select(Question.id, Question.key)).all())
    for key, stat in stats.items():
        mine = [r for r in log if keys[r.question_id] == key]
        assert stat.attempts == len(mine)
        assert stat.correct == sum(r.correct for r in mine)
        assert stat.average_grade == sum(r.grade for r in mine) / len(mine)
        assert stat.leech_users == 0


def test_flag_a_question_and_admin_resolves_it(app, auth_client, admin_client):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    _, item_id, qid = answer(auth_client, app, session_id)
    page = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert "Report a problem" in page
    response = auth_client.post_form(
        f"/quiz/questions/{qid}/flag",
        {"reason": "wrong", "comment": "<b>B</b> is also right", "back": f"/quiz/items/{item_id}"},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/quiz/items/{item_id}"
    assert count(app, QuestionFlag) == 1
    listing = admin_client.get("/admin/questions").get_data(as_text=True)
    assert "&lt;b&gt;B&lt;/b&gt; is also right" in listing
    with app.app_context():
        flag_id = db.session.scalar(select(QuestionFlag.id))
    assert admin_client.post_form(f"/admin/flags/{flag_id}/resolve").status_code == 302
    assert count(app, QuestionFlag, QuestionFlag.resolved_at.is_not(None)) == 1
    assert admin_client.post_form(f"/admin/flags/{flag_id}/resolve").status_code == 404


def test_flagging_needs_a_seen_question_and_a_reason(app, auth_client):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    _, _, seen = answer(auth_client, app, session_id)
    with app.app_context():
        unseen = db.session.scalar(select(Question.id).where(Question.id != seen))
    assert (
        auth_client.post_form(f"/quiz/questions/{unseen}/flag", {"reason": "wrong"}).status_code
        == 404
    )
    bad = auth_client.post_form(f"/quiz/questions/{seen}/flag", {"reason": "because"})
    assert bad.status_code == 302
    assert (
        auth_client.post_form(
            f"/quiz/questions/{seen}/flag", {"reason": "other", "comment": "x" * 2001}
        ).status_code
        == 302
    )
    assert count(app, QuestionFlag) == 0


def test_questions_page_is_admin_only(auth_client, admin_client):
    assert auth_client.get("/admin/questions").status_code == 403
    assert admin_client.get("/admin/questions").status_code == 200


def test_item_analysis_counts_the_key_points_missed_most(app):
    load(app, bank("x", [question("e", "explain")]))
    ticks = [["0", "1", "2", "3"], ["0", "1"], ["1"], []]
    for n, points in enumerate(ticks):
        make_user(app, f"x{n}@example.com")
        client = app.test_client()
        client.login(f"x{n}@example.com")
        session_id = start(client)
        item_id, _, _ = next_item(app, session_id)
        response = client.post_form(
            f"/quiz/items/{item_id}/answer", {"version": "0", "points": points}
        )
        assert response.status_code == 302
    with app.app_context():
        (stat,) = item_analysis.item_stats()
    # Missed: point 0 by 2 of 4 answers, point 1 by 1, point 2 by 3, point 3 by 3.
    assert [(m.text, m.missed, m.answers) for m in stat.missed_points] == [
        ("post_save runs after Model.save()", 3, 4),
        ("bulk_create and update() send no signals", 3, 4),
        ("a sender notifies receivers", 2, 4),
        ("receivers are connected with @receiver", 1, 4),
    ]
    admin = app.test_client()
    make_user(app, "boss@example.com", admin=True)
    admin.login("boss@example.com")
    page = admin.get("/admin/questions").get_data(as_text=True)
    assert "post_save runs after Model.save() — missed in 75% of 4 first tries" in page
