"""Nightly maintenance: count leeches, purge old outbox rows, job runs and staged uploads.

Every step is idempotent (a count, or a delete by age), so a run that dies half way is simply
run again by the next claim of the period, and a second run of the same night changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select

from quizapp.clock import utcnow
from quizapp.extensions import db
from quizapp.jobs.runs import RunContext
from quizapp.models import CardState, JobRun, OutboxMessage, Review
from quizapp.services import pending_imports
from quizapp.services.practice import LEECH_FAILURES

log = logging.getLogger(__name__)

# The answers that count as failures for leeches, as in quizapp.services.practice.leeches.
LEECH_MODES = ("review", "new", "practice")
SENT_KEEP = timedelta(days=30)
# A skipped row only matters on its own study day; a week keeps them for troubleshooting.
SKIPPED_KEEP = timedelta(days=7)
JOB_RUNS_KEEP = timedelta(days=30)


def count_leeches() -> tuple[int, int]:
    """(cards failed LEECH_FAILURES or more times, users who have such cards), for all users."""
    pairs = (
        select(Review.user_id, Review.question_id)
        .join(
            CardState,
            and_(CardState.user_id == Review.user_id, CardState.question_id == Review.question_id),
        )
        .where(Review.grade < 3, Review.mode.in_(LEECH_MODES))
        .group_by(Review.user_id, Review.question_id)
        .having(func.count() >= LEECH_FAILURES)
        .subquery()
    )
    cards, users = db.session.execute(
        select(func.count(), func.count(func.distinct(pairs.c.user_id))).select_from(pairs)
    ).one()
    return cards or 0, users or 0


def purge_outbox() -> int:
    """Delete sent and given-up rows older than 30 days, and skipped ones older than a week."""
    now = utcnow()
    result = db.session.execute(
        delete(OutboxMessage).where(
            or_(
                and_(OutboxMessage.status == "sent", OutboxMessage.sent_at < now - SENT_KEEP),
                and_(OutboxMessage.status == "failed", OutboxMessage.created_at < now - SENT_KEEP),
                and_(
                    OutboxMessage.status == "skipped",
                    OutboxMessage.created_at < now - SKIPPED_KEEP,
                ),
            )
        )
    )
    return result.rowcount or 0


def purge_job_runs() -> int:
    """Delete job runs older than 30 days (a claim that old is long dead if still "running")."""
    result = db.session.execute(delete(JobRun).where(JobRun.started_at < utcnow() - JOB_RUNS_KEEP))
    return result.rowcount or 0


def run(ctx: RunContext) -> dict[str, Any]:
    """The maintenance job; returns what each step found or removed."""
    leech_cards, leech_users = count_leeches()
    log.info("leeches: %d card(s) of %d user(s)", leech_cards, leech_users)
    ctx.heartbeat()
    db.session.commit()
    outbox = purge_outbox()
    runs = purge_job_runs()
    ctx.heartbeat()
    db.session.commit()
    uploads = pending_imports.purge_expired()
    return {
        "leech_cards": leech_cards,
        "users_with_leeches": leech_users,
        "statistics": "none stored: every figure is computed from the review log when shown",
        "tokens": "none stored: unsubscribe links are signed, not kept",
        "outbox_rows_purged": outbox,
        "job_runs_purged": runs,
        "staged_uploads_purged": uploads,
    }
