"""Per-question statistics for admins: which questions are hard, leeches or flagged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import and_, case, func, select

from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionFlag, Review
from quizapp.services.leeches import leech_cards
from quizapp.vocabulary import ANSWER_MODES, SCHEDULED_MODES, QuestionType

PAGE_SIZE = 50
# Key points missed are counted over each explain question's most recent first tries.
RECENT_ANSWERS = 200


@dataclass(frozen=True)
class MissedPoint:
    """One key point of an explain question and how often answers left it out."""

    text: str
    missed: int
    answers: int

    @property
    def share(self) -> float:
        """The share of answers that did not cover the point."""
        return self.missed / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class ItemStats:
    """One question's figures across all users."""

    question: Question
    bank_slug: str
    attempts: int  # first tries (scheduled answers)
    correct: int  # right first tries
    answers: int  # every answer, re-asks included
    average_grade: float | None
    leech_users: int
    open_flags: int
    # Explain questions: key points, most often missed first.
    missed_points: tuple[MissedPoint, ...] = ()

    @property
    def accuracy(self) -> float | None:
        """First-try accuracy: the share of first tries that were right."""
        return self.correct / self.attempts if self.attempts else None


def item_stats(
    *, flagged_only: bool = False, after_id: int = 0, limit: int = PAGE_SIZE
) -> list[ItemStats]:
    """Statistics for a page of active questions (keyset on question id)."""
    first_try = Review.mode.in_(SCHEDULED_MODES)
    answers = (
        select(
            Review.question_id.label("qid"),
            func.count().filter(first_try).label("attempts"),
            func.count().filter(first_try, Review.correct.is_(True)).label("correct"),
            func.count().label("answers"),
            func.avg(case((first_try, Review.grade))).label("avg_grade"),
        )
        .where(Review.mode.in_(ANSWER_MODES))
        .group_by(Review.question_id)
        .subquery()
    )
    per_user = leech_cards()
    leeches = (
        select(per_user.c.question_id.label("qid"), func.count().label("users"))
        .group_by(per_user.c.question_id)
        .subquery()
    )
    flags = (
        select(QuestionFlag.question_id.label("qid"), func.count().label("open"))
        .where(QuestionFlag.resolved_at.is_(None))
        .group_by(QuestionFlag.question_id)
        .subquery()
    )
    stmt = (
        select(
            Question,
            Bank.slug,
            answers.c.attempts,
            answers.c.correct,
            answers.c.answers,
            answers.c.avg_grade,
            leeches.c.users,
            flags.c.open,
        )
        .join(Bank, Bank.id == Question.bank_id)
        .outerjoin(answers, answers.c.qid == Question.id)
        .outerjoin(leeches, leeches.c.qid == Question.id)
        .outerjoin(flags, flags.c.qid == Question.id)
        .where(Question.active.is_(True), Question.id > after_id)
        .order_by(Question.id)
        .limit(limit)
    )
    if flagged_only:
        stmt = stmt.where(and_(flags.c.open.is_not(None), flags.c.open > 0))
    rows = [
        ItemStats(
            q,
            slug,
            attempts or 0,
            correct or 0,
            all_answers or 0,
            float(avg) if avg is not None else None,
            users or 0,
            open_flags or 0,
        )
        for q, slug, attempts, correct, all_answers, avg, users, open_flags in db.session.execute(
            stmt
        )
    ]
    missed = missed_points([r.question for r in rows if r.question.type == QuestionType.EXPLAIN])
    return [replace(r, missed_points=missed.get(r.question.id, ())) for r in rows]


def count_missed(key_points: Sequence[str], covered: Sequence[Sequence[int]]) -> list[MissedPoint]:
    """How often each key point was left out of the answers, most missed first."""
    missed = [0] * len(key_points)
    for points in covered:
        ticked = set(points)
        for index in range(len(key_points)):
            if index not in ticked:
                missed[index] += 1
    stats = [MissedPoint(text, missed[i], len(covered)) for i, text in enumerate(key_points)]
    return sorted(stats, key=lambda m: -m.missed)


def missed_points(questions: Sequence[Question]) -> dict[int, tuple[MissedPoint, ...]]:
    """Per explain question, its key points by how often recent first tries missed them."""
    if not questions:
        return {}
    recent = (
        select(
            Review.question_id,
            # Only the ticked points: the response also holds up to 4,000 characters of notes.
            Review.response["points"].label("points"),
            func.row_number()
            .over(partition_by=Review.question_id, order_by=Review.id.desc())
            .label("recency"),
        )
        .where(Review.question_id.in_([q.id for q in questions]), Review.mode.in_(SCHEDULED_MODES))
        .subquery()
    )
    covered: dict[int, list[list[int]]] = {q.id: [] for q in questions}
    for question_id, points in db.session.execute(
        select(recent.c.question_id, recent.c.points).where(recent.c.recency <= RECENT_ANSWERS)
    ):
        if isinstance(points, list):
            covered[question_id].append([p for p in points if isinstance(p, int)])
    return {
        q.id: tuple(count_missed(q.key_points, covered[q.id])) for q in questions if covered[q.id]
    }


def open_flags(limit: int = 100) -> list[QuestionFlag]:
    """The oldest open flags first."""
    return list(
        db.session.scalars(
            select(QuestionFlag)
            .where(QuestionFlag.resolved_at.is_(None))
            .order_by(QuestionFlag.created_at, QuestionFlag.id)
            .limit(limit)
        )
    )
