"""Per-question statistics for admins: which questions are hard, leeches or flagged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionFlag, Review
from quizapp.services.leeches import leech_cards
from quizapp.vocabulary import ANSWER_MODES, SCHEDULED_MODES

PAGE_SIZE = 50


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
    return [
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
