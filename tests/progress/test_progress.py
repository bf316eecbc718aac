"""Progress figures, checked against values computed independently from the review log."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardState, Question, Topic, User
from quizapp.services import progress
from quizapp.services.dashboard import current_streak
from quizapp.spreadsheet import FORMULA_STARTS
from tests.conftest import make_user
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, card, next_item, reviews, start


def seed_banks(app):
    load(app, bank("signals-bank", [question(f"s{i}", topic="signals") for i in range(8)]))
    load(app, bank("orm-bank", [question(f"o{i}", "true_false", topic="orm") for i in range(8)]))


def simulate(client, app, clock, days, wrong=lambda day, qid: False):
    """Take the daily quiz on `days` days in a row; `wrong(day, qid)` picks first-try failures."""
    for day in range(days):
        session_id = start(client)
        tried = set()
        if session_id is not None:
            while (nxt := next_item(app, session_id)) is not None:
                # Re-asks (SM-2 rule 6) are answered right, or the session would never end.
                right = nxt[2] in tried or not wrong(day, nxt[2])
                tried.add(nxt[2])
                answer(client, app, session_id, right=right, elapsed_ms=30_000)
        clock.advance(days=1)


def today_of(clock):
    # The test user studies in UTC with the day starting at 04:00.
    return (clock.now() - timedelta(hours=4)).date()


def test_totals_heatmap_forecast_and_topics_match_the_log(app, auth_client, user_id, clock):
    seed_banks(app)
    simulate(auth_client, app, clock, 21, wrong=lambda day, qid: (day + qid) % 5 == 0)
    log = reviews(app, user_id)
    assert len(log) > 40
    today = today_of(clock)
    with app.app_context():
        user = db.session.get(User, user_id)
        totals = progress.totals(user, today)
        per_day = progress.reviews_per_day(user, today)
        ahead = progress.forecast(user, today)
        topics = {r.slug: r for r in progress.topic_progress(user, today)}
        cards = db.session.scalars(select(CardState).where(CardState.user_id == user_id)).all()
        topic_of = dict(db.session.execute(select(Question.id, Question.topic_id)).all())
        slug_of = {t.topic_id: t.slug for t in topics.values()}
    # Independently from the log and the card rows:
    assert totals.reviews_all == len(log)
    assert totals.reviews_today == sum(1 for r in log if r.study_day == today)
    assert totals.reviews_week == sum(
        1 for r in log if today - timedelta(days=6) <= r.study_day <= today
    )
    assert totals.seen == len(cards) == len({r.question_id for r in log})
    assert totals.learned == sum(1 for c in cards if c.repetitions >= 1)
    assert totals.mature == sum(1 for c in cards if c.interval_days >= 21)
    assert totals.seconds == round(sum(r.elapsed_ms or 0 for r in log) / 1000)
    assert per_day == dict(Counter(r.study_day for r in log))
    expected_forecast = Counter(
        max(c.due_day, today) for c in cards if c.due_day <= today + timedelta(days=29)
    )
    assert dict((d, n) for d, n in ahead if n) == dict(expected_forecast)
    assert len(ahead) == 30 and ahead[0][0] == today
    days = {r.study_day for r in log}
    expected_streak, day = 0, today if today in days else today - timedelta(days=1)
    while day in days:
        expected_streak, day = expected_streak + 1, day - timedelta(days=1)
    runs, longest = 0, 0
    for d in sorted(days):
        runs = runs + 1 if d - timedelta(days=1) in days else 1
        longest = max(longest, runs)
    assert (totals.streak, totals.longest_streak) == (expected_streak, longest)
    assert longest >= 2
    for slug in ("signals", "orm"):
        recent = [
            r
            for r in log
            if slug_of[topic_of[r.question_id]] == slug
            and r.study_day > today - timedelta(days=30)
            and r.mode != "reask"
        ]
        row = topics[slug]
        assert row.answers_30 == len(recent)
        assert row.correct_30 == sum(r.correct for r in recent)
        assert row.lapses_30 == sum(1 for r in recent if r.lapses_after > r.lapses_before)
        assert row.lapses == sum(
            c.lapses for c in cards if slug_of[topic_of[c.question_id]] == slug
        )
    page = auth_client.get("/progress/").get_data(as_text=True)
    assert "<svg" in page and "Answers per study day" in page
    assert f'{totals.reviews_all}</span><span class="label">all time' in page


def test_retention_counts_only_mature_cards(app, auth_client, user_id, clock):
    load(app, bank("b", [question("a", "true_false")]))
    # Pass on every due day until the card is mature, then fail once.
    for _ in range(90):
        session_id = start(auth_client)
        if session_id is not None:
            with app.app_context():
                interval = db.session.scalar(select(CardState.interval_days)) or 0
            answer(auth_client, app, session_id, right=interval < 21, elapsed_ms=60_000)
            if interval >= 21:
                break
        clock.advance(days=1)
    log = reviews(app, user_id)
    mature = [r for r in log if r.interval_before >= 21 and r.mode != "reask"]
    assert len(mature) == 1 and mature[0].grade < 3
    with app.app_context():
        ret = progress.retention(db.session.get(User, user_id), today_of(clock))
    assert ret.answers_all == 1 and ret.all_time == 0.0


def test_streak_follows_the_users_calendar(app, clock):
    uid = make_user(app, "kolkata@example.com", timezone="Asia/Kolkata", day_start_hour=4)
    load(app, bank("b", [question(f"q{i}") for i in range(30)]))
    client = app.test_client()
    client.login("kolkata@example.com")
    # 23:00 UTC is 04:30 next morning in Kolkata (a new study day); 22:00 UTC is 03:30,
    # still the previous study day although the calendar date has changed.
    for when in ("2026-03-01T23:00", "2026-03-03T22:00", "2026-03-04T00:00"):
        clock.set(datetime.fromisoformat(when).replace(tzinfo=UTC))
        session_id = start(client)
        answer(client, app, session_id)
    days = sorted({r.study_day for r in reviews(app, uid)})
    assert days == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    with app.app_context():
        assert current_streak(uid, date(2026, 3, 4)) == 3
        assert current_streak(uid, date(2026, 3, 5)) == 3  # today not studied yet
        assert current_streak(uid, date(2026, 3, 6)) == 0


def test_question_history_and_exports_are_private(app, auth_client, user_id):
    seed_banks(app)
    session_id = start(auth_client)
    _, _, qid = answer(auth_client, app, session_id)
    assert auth_client.get(f"/progress/questions/{qid}").status_code == 200
    other = make_user(app, "other@example.com")
    other_client = app.test_client()
    other_client.login("other@example.com")
    assert other_client.get(f"/progress/questions/{qid}").status_code == 404
    assert other_client.post_form(f"/progress/cards/{qid}/suspend").status_code == 404
    assert card(app, user_id, qid).suspended is False
    exported = other_client.get("/progress/export/reviews.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(exported)))[1:] == []
    mine = list(
        csv.DictReader(
            io.StringIO(auth_client.get("/progress/export/reviews.csv").get_data(as_text=True))
        )
    )
    assert len(mine) == 1 and mine[0]["mode"] == "new" and mine[0]["bank"] == "signals-bank"
    cards_csv = list(
        csv.DictReader(
            io.StringIO(auth_client.get("/progress/export/cards.csv").get_data(as_text=True))
        )
    )
    assert [row["question_key"] for row in cards_csv] == ["s0"]
    assert other != user_id


def test_practice_failure_resets_success_leaves_schedule(app, auth_client, user_id, clock):
    load(app, bank("b", [question("a"), question("b")]))
    session_id = start(auth_client)
    answer(auth_client, app, session_id, elapsed_ms=1000)  # a: right
    answer(auth_client, app, session_id, elapsed_ms=1000)  # b: right
    clock.advance(days=1)
    session_id = start(auth_client)
    while next_item(app, session_id):
        answer(auth_client, app, session_id, elapsed_ms=1000)
    with app.app_context():
        ids = dict(db.session.execute(select(Question.key, Question.id)).all())
    before = {k: card(app, user_id, ids[k]) for k in ids}
    assert before["a"].due_day > today_of(clock) + timedelta(days=1)
    with app.app_context():
        topic_id = db.session.get(Question, ids["a"]).topic_id
    response = auth_client.post_form("/progress/practice", {"topic": [str(topic_id)]})
    assert response.status_code == 302
    practice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    first = next_item(app, practice_id)
    answer(auth_client, app, practice_id, right=True, elapsed_ms=1000)
    kept = card(app, user_id, first[2])
    assert (kept.due_day, kept.interval_days, kept.repetitions) == (
        before_by_id(before, first[2]).due_day,
        before_by_id(before, first[2]).interval_days,
        before_by_id(before, first[2]).repetitions,
    )
    second = next_item(app, practice_id)
    answer(auth_client, app, practice_id, right=False)
    failed = card(app, user_id, second[2])
    assert failed.repetitions == 0 and failed.interval_days == 1
    assert failed.due_day == today_of(clock) + timedelta(days=1)
    assert failed.lapses == before_by_id(before, second[2]).lapses + 1
    modes = [r.mode for r in reviews(app, user_id)][-2:]
    assert modes == ["practice", "practice"]


def before_by_id(before, qid):
    return next(c for c in before.values() if c.question_id == qid)


def test_leech_is_flagged_and_can_be_reset_or_suspended(app, auth_client, user_id, clock, runner):
    load(app, bank("b", [question("a", "true_false")]))
    for _ in range(9):
        session_id = start(auth_client)
        answer(auth_client, app, session_id, right=False)
        while next_item(app, session_id):
            answer(auth_client, app, session_id, right=True)
        clock.advance(days=1)
    page = auth_client.get("/progress/weak").get_data(as_text=True)
    assert "Leeches" in page and "failed 8 or more times" in page
    qid = reviews(app, user_id)[0].question_id
    assert auth_client.post_form(f"/progress/cards/{qid}/suspend").status_code == 302
    assert card(app, user_id, qid).suspended
    assert start(auth_client) is None  # suspended cards are never due
    assert auth_client.post_form(f"/progress/cards/{qid}/reset").status_code == 302
    reset = card(app, user_id, qid)
    assert (reset.repetitions, reset.easiness, reset.interval_days, reset.suspended) == (
        0,
        250,
        0,
        False,
    )
    assert reset.lapses >= 8
    result = runner.invoke(args=["reviews", "verify"])
    assert result.exit_code == 0, result.output


def test_weak_topics_list_reasons(app, auth_client, clock):
    seed_banks(app)
    simulate(auth_client, app, clock, 6, wrong=lambda day, qid: qid > 8 and day > 0)
    page = auth_client.get("/progress/weak").get_data(as_text=True)
    assert "What is slipping" in page
    assert "Orm" in page and "accuracy" in page


def test_question_history_shows_the_choice_texts_the_user_picked(app, auth_client):
    load(app, bank("b", [question("q", "multiple_choice")]))
    session_id = start(auth_client)
    _, _, qid = answer(auth_client, app, session_id, right=False)
    page = auth_client.get(f"/progress/questions/{qid}").get_data(as_text=True)
    assert '<td class="prose">Wrong</td>' in page
    assert "choice 2" not in page
    answer(auth_client, app, session_id, right=True)  # the re-ask
    page = auth_client.get(f"/progress/questions/{qid}").get_data(as_text=True)
    assert '<td class="prose">Right 1; Right 2</td>' in page


def test_topics_not_started_are_grouped_apart_from_the_weakness_ranking(app, auth_client):
    load(
        app,
        bank("b", [question("s1", topic="studied"), question("u1", topic="untouched")]),
    )
    with app.app_context():
        studied = db.session.scalar(select(Topic.id).where(Topic.slug == "studied"))
    session_id = start(auth_client, topics=[studied])
    answer(auth_client, app, session_id, right=True)
    page = auth_client.get("/progress/?sort=weakness").get_data(as_text=True)
    table, _, rest = page.partition("Not started yet (1 topic)")
    assert ">Studied</bdi>" in table and ">Untouched</bdi>" not in table
    assert ">Untouched</bdi>" in rest


FORMULA_KEYS = ['=HYPERLINK("http://attacker.example")', "+1+1", "-2+3", "@SUM(1+1)"]


def test_exports_start_no_cell_with_a_spreadsheet_formula(app, auth_client):
    load(app, bank("formula-bank", [question(key, topic="signals") for key in FORMULA_KEYS]))
    session_id = start(auth_client)
    for _ in FORMULA_KEYS:
        answer(auth_client, app, session_id, right=True)
    for url in ("/progress/export/reviews.csv", "/progress/export/cards.csv"):
        text = auth_client.get(url).get_data(as_text=True)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted(row["question_key"] for row in rows) == sorted("'" + k for k in FORMULA_KEYS)
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], url
        # Text is quoted, so a semicolon or tab inside cannot start a cell; numbers are not.
        first_row = text.splitlines()[1]
        assert first_row.startswith('"')
