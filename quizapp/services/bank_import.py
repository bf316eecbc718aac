"""Applying a parsed bank to the database: idempotent, and seen by users all at once."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, column, insert, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from quizapp.banks.model import Bank as ParsedBank
from quizapp.banks.model import Question as ParsedQuestion
from quizapp.clock import utcnow
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.models import Bank, CardState, Question, Topic
from quizapp.rendering import question_html
from quizapp.scheduling.queue import DIFFICULTY_ORDER
from quizapp.services.cards import question_copies

# New questions are inserted this many per transaction: each holds the write lock briefly.
INSERT_BATCH = 500
# Question ids per statement when a re-import rewrites cards (well under any bound-parameter cap).
RELINK_BATCH = 1000
_SQLITE_PAUSE_SECONDS = 0.12


class ImportConflict(Exception):
    """The bank cannot be applied as it stands (e.g. a topic owned by another bank)."""


@dataclass
class ImportPlan:
    """What importing a bank changes, question keys by kind of change."""

    slug: str
    title: str
    new_bank: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    topics_added: list[str] = field(default_factory=list)
    metadata_changed: bool = False
    # What the plan was made against: stored question ids by key, and the bank's last import
    # (the version the write checks, so a plan never applies over another import).
    bank_id: int | None = field(default=None, repr=False)
    imported_at: datetime | None = field(default=None, repr=False)
    question_ids: dict[str, int] = field(default_factory=dict, repr=False)
    # Updated questions that change topic or come back from retirement: their cards' copies
    # of the topic and active flag are rewritten with them.
    relinked: list[str] = field(default_factory=list, repr=False)

    @property
    def changed(self) -> bool:
        """Tell whether applying the plan writes anything."""
        return bool(
            self.new_bank
            or self.added
            or self.updated
            or self.retired
            or self.topics_added
            or self.metadata_changed
        )

    def summary(self) -> str:
        """One line: added / updated / retired / unchanged."""
        return (
            f"{self.slug}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.retired)} retired, {len(self.unchanged)} unchanged"
        )


def stored_answer(parsed: ParsedQuestion) -> Any:
    """The ``answer`` column: a flashcard's back, true/false, matching pairs or number ranges."""
    if parsed.pairs:
        return [{"left": p.left, "right": p.right} for p in parsed.pairs]
    if parsed.numbers:
        return [{"low": str(n.low), "high": str(n.high)} for n in parsed.numbers]
    return parsed.answer


def rendered_html(parsed: ParsedQuestion) -> dict[str, Any]:
    """The question's Markdown rendered to HTML, as stored with it (Question.rendered)."""
    return question_html(
        parsed.prompt,
        parsed.explanation,
        parsed.answer if isinstance(parsed.answer, str) else None,
        [c.text for c in parsed.choices],
        [p.left for p in parsed.pairs],
    )


def _question_values(parsed: ParsedQuestion) -> dict[str, Any]:
    # Rendered here, with the rest of the rows, before the import's write transaction.
    return {
        "key": parsed.key,
        "type": parsed.type,
        "prompt": parsed.prompt,
        "choices": [{"text": c.text, "correct": c.correct} for c in parsed.choices],
        "answer": stored_answer(parsed),
        "accepted": list(parsed.accepted),
        "key_points": list(parsed.key_points),
        "explanation": parsed.explanation,
        "difficulty": parsed.difficulty,
        "difficulty_rank": DIFFICULTY_ORDER[parsed.difficulty],
        "tags": list(parsed.tags),
        "source_article": parsed.source_article,
        "source_section": parsed.source_section,
        "content_hash": parsed.content_hash(),
        "rendered": rendered_html(parsed),
    }


def _check_topics(parsed: ParsedBank, bank_id: int | None) -> dict[str, Topic]:
    slugs = [t.slug for t in parsed.topics]
    existing = db.session.scalars(select(Topic).where(Topic.slug.in_(slugs))).all()
    owned: dict[str, Topic] = {}
    for topic in existing:
        if topic.bank_id != bank_id:
            owner = db.session.get(Bank, topic.bank_id)
            other = owner.slug if owner else "?"
            raise ImportConflict(
                f"topic '{topic.slug}' already belongs to bank '{other}'; topic slugs are "
                f"unique across banks: rename it in this file (for example to "
                f"'{(parsed.slug + '-' + topic.slug)[:80]}') and use the new slug in its questions"
            )
        owned[topic.slug] = topic
    return owned


