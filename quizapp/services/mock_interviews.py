"""Mock interviews: a timed sitting of mixed questions, no feedback until the report.

A mock interview is a study session in "mock" mode with a deadline (``ends_at``) that the
server enforces: an answer or skip after it is refused (``reviews.TimeUp``), whatever the page
shows. Its questions come from ``scheduling.mock.plan_mock`` over the chosen topics, or over
the topics the user studies, weighted toward weak and not-yet-ready ones. Flashcards are left
out: they show their answer before the user grades it.

How answers count (the documented decision): an answer to a card already studied follows the
practice rule (a failure is a lapse and the card is due tomorrow, a success leaves the schedule
alone), so an early, feedback-free answer never pushes a card further out; an answer to a
question never studied is its first answer, scheduled like a new card (due tomorrow). Failed
answers are not asked again in the sitting. The report's "add what I missed" makes those cards
due today through ``reviews.requeue``.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from quizapp.clock import utcnow
from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, StudySessionItem, Topic, User
from quizapp.scheduling.grading import guide_seconds
from quizapp.scheduling.mock import MOCK_LENGTHS, MockCandidate, plan_mock, topic_weight
from quizapp.services import reviews, study
from quizapp.services.progress import TopicProgress, topic_progress
from quizapp.services.queue_data import studied_topics
from quizapp.services.quiz_pages import expected_answer
from quizapp.vocabulary import Difficulty, QuestionType, ReviewMode, SessionMode

__all__ = [
    "MOCK_LENGTHS",
    "MockReport",
    "NothingToAsk",
    "add_missed",
    "clock",
    "finish",
    "get_mock",
    "history",
    "is_over",
    "report",
    "running",
    "skip",
    "start",
]

HISTORY_SIZE = 20


class NothingToAsk(LookupError):
    """The chosen topics have no question a mock interview can ask."""


def percent(right: int, asked: int) -> int:
    """A score: right answers among the questions asked, in whole percent (0 when none)."""
    return round(100 * right / asked) if asked else 0


def is_over(session: StudySession, now: datetime) -> bool:
    """True when the mock interview takes no more answers: ended, or past its deadline."""
    return session.finished_at is not None or (
        session.ends_at is not None and now >= session.ends_at
    )


def ended_at(session: StudySession) -> datetime | None:
    """When the sitting ended: finished early, or its deadline (None while it runs)."""
    if session.finished_at is not None and session.ends_at is not None:
        return min(session.finished_at, session.ends_at)
    return session.finished_at or (
        session.ends_at if session.ends_at and utcnow() >= session.ends_at else None
    )


def get_mock(user: User, session_id: int) -> StudySession | None:
    """The user's own mock interview with this id (None for anything else)."""
    session = study.get_session(user, session_id)
    return session if session is not None and session.mode == SessionMode.MOCK else None


def running(user: User) -> StudySession | None:
    """The user's mock interview still taking answers, if any."""
    return db.session.scalar(
        select(StudySession)
        .where(
            StudySession.user_id == user.id,
            StudySession.mode == SessionMode.MOCK,
            ~study.mock_over(utcnow()),
        )
        .order_by(StudySession.id.desc())
        .limit(1)
    )


def _candidates(topic_ids: Sequence[int]) -> list[MockCandidate]:
    rows = db.session.execute(
        select(Question.id, Question.topic_id, Question.type, Question.difficulty).where(
            Question.topic_id.in_(list(topic_ids)),
            Question.active.is_(True),
            Question.type != QuestionType.FLASHCARD,
        )
    )
    return [
        MockCandidate(qid, tid, QuestionType(qtype), Difficulty(level))
        for qid, tid, qtype, level in rows
    ]


def _suspended(user: User) -> set[int]:
    return set(
        db.session.scalars(
            select(CardState.question_id).where(
                CardState.user_id == user.id, CardState.suspended.is_(True)
            )
        )
    )


def _readiness(rows: Sequence[TopicProgress], topic_ids: Sequence[int]) -> dict[str, int]:
    wanted = set(topic_ids)
    return {str(r.topic_id): r.readiness for r in rows if r.topic_id in wanted}


