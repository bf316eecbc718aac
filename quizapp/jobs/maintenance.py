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
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.jobs.runs import RunContext
from quizapp.models import CardState, JobRun, OutboxMessage
from quizapp.services import pending_imports
from quizapp.services.leeches import leech_cards
from quizapp.vocabulary import OutboxStatus

log = logging.getLogger(__name__)

SENT_KEEP = timedelta(days=30)
# A skipped row only matters on its own study day; a week keeps them for troubleshooting.
SKIPPED_KEEP = timedelta(days=7)
JOB_RUNS_KEEP = timedelta(days=30)


def count_leeches() -> tuple[int, int]:
    """(leech cards, users who have such cards), for all users."""
    pairs = leech_cards()
    cards, users = db.session.execute(
        select(func.count(), func.count(func.distinct(pairs.c.user_id)))
        .select_from(pairs)
        .join(
            CardState,
            and_(
                CardState.user_id == pairs.c.user_id, CardState.question_id == pairs.c.question_id
            ),
        )
    ).one()
    return cards or 0, users or 0


def purge_outbox() -> int:
    """Delete sent and given-up rows older than 30 days, and skipped ones older than a week."""
    now = utcnow()
    changed = rows_changed(
        delete(OutboxMessage).where(
            or_(
                and_(
                    OutboxMessage.status == OutboxStatus.SENT,
                    OutboxMessage.sent_at < now - SENT_KEEP,
                ),
                and_(
                    OutboxMessage.status == OutboxStatus.FAILED,
                    OutboxMessage.created_at < now - SENT_KEEP,
                ),
                and_(
                    OutboxMessage.status == OutboxStatus.SKIPPED,
                    OutboxMessage.created_at < now - SKIPPED_KEEP,
                ),
            )
        )
    )
    return changed


def purge_job_runs() -> int:
    """Delete job runs older than 30 days (a claim that old is long dead if still "running")."""
    changed = rows_changed(delete(JobRun).where(JobRun.started_at < utcnow() - JOB_RUNS_KEEP))
    return changed


def run(ctx: RunContext) -> dict[str, Any]:
    """The maintenance job; returns what each step found or removed."""
    leeches, leech_users = count_leeches()
    log.info("leeches: %d card(s) of %d user(s)", leeches, leech_users)
    ctx.heartbeat()
    db.session.commit()
    outbox = purge_outbox()
    runs = purge_job_runs()
    ctx.heartbeat()
    db.session.commit()
    uploads = pending_imports.purge_expired()
    return {
        "leech_cards": leeches,
        "users_with_leeches": leech_users,
        "statistics": "none stored: every figure is computed from the review log when shown",
        "tokens": "none stored: unsubscribe links are signed, not kept",
        "outbox_rows_purged": outbox,
        "job_runs_purged": runs,
        "staged_uploads_purged": uploads,
    }
