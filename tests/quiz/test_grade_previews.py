"""Each grade button says when the card would come back, as the SM-2 core computes it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.factories import bank, load, question
from tests.quiz.helpers import answer, card, next_item, start

DUE = re.compile(r'name="grade" value="(\d)".*?<span class="due">(?:· )?([^<]+)</span>', re.S)


def previews(page: str) -> dict[int, str]:
    return {int(grade): text for grade, text in DUE.findall(page)}


def test_a_new_flashcard_comes_back_tomorrow_whatever_the_grade(app, auth_client):
    load(app, bank("b", [question("f", "flashcard")]))
    session_id = start(auth_client)
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert previews(page) == dict.fromkeys(range(6), "tomorrow")


def test_grade_buttons_of_a_review_show_the_sm2_intervals(app, auth_client, user_id, clock):
    load(app, bank("b", [question("f", "flashcard")]))
    answer(auth_client, app, start(auth_client), grade=5)  # interval 1: due tomorrow
    clock.advance(days=1)
    session_id = start(auth_client)
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    # A failure starts over (1 day); a pass is the second repetition (6 days).
    expected = {0: "tomorrow", 1: "tomorrow", 2: "tomorrow"} | dict.fromkeys((3, 4, 5), "in 6 days")
    assert previews(page) == expected

    # On the feedback page, each grade it can be changed to says the same, and is kept.
    response, item_id, qid = answer(auth_client, app, session_id, grade=5)
    feedback = auth_client.get(f"/quiz/items/{item_id}").get_data(as_text=True)
    assert previews(feedback) == {g: expected[g] for g in range(5)}
    auth_client.post_form(f"/quiz/items/{item_id}/grade", {"grade": "1"})
    assert card(app, user_id, qid).due_day == date(2026, 3, 5) + timedelta(days=1)


def test_previews_respect_the_interview_date(app, auth_client, user_id, clock):
    from quizapp.extensions import db
    from quizapp.models import User

    load(app, bank("b", [question("f", "flashcard")]))
    answer(auth_client, app, start(auth_client), grade=5)
    clock.advance(days=1)
    with app.app_context():
        db.session.get(User, user_id).interview_date = date(2026, 3, 8)
        db.session.commit()
    session_id = start(auth_client)
    assert next_item(app, session_id) is not None
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    shown = previews(page)
    # 6 days would be after the interview on the 8th: the card comes back before it.
    assert shown[5] != "in 6 days" and shown[5] in ("tomorrow", "in 2 days")
