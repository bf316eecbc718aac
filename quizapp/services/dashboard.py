"""Read-only figures for the dashboard and the session summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    CardState,
    Question,
    Review,
    StudySession,
    StudySessionItem,
    Topic,
    User,
)
from quizapp.scheduling.practice import InterviewPlan, plan_for_interview
from quizapp.scheduling.queue import QueueLimits, remaining_new, remaining_reviews
from quizapp.services import queue_data
from quizapp.services.cards import due_by
from quizapp.services.study import new_allowance, open_session, today_for
from quizapp.vocabulary import ANSWER_MODES, SCHEDULED_MODES


@dataclass(frozen=True)
class TodayStats:
    """Today's counts on the dashboard."""

    today: date
    reviews_due: int
    due_total: int
    new_available: int
    done_today: int
    streak: int
    open_session_id: int | None
    interview_date: date | None
    days_to_interview: int | None
    plan: InterviewPlan | None = None
    # The daily new-question limit (setting plus today's extra) and how many were started.
    new_limit: int = 0
    new_started: int = 0
    unseen: int = 0

    @property
    def new_limit_reached(self) -> bool:
        """True when the daily limit, not a lack of questions, holds new questions back."""
        return self.unseen > 0 and self.new_started >= self.new_limit


def current_streak(user_id: int, today: date) -> int:
    """Consecutive study days with at least one answer, ending today (or yesterday)."""
    days = db.session.scalars(
        select(Review.study_day)
        .where(Review.user_id == user_id, Review.study_day <= today, Review.mode.in_(ANSWER_MODES))
        .distinct()
        .order_by(Review.study_day.desc())
    )
    streak = 0
    expected = today
    for day in days:
        if day == expected:
            streak += 1
        elif streak == 0 and day == today - timedelta(days=1):
            # Not studied yet today: yesterday's streak still stands until today ends.
            streak, expected = 1, day
        else:
            break
        expected = expected - timedelta(days=1)
    return streak


def today_stats(user: User) -> TodayStats:
    """The dashboard's figures, each from one indexed query."""
    today = today_for(user)
    limits = QueueLimits(new_allowance(user, today), user.reviews_per_day)
    new_started, reviews_today = queue_data.done_today(user.id, today)
    due = queue_data.count_due(user.id, today)
    new_left = remaining_new(limits, new_started)
    session = open_session(user)
    days_left = (user.interview_date - today).days if user.interview_date else None
    unseen = queue_data.count_unseen(user.id)
    return TodayStats(
        today=today,
        reviews_due=min(due, remaining_reviews(limits, reviews_today)),
        due_total=due,
        new_available=min(new_left, unseen),
        done_today=queue_data.answered_today(user.id, today),
        streak=current_streak(user.id, today),
        open_session_id=session.id if session else None,
        interview_date=user.interview_date,
        days_to_interview=days_left if days_left is not None and days_left >= 0 else None,
        plan=plan_for_interview(unseen, days_left, user.new_per_day) if days_left else None,
        new_limit=limits.new_per_day,
        new_started=new_started,
        unseen=unseen,
    )


def interview_plan(user: User) -> InterviewPlan | None:
    """The user's interview plan now, or None without an interview ahead."""
    today = today_for(user)
    if user.interview_date is None:
        return None
    days_left = (user.interview_date - today).days
    return plan_for_interview(queue_data.count_unseen(user.id), days_left, user.new_per_day)


@dataclass
class SessionSummary:
    """The end-of-session figures."""

    answered: int = 0
    correct: int = 0
    first_tries: int = 0
    first_tries_correct: int = 0
    milliseconds: int = 0
    grades: dict[int, int] = field(default_factory=dict)
    weakest: list[tuple[str, int, int]] = field(default_factory=list)
    due_tomorrow: int = 0

    @property
    def seconds(self) -> int:
        """Time spent, summed in milliseconds and only then rounded (16 quick answers of
        0.8 s are 13 s, not 0)."""
        return round(self.milliseconds / 1000)

    @property
    def accuracy(self) -> int | None:
        """All-answers accuracy: percent of every answer, re-asks included, that was right."""
        return round(100 * self.correct / self.answered) if self.answered else None

    @property
    def first_try_accuracy(self) -> int | None:
        """First-try accuracy: percent of first answers (re-asks left out) that were right."""
        if not self.first_tries:
            return None
        return round(100 * self.first_tries_correct / self.first_tries)


def session_summary(user: User, session: StudySession) -> SessionSummary:
    """Answers, accuracy, time, grades and weakest topics of one session."""
    rows = db.session.execute(
        select(Review.grade, Review.correct, Review.elapsed_ms, Topic.name, Review.mode)
        .join(StudySessionItem, StudySessionItem.review_id == Review.id)
        .join(Question, Question.id == Review.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .where(StudySessionItem.session_id == session.id, Review.user_id == user.id)
    ).all()
    summary = SessionSummary()
    grades: Counter[int] = Counter()
    per_topic: dict[str, list[int]] = {}
    for grade, correct, elapsed, topic, mode in rows:
        summary.answered += 1
        summary.correct += int(correct)
        if mode in SCHEDULED_MODES:
            summary.first_tries += 1
            summary.first_tries_correct += int(correct)
        summary.milliseconds += elapsed or 0
        grades[grade] += 1
        stats = per_topic.setdefault(topic, [0, 0])
        stats[0] += 1
        stats[1] += int(correct)
    summary.grades = {g: grades.get(g, 0) for g in range(6)}
    summary.weakest = sorted(
        ((name, total, right) for name, (total, right) in per_topic.items() if right < total),
        key=lambda t: (t[2] / t[1], -t[1], t[0]),
    )[:3]
    tomorrow = today_for(user) + timedelta(days=1)
    summary.due_tomorrow = (
        db.session.scalar(
            select(func.count())
            .select_from(CardState)
            .join(Question, Question.id == CardState.question_id)
            .where(due_by(user.id, tomorrow))
        )
        or 0
    )
    return summary