def plan_import(parsed: ParsedBank) -> ImportPlan:
    """Compare a parsed bank with the database, without writing anything."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == parsed.slug))
    plan = ImportPlan(slug=parsed.slug, title=parsed.title, new_bank=bank is None)
    owned = _check_topics(parsed, bank.id if bank else None)
    plan.topics_added = [t.slug for t in parsed.topics if t.slug not in owned]
    if bank is None:
        plan.added = [q.key for q in parsed.questions]
        return plan
    plan.metadata_changed = (bank.title, bank.version, bank.description, bank.source) != (
        parsed.title,
        parsed.version,
        parsed.description,
        parsed.source,
    ) or any(
        (owned[t.slug].name, owned[t.slug].description, owned[t.slug].position)
        != (t.name, t.description, i)
        for i, t in enumerate(parsed.topics)
        if t.slug in owned
    )
    plan.bank_id, plan.imported_at = bank.id, bank.imported_at
    rows = db.session.execute(
        select(
            Question.id,
            Question.key,
            Question.content_hash,
            Question.active,
            Question.topic_id,
            Question.position,
        ).where(Question.bank_id == bank.id)
    ).all()
    stored = {row.key: row for row in rows}
    plan.question_ids = {key: row.id for key, row in stored.items()}
    topic_ids = {slug: t.id for slug, t in owned.items()}
    seen = set()
    for position, question in enumerate(parsed.questions):
        seen.add(question.key)
        row = stored.get(question.key)
        if row is None:
            plan.added.append(question.key)
        elif (
            row.content_hash != question.content_hash()
            or not row.active
            or row.topic_id != topic_ids.get(question.topic)
            or row.position != position
        ):
            plan.updated.append(question.key)
            if not row.active or row.topic_id != topic_ids.get(question.topic):
                plan.relinked.append(question.key)
        else:
            plan.unchanged.append(question.key)
    plan.retired = sorted(k for k, row in stored.items() if row.active and k not in seen)
    return plan


def _question_rows(
    parsed: ParsedBank, plan: ImportPlan, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    # Every value (content hashes, JSON columns) is built before the write lock is taken.
    added, updated = set(plan.added), set(plan.updated)
    inserts, updates = [], []
    for position, question in enumerate(parsed.questions):
        if question.key not in added and question.key not in updated:
            continue
        values = _question_values(question)
        values.update(
            topic=question.topic,
            position=position,
            active=True,
            retired_at=None,
            updated_at=now,
        )
        if question.key in added:
            # Staged: published by the import's last transaction (apply_import).
            inserts.append({**values, "active": False, "created_at": now, "revision": 1})
        else:
            updates.append({**values, "id": plan.question_ids[question.key]})
    return inserts, updates


def _as_driver_takes_them(rows: list[dict[str, Any]]) -> tuple[Any, list[dict[str, Any]]]:
    """Question rows converted by their columns' types now, and a table to insert them raw.

    SQLAlchemy would run the same conversions (JSON, UTC datetimes) while executing, under the
    write lock: for 10,000 questions that was most of the time the lock was held.
    """
    if not rows:
        return Question.__table__, rows
    dialect = db.session.get_bind().dialect
    columns = Question.__table__.c
    names = [name for name in rows[0] if name != "topic"]
    convert = {n: columns[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names}
    converted = [
        {n: (f(row[n]) if (f := convert[n]) and row[n] is not None else row[n]) for n in names}
        | {"topic": row["topic"]}
        for row in rows
    ]
    untyped = table(Question.__tablename__, *(column(n) for n in [*names, "bank_id", "topic_id"]))
    return untyped, converted


def _insert_raw(into: Any, rows: list[dict[str, Any]]) -> None:
    # One executemany on the driver: the values are already converted, and SQLAlchemy's
    # per-row parameter building was the other half of the lock time of a big import.
    connection = db.session.connection()
    compiled = insert(into).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    if compiled.positional:
        order = compiled.positiontup or []
        params: list[Any] = [tuple(row[name] for name in order) for row in rows]
    else:
        params = rows
    connection.exec_driver_sql(str(compiled), params)


def _bank_values(parsed: ParsedBank, now: datetime) -> dict[str, Any]:
    return {
        "title": parsed.title,
        "version": parsed.version,
        "description": parsed.description,
        "source": parsed.source,
        "content_hash": parsed.content_hash(),
        "imported_at": now,
    }


def _write_bank(parsed: ParsedBank, plan: ImportPlan, values: dict[str, Any]) -> int:
    if plan.new_bank:
        bank = Bank(slug=parsed.slug, **values)
        db.session.add(bank)
        db.session.flush()
        return bank.id
    # Conditional on the import the plan was made against: another import in between (a
    # second admin, the CLI) makes this one a conflict, never a mix of the two.
    changed = rows_changed(
        update(Bank)
        .where(Bank.id == plan.bank_id, Bank.imported_at == plan.imported_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed != 1 or plan.bank_id is None:
        raise ImportConflict(_changed_meanwhile(parsed))
    return plan.bank_id


def _changed_meanwhile(parsed: ParsedBank) -> str:
    return f"bank '{parsed.slug}' was changed by someone else during the import; try again"


def _upsert_topics(parsed: ParsedBank, bank_id: int) -> dict[str, int]:
    owned = _check_topics(parsed, bank_id)
    for position, declared in enumerate(parsed.topics):
        topic = owned.get(declared.slug)
        if topic is None:
            topic = Topic(bank_id=bank_id, slug=declared.slug)
            db.session.add(topic)
            owned[declared.slug] = topic
        topic.name = declared.name
        topic.description = declared.description
        topic.position = position
    db.session.flush()
    return {slug: topic.id for slug, topic in owned.items()}


def _guard(plan: ImportPlan, parsed: ParsedBank, bank_id: int, stamp: datetime) -> None:
    # Each later transaction of an import first checks (and so takes the write lock) that the
    # bank is still at the import this one stamped: another import in between is a conflict.
    still_ours = rows_changed(
        update(Bank)
        .where(Bank.id == bank_id, Bank.imported_at == stamp)
        .values(imported_at=stamp)
        .execution_options(synchronize_session=False)
    )
    if still_ours != 1:
        raise ImportConflict(_changed_meanwhile(parsed))


def _pause_for_other_writers() -> None:
    # SQLite has one writer at a time, and a writer kept waiting retries after sleeps of up to
    # 100 ms (its busy handler): a pause longer than that between two batches lets every
    # answer that arrived during a batch in before the next one.
    if db.session.get_bind().dialect.name == "sqlite":
        time.sleep(_SQLITE_PAUSE_SECONDS)


def apply_import(parsed: ParsedBank) -> ImportPlan:
    """Import one bank; users see all of it at once. Edits keep progress, missing questions retire.

    Planning and building the rows happen before the first write, so the transactions that
    hold the write lock only write, and none of them for long: the bank and its topics first,
    then the new questions in batches of INSERT_BATCH as staged rows (inactive and never
    retired, so no page or queue shows them), then one short transaction that writes the
    edits and retirements and publishes the staged rows. An import interrupted before that
    leaves only staged rows, which the next import of the bank takes up.
    """
    try:
        plan = plan_import(parsed)
        if not plan.changed:
            db.session.rollback()
            return plan
        now = utcnow()
        inserts, updates = _question_rows(parsed, plan, now)
        into, inserts = _as_driver_takes_them(inserts)
        bank_values = _bank_values(parsed, now)
        # From here on, only writes: the transaction takes the write lock.
        bank_id = _write_bank(parsed, plan, bank_values)
        topic_ids = _upsert_topics(parsed, bank_id)
        db.session.commit()
        for row in inserts:
            row.update(bank_id=bank_id, topic_id=topic_ids[row.pop("topic")])
        for row in updates:
            row["topic_id"] = topic_ids[row.pop("topic")]
        # Bulk statements: executemany INSERTs and UPDATEs, not a flush per row, on the table
        # rather than the entity (ORM bulk insert's per-row bookkeeping was a fifth of a
        # 10,000-question import).
        for start in range(0, len(inserts), INSERT_BATCH):
            _pause_for_other_writers()
            _guard(plan, parsed, bank_id, now)
            _insert_raw(into, inserts[start : start + INSERT_BATCH])
            db.session.commit()
        _guard(plan, parsed, bank_id, now)
        if updates:
            db.session.execute(update(Question), updates)
            db.session.execute(
                update(Question)
                .where(Question.id.in_([u["id"] for u in updates]))
                .values(revision=Question.revision + 1)
            )
        if inserts:
            db.session.execute(
                update(Question).where(Question.bank_id == bank_id, _staged()).values(active=True)
            )
        if plan.retired:
            db.session.execute(
                update(Question)
                .where(Question.bank_id == bank_id, Question.key.in_(plan.retired))
                .values(active=False, retired_at=now, updated_at=now)
            )
        _relink_cards([plan.question_ids[key] for key in (*plan.relinked, *plan.retired)])
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ImportConflict(_changed_meanwhile(parsed)) from exc
    except Exception:
        db.session.rollback()
        raise
    return plan


def _relink_cards(question_ids: list[int]) -> None:
    """Copy these questions' topic and active flag onto their cards (the queue reads only cards).

    Part of the import's last transaction, so the queue never sees a moved or retired question
    under its old topic or flag; a plain edit has no such change and touches no card.
    """
    for start in range(0, len(question_ids), RELINK_BATCH):
        ids = question_ids[start : start + RELINK_BATCH]
        db.session.execute(
            update(CardState)
            .where(CardState.question_id.in_(ids))
            .values(**question_copies(CardState.question_id))
            .execution_options(synchronize_session=False)
        )


def _staged() -> ColumnElement[bool]:
    """Questions written by an import that has not published them yet."""
    return and_(Question.active.is_(False), Question.retired_at.is_(None))
