"""Runs of background jobs: one row per job and period, which is how a run claims its period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.db import UTCDateTime
from quizapp.extensions import db
from quizapp.vocabulary import JobStatus, check_in


class JobRun(db.Model):  # type: ignore[name-defined,misc]
    """A job's run for one period (a 5-minute slot, a date); at most one per job and period."""

    __tablename__ = "job_runs"
    __table_args__ = (
        # The claim: whoever inserts (job, period) first does the work; others skip.
        UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
        # The admin page and `jobs list`: a job's latest runs.
        Index("ix_job_runs_job_started", "job", "started_at"),
        CheckConstraint(check_in("status", JobStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.RUNNING.value)
    # Bumped by each take-over of a failed or stale run; updates are conditional on it.
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # host:pid:thread of the process that holds the claim, for the admin page and logs.
    owner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Touched after every batch; a running claim whose heartbeat stopped may be taken over.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period} {self.status}>"