def start(user: User, minutes: int, topic_ids: list[int] | None) -> StudySession:
    """Start a mock interview of ``minutes`` on these topics (None: the studied ones)."""
    if minutes not in MOCK_LENGTHS:
        raise ValueError(f"a mock interview lasts {MOCK_LENGTHS} minutes")
    chosen = topic_ids or [t.id for t, studied, count in studied_topics(user) if studied and count]
    rows = topic_progress(user, study.today_for(user))
    by_topic = {r.topic_id: r for r in rows}
    weights = {
        tid: topic_weight(by_topic[tid].weakness, by_topic[tid].readiness)
        if tid in by_topic
        else 1.0
        for tid in chosen
    }
    suspended = _suspended(user)
    candidates = [c for c in _candidates(chosen) if c.question_id not in suspended]
    # Not for security: the order only has to vary between sittings.
    seed = secrets.randbits(32)
    plan = plan_mock(candidates, weights, minutes, random.Random(seed))  # noqa: S311
    if not plan:
        raise NothingToAsk("These topics have no questions a mock interview can ask yet.")
    now = utcnow()
    for session in db.session.scalars(
        select(StudySession).where(
            StudySession.user_id == user.id,
            StudySession.mode == SessionMode.MOCK,
            StudySession.finished_at.is_(None),
        )
    ):
        session.finished_at = min(now, session.ends_at or now)
    session = StudySession(
        user_id=user.id,
        study_day=study.today_for(user),
        mode=SessionMode.MOCK,
        topic_ids=sorted(set(topic_ids)) if topic_ids else None,
        started_at=now,
        ends_at=now + timedelta(minutes=minutes),
        details={
            "minutes": minutes,
            "topic_ids": sorted(set(chosen)),
            "readiness_before": _readiness(rows, chosen),
        },
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(
        StudySessionItem(
            session_id=session.id,
            question_id=c.question_id,
            kind=ReviewMode.MOCK,
            sort_key=float(position),
            shuffle_seed=secrets.randbelow(2**31 - 1),
        )
        for position, c in enumerate(plan, start=1)
    )
    db.session.commit()
    return session


def _own_item(user: User, item_id: int) -> tuple[StudySessionItem, StudySession]:
    item = study.get_item(user, item_id)
    if item is None:
        raise reviews.NotFound(item_id)
    session = db.session.get_one(StudySession, item.session_id)
    if session.mode != SessionMode.MOCK:
        raise reviews.NotFound(item_id)
    return item, session


def skip(user: User, item_id: int) -> StudySession:
    """Pass on one question: it counts as missed; refused after the deadline."""
    item, session = _own_item(user, item_id)
    reviews.skip(item, session)
    return session


def finish(user: User, session_id: int) -> StudySession | None:
    """End the mock interview now; questions not reached stay as they were."""
    session = get_mock(user, session_id)
    if session is None:
        return None
    if session.finished_at is None:
        now = utcnow()
        session.finished_at = min(now, session.ends_at) if session.ends_at else now
        db.session.commit()
    return session


@dataclass(frozen=True)
class MockClock:
    """What the question page shows of the clock: time left and the question's guide time."""

    ends_at: datetime
    seconds_left: int
    guide_seconds: int


def clock(session: StudySession, question: Question, now: datetime) -> MockClock | None:
    """The clock of a running mock interview (None for other sessions)."""
    if session.ends_at is None:
        return None
    left = max(0, int((session.ends_at - now).total_seconds()))
    guide = guide_seconds(QuestionType(question.type), Difficulty(question.difficulty))
    return MockClock(session.ends_at, left, guide)


@dataclass(frozen=True)
class MockQuestion:
    """One question of the report: what was asked, what happened, how long it took."""

    number: int
    question: Question
    topic: str
    status: str  # right, wrong, skipped, not reached
    seconds: int | None
    guide_seconds: int
    expected: str | None
    review: Review | None = None
    missed_points: tuple[str, ...] = ()

    @property
    def over_guide(self) -> bool:
        """True when the answer took longer than the guide time."""
        return self.seconds is not None and self.seconds > self.guide_seconds

    @property
    def missed(self) -> bool:
        """Wrong, skipped, or an explain answer that left out a key point."""
        return self.status in ("wrong", "skipped") or bool(self.missed_points)


@dataclass(frozen=True)
class TopicScore:
    """One topic's figures in a mock interview."""

    name: str
    asked: int
    right: int

    @property
    def percent(self) -> int:
        """Right answers among the questions asked (skips count as asked)."""
        return percent(self.right, self.asked)


@dataclass(frozen=True)
class MockReport:
    """Everything the report page shows, computed from the session's items and its reviews."""

    session: StudySession
    over: bool
    minutes: int
    questions: tuple[MockQuestion, ...]
    topics: tuple[TopicScore, ...]
    readiness_before: int | None
    readiness_now: int | None
    ended_at: datetime | None
    missed_cards_due: int = 0
    points_missed: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    @property
    def asked(self) -> int:
        """Questions answered or skipped."""
        return sum(1 for q in self.questions if q.status != "not reached")

    @property
    def right(self) -> int:
        """Right answers."""
        return sum(1 for q in self.questions if q.status == "right")

    @property
    def score(self) -> int:
        """Right answers among the questions asked, in percent."""
        return percent(self.right, self.asked)

    @property
    def missed(self) -> tuple[MockQuestion, ...]:
        """What "add what I missed" schedules."""
        return tuple(q for q in self.questions if q.missed)


def _overall(readiness: dict[str, int], totals: dict[int, int]) -> int | None:
    """Readiness over several topics, weighted by their question counts."""
    weight = sum(totals.get(int(t), 0) for t in readiness)
    if not weight:
        return None
    return round(sum(p * totals.get(int(t), 0) for t, p in readiness.items()) / weight)


def report(user: User, session_id: int) -> MockReport | None:
    """The mock interview's report; None if it is not the user's."""
    session = get_mock(user, session_id)
    if session is None:
        return None
    rows = db.session.execute(
        select(StudySessionItem, Question, Topic.name, Review)
        .join(Question, Question.id == StudySessionItem.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .outerjoin(Review, Review.id == StudySessionItem.review_id)
        .where(StudySessionItem.session_id == session.id)
        .order_by(StudySessionItem.sort_key, StudySessionItem.id)
    ).all()
    # Time per question by the server's clock: from the previous answer (or the start).
    done = sorted(
        (item.answered_at, item.id) for item, _, _, _ in rows if item.answered_at is not None
    )
    previous: dict[int, datetime] = {}
    mark = session.started_at
    for answered_at, item_id in done:
        previous[item_id] = mark
        mark = answered_at
    questions = []
    for number, (item, question, topic_name, review) in enumerate(rows, start=1):
        missed_points: tuple[str, ...] = ()
        if review is not None:
            status = "right" if review.correct else "wrong"
            covered = (review.response or {}).get("points")
            if question.type == QuestionType.EXPLAIN and isinstance(covered, list):
                missed_points = tuple(
                    p for i, p in enumerate(question.key_points) if i not in covered
                )
        elif item.answered_at is not None:
            status = "skipped"
        else:
            status = "not reached"
        seconds = (
            round((item.answered_at - previous[item.id]).total_seconds())
            if item.answered_at is not None
            else None
        )
        questions.append(
            MockQuestion(
                number,
                question,
                topic_name,
                status,
                seconds,
                guide_seconds(QuestionType(question.type), Difficulty(question.difficulty)),
                _answer_text(question),
                review,
                missed_points,
            )
        )
    # By topic id: topic names are unique only within a bank.
    scores: dict[int, list[Any]] = {}
    for q in questions:
        if q.status != "not reached":
            tally = scores.setdefault(q.question.topic_id, [q.topic, 0, 0])
            tally[1] += 1
            tally[2] += q.status == "right"
    details: dict[str, Any] = session.details or {}
    before: dict[str, int] = details.get("readiness_before", {})
    totals = {
        tid: n
        for tid, n in db.session.execute(
            select(Question.topic_id, func.count())
            .where(Question.active.is_(True), Question.topic_id.in_([int(t) for t in before]))
            .group_by(Question.topic_id)
        )
    }
    now_rows = topic_progress(user, study.today_for(user)) if before else []
    now = _readiness(now_rows, [int(t) for t in before])
    missed_ids = [q.question.id for q in questions if q.missed]
    due = study.today_for(user)
    due_now = (
        db.session.scalar(
            select(func.count())
            .select_from(CardState)
            .where(
                CardState.user_id == user.id,
                CardState.question_id.in_(missed_ids),
                CardState.due_day <= due,
            )
        )
        if missed_ids
        else 0
    )
    counts: dict[str, int] = {}
    for q in questions:
        for point in q.missed_points:
            counts[point] = counts.get(point, 0) + 1
    return MockReport(
        session=session,
        over=is_over(session, utcnow()),
        minutes=int(details.get("minutes", 0)),
        questions=tuple(questions),
        topics=tuple(
            TopicScore(name, asked, right)
            for name, asked, right in sorted(scores.values(), key=lambda t: (t[0], t[1]))
        ),
        readiness_before=_overall(before, totals),
        readiness_now=_overall(now, totals),
        ended_at=ended_at(session),
        missed_cards_due=due_now or 0,
        points_missed=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def _answer_text(question: Question) -> str | None:
    """The right answer as Markdown, for every question type."""
    if question.choices:
        return "; ".join(c["text"] for c in question.choices if c.get("correct"))
    pairs = question.matching_pairs()
    if pairs:
        return "; ".join(f"{p.left} → {p.right}" for p in pairs if p.left)
    return expected_answer(question)


def add_missed(user: User, session_id: int) -> int | None:
    """Make what the mock interview missed due today; None if it is not the user's mock."""
    result = report(user, session_id)
    if result is None:
        return None
    return reviews.requeue(user, [q.question.id for q in result.missed])


@dataclass(frozen=True)
class MockSummary:
    """One past mock interview in the history."""

    session_id: int
    started_at: datetime
    minutes: int
    asked: int
    right: int

    @property
    def score(self) -> int:
        """Right answers among the questions asked, in percent."""
        return percent(self.right, self.asked)


def history(user: User, limit: int = HISTORY_SIZE) -> list[MockSummary]:
    """The user's latest finished mock interviews, oldest first, with their scores (one query)."""
    asked = func.count(StudySessionItem.answered_at)
    right = func.count(Review.id).filter(Review.correct.is_(True))
    rows = db.session.execute(
        select(StudySession, asked, right)
        .outerjoin(StudySessionItem, StudySessionItem.session_id == StudySession.id)
        .outerjoin(Review, Review.id == StudySessionItem.review_id)
        .where(
            StudySession.user_id == user.id,
            StudySession.mode == SessionMode.MOCK,
            # A running interview's score would be feedback before the end.
            study.mock_over(utcnow()),
        )
        .group_by(StudySession.id)
        .order_by(StudySession.started_at.desc(), StudySession.id.desc())
        .limit(limit)
    ).all()
    return [
        MockSummary(s.id, s.started_at, int((s.details or {}).get("minutes", 0)), a, r)
        for s, a, r in reversed(rows)
    ]
