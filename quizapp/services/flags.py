"""Question flags from users, and their resolution by admins."""

from __future__ import annotations

from sqlalchemy import update

from quizapp.clock import utcnow
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.models import QuestionFlag, User
from quizapp.models.flag import FLAG_REASONS
from quizapp.services.cards import card_for

MAX_COMMENT = 2000


class FlagError(ValueError):
    """The flag cannot be filed (says why)."""


def flag_question(user: User, question_id: int, reason: str, comment: str) -> QuestionFlag | None:
    """File a flag on a question the user has answered; None if they never saw it."""
    if card_for(user.id, question_id) is None:
        return None
    if reason not in FLAG_REASONS:
        raise FlagError("Pick what is wrong with the question.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise FlagError(f"Comments are at most {MAX_COMMENT} characters.")
    flag = QuestionFlag(
        question_id=question_id,
        user_id=user.id,
        reason=reason,
        comment=comment,
        created_at=utcnow(),
    )
    db.session.add(flag)
    db.session.commit()
    return flag


def resolve_flag(admin: User, flag_id: int) -> bool:
    """Mark an open flag resolved; False when there is no such open flag."""
    done = rows_changed(
        update(QuestionFlag)
        .where(QuestionFlag.id == flag_id, QuestionFlag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by=admin.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done == 1
