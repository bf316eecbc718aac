"""Applying banks to the database: transactional, idempotent, progress kept."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from quizapp.banks.model import Topic as ParsedTopic
from quizapp.extensions import db
from quizapp.models import Bank, CardState, Question, Review, Topic
from quizapp.services.bank_import import ImportConflict, apply_import, plan_import
from tests.factories import bank, load, question
from tests.quiz.helpers import answer, count, start


def questions(app, slug="interview"):
    with app.app_context():
        rows = db.session.scalars(
            select(Question).join(Bank).where(Bank.slug == slug).order_by(Question.position)
        ).all()
        db.session.expunge_all()
        return rows


def test_import_adds_bank_topics_and_questions(app):
    plan = load(app, bank(questions=[question("a"), question("b", topic="orm")]))
    assert plan.new_bank and plan.added == ["a", "b"] and plan.topics_added == ["signals", "orm"]
    stored = questions(app)
    assert [q.key for q in stored] == ["a", "b"]
    assert stored[0].choices[0] == {"text": "Right", "correct": True}
    assert count(app, Topic) == 2


def test_reimport_of_same_bank_changes_nothing(app):
    parsed = bank()
    load(app, parsed)
    before = [(q.id, q.updated_at, q.revision) for q in questions(app)]
    plan = load(app, parsed)
    assert not plan.changed and plan.unchanged == ["q1", "q2", "q3"]
    assert [(q.id, q.updated_at, q.revision) for q in questions(app)] == before


def test_edit_updates_in_place_and_keeps_progress(app, auth_client, user_id, clock):
    load(app, bank())
    session_id = start(auth_client)
    answer(auth_client, app, session_id)
    answered = count(app, Review)
    assert answered == 1
    old = {q.key: q for q in questions(app)}
    edited = bank(
        version=2,
        questions=[question("q1", prompt="Edited prompt?"), question("q2"), question("q4")],
    )
    clock.advance(hours=1)
    plan = load(app, edited)
    assert plan.updated == ["q1"] and plan.added == ["q4"] and plan.retired == ["q3"]
    new = {q.key: q for q in questions(app)}
    assert new["q1"].id == old["q1"].id and new["q1"].prompt == "Edited prompt?"
    assert new["q1"].revision == 2
    assert not new["q3"].active and new["q3"].retired_at is not None
    # Progress and history survive.
    assert count(app, Review) == answered
    assert count(app, CardState) == 1


def test_retired_question_comes_back_with_its_id(app):
    load(app, bank())
    first = {q.key: q.id for q in questions(app)}
    load(app, bank(questions=[question("q1"), question("q2")]))
    plan = load(app, bank())
    assert plan.updated == ["q3"]
    again = {q.key: (q.id, q.active) for q in questions(app)}
    assert again["q3"] == (first["q3"], True)


def test_topic_owned_by_another_bank_is_a_conflict_and_writes_nothing(app):
    load(app, bank("first"))
    with pytest.raises(ImportConflict, match="already belongs to bank 'first'") as raised:
        load(app, bank("second", questions=[question("x")]))
    assert "rename it in this file (for example to 'second-signals')" in str(raised.value)
    assert count(app, Bank) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("quiz-one.gift", "quiz-two.gift"),  # no $CATEGORY: each gets its own default topic
        ("deck-one.txt", "deck-two.txt"),  # Anki notes in the "Default" deck
    ],
)
def test_made_up_topics_of_two_files_never_clash(app, first, second):
    from quizapp.banks import parse_bank

    texts = {
        ".gift": "$CATEGORY: $course$/Shared name\n\nWhat?{=a ~b}\n\nOther?{T}",
        ".txt": "#separator:tab\n#html:false\n#deck:Default\nfront\tback\n",
    }
    for name in (first, second):
        text = texts[name[name.rindex(".") :]]
        result = parse_bank(text.encode(), name)
        assert result.ok, [str(p) for p in result.errors]
        load(app, result.bank)
    with app.app_context():
        owners = db.session.execute(select(Topic.slug, Bank.slug).join(Bank)).all()
    assert len(owners) == 2 and len({bank for _, bank in owners}) == 2


def test_plan_import_writes_nothing(app):
    with app.app_context():
        plan = plan_import(bank())
        db.session.rollback()
    assert plan.added == ["q1", "q2", "q3"]
    assert count(app, Bank) == 0 and count(app, Question) == 0


def test_failure_mid_import_rolls_back_everything(app, monkeypatch):
    load(app, bank())
    import quizapp.services.bank_import as module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "_upsert_topics", boom)
    with app.app_context(), pytest.raises(RuntimeError):
        apply_import(bank(title="Renamed", questions=[question("q1", prompt="Changed?")]))
    stored = questions(app)
    assert [q.prompt for q in stored] == ["Prompt of q1?", "Prompt of q2?", "Prompt of q3?"]
    with app.app_context():
        assert db.session.scalar(select(Bank.title)) == "Interview questions"


def test_topic_metadata_change_is_an_update(app):
    load(app, bank())
    plan = load(app, bank(topics=(ParsedTopic("signals", "Django signals", "Renamed"),)))
    assert plan.metadata_changed
    with app.app_context():
        assert db.session.scalar(select(Topic.name)) == "Django signals"


def test_bulk_import_of_many_questions(app):
    many = [question(f"k{i}", difficulty=("easy", "medium", "hard")[i % 3]) for i in range(2000)]
    plan = load(app, bank(questions=many))
    assert len(plan.added) == 2000
    assert count(app, Question) == 2000


def test_an_import_planned_before_another_one_landed_is_a_conflict(app, clock, monkeypatch):
    # Planning runs before the write lock is taken, so another import can land in between;
    # the write then refuses the stale plan instead of mixing the two.
    load(app, bank())
    import quizapp.services.bank_import as module

    real_plan = module.plan_import
    theirs = bank(questions=[question("q1", prompt="Theirs?")])

    def plan_then_someone_else_imports(parsed):
        plan = real_plan(parsed)
        if parsed is theirs:
            return plan
        clock.advance(minutes=1)
        other = threading.Thread(target=load, args=(app, theirs))
        other.start()
        other.join()
        return plan

    monkeypatch.setattr(module, "plan_import", plan_then_someone_else_imports)
    with app.app_context(), pytest.raises(ImportConflict, match="changed by someone else"):
        apply_import(bank(questions=[question("q1", prompt="Mine?"), question("q9")]))
    assert [q.prompt for q in questions(app) if q.active] == ["Theirs?"]


def test_a_big_import_shows_nothing_until_all_of_it_is_written(app, monkeypatch):
    # New questions are written in several short transactions; until the last one publishes
    # them, no page or queue sees any, and an interrupted import is taken up by the next one.
    import quizapp.services.bank_import as module

    monkeypatch.setattr(module, "INSERT_BATCH", 2)
    monkeypatch.setattr(module, "_SQLITE_PAUSE_SECONDS", 0)
    load(app, bank())
    seen_between: list[int] = []
    real_guard = module._guard

    def interrupted(*args):
        with app.app_context():  # another unit of work, as a page would be
            seen_between.append(
                db.session.scalar(select(func.count()).where(Question.active.is_(True)))
            )
        if len(seen_between) == 3:
            raise RuntimeError("the process was stopped")
        real_guard(*args)

    monkeypatch.setattr(module, "_guard", interrupted)
    bigger = bank(questions=[question(f"q{i}") for i in range(1, 9)])
    with app.app_context(), pytest.raises(RuntimeError):
        apply_import(bigger)
    assert seen_between == [3, 3, 3]
    assert [q.key for q in questions(app) if q.active] == ["q1", "q2", "q3"]

    monkeypatch.setattr(module, "_guard", real_guard)
    plan = load(app, bigger)
    assert [q.key for q in questions(app) if q.active] == [f"q{i}" for i in range(1, 9)]
    assert plan.retired == [] and len({q.key for q in questions(app)}) == 8


def _cards_by_key(app, user_id):
    """{question key: (card's topic slug, card's active flag)} as the queue reads them."""
    with app.app_context():
        rows = db.session.execute(
            select(Question.key, Topic.slug, CardState.question_active)
            .join(CardState, CardState.question_id == Question.id)
            .join(Topic, Topic.id == CardState.topic_id)
            .where(CardState.user_id == user_id)
        ).all()
    return {key: (slug, active) for key, slug, active in rows}


def _queued_keys(app, user_id, topic_slugs=None):
    from quizapp.models import User
    from quizapp.services import study

    with app.app_context():
        user = db.session.get(User, user_id)
        topic_ids = None
        if topic_slugs is not None:
            topic_ids = db.session.scalars(select(Topic.id).where(Topic.slug.in_(topic_slugs)))
            topic_ids = list(topic_ids)
        items = study.daily_queue(user, study.today_for(user), topic_ids)
        keys = {q.id: q.key for q in db.session.scalars(select(Question))}
        return sorted(keys[item.question_id] for item in items)


def test_reimport_moves_and_retires_the_cards_the_queue_reads(app, auth_client, user_id, clock):
    load(app, bank(questions=[question("q1"), question("q2"), question("q3")]))
    session_id = start(auth_client)
    for _ in range(3):
        answer(auth_client, app, session_id)
    assert _cards_by_key(app, user_id) == {k: ("signals", True) for k in ("q1", "q2", "q3")}
    clock.advance(days=30)
    assert _queued_keys(app, user_id) == ["q1", "q2", "q3"]

    # q1 moves to a new topic, q3 leaves the bank, q2 only gets a new prompt.
    moved = bank(
        version=2,
        questions=[question("q1", topic="orm"), question("q2", prompt="New prompt of q2?")],
    )
    plan = load(app, moved)
    assert plan.updated == ["q1", "q2"] and plan.retired == ["q3"]
    assert plan.relinked == ["q1"]  # a prompt edit changes no card
    assert _cards_by_key(app, user_id) == {
        "q1": ("orm", True),
        "q2": ("signals", True),
        "q3": ("signals", False),
    }
    assert _queued_keys(app, user_id) == ["q1", "q2"]
    assert _queued_keys(app, user_id, ["orm"]) == ["q1"]
    assert _queued_keys(app, user_id, ["signals"]) == ["q2"]
    dashboard = auth_client.get("/")
    assert dashboard.status_code == 200

    # The first version again: q1 moves back, q3 comes back with its card.
    load(app, bank(version=3, questions=[question("q1"), question("q2"), question("q3")]))
    assert _cards_by_key(app, user_id) == {k: ("signals", True) for k in ("q1", "q2", "q3")}
    assert _queued_keys(app, user_id) == ["q1", "q2", "q3"]
