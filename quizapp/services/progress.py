"""Read-only progress figures, each computed in SQL against the indexes.

Definitions (the progress page and its tests rely on them):

- seen: questions with a card state; total: active questions.
- learned: seen cards whose SM-2 repetition count is at least 1 (passed since their last
  failure); mature: cards with an interval of 21 days or more.
- reviews today / this week / all time: answers of every mode; "this week" is the last seven
  study days including today.
- retention: of answers to mature cards (interval before the answer >= 21 days, re-asks
  excluded), the share graded 3 or more.
- streaks count study days with at least one answer, in the user's own calendar.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select

from quizapp.banks.text import escape_markdown
from quizapp.clock import utcnow
from quizapp.extensions import db
from quizapp.models import Bank, CardState, Question, Review, Topic, User
from quizapp.services.cards import card_for, due_by
from quizapp.services.dashboard import current_streak
from quizapp.services.study import running_mock_reviews
from quizapp.vocabulary import ANSWER_MODES, SCHEDULED_MODES

MATURE_DAYS = 21
# Answers that carry information about recall: first answers of the day, not re-asks or resets.


@dataclass(frozen=True)
class Totals:
    """The headline figures of the progress page."""

    seen: int
    total: int
    learned: int
    mature: int
    reviews_today: int
    reviews_week: int
    reviews_all: int
    seconds: int
    streak: int
    longest_streak: int


@dataclass(frozen=True)
class Retention:
    """Mature-card retention, recent and all time (None when there are no such answers)."""

    last_30: float | None
    all_time: float | None
    answers_30: int
    answers_all: int


def longest_streak(user_id: int) -> int:
    """The longest run of consecutive study days with answers."""
    best = run = 0
    previous: date | None = None
    for day in db.session.scalars(
        select(Review.study_day)
        .where(Review.user_id == user_id, Review.mode.in_(ANSWER_MODES))
        .distinct()
        .order_by(Review.study_day)
    ):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def totals(user: User, today: date) -> Totals:
    """Seen, learned, mature, review counts, time and streaks."""
    seen, learned, mature = db.session.execute(
        select(
            func.count(),
            func.count().filter(CardState.repetitions >= 1),
            func.count().filter(CardState.interval_days >= MATURE_DAYS),
        )
        .select_from(CardState)
        .join(Question, Question.id == CardState.question_id)
        .where(CardState.user_id == user.id, Question.active.is_(True))
    ).one()
    total = db.session.scalar(
        select(func.count()).select_from(Question).where(Question.active.is_(True))
    )
    week_start = today - timedelta(days=6)
    r_today, r_week, r_all, millis = db.session.execute(
        select(
            func.count().filter(Review.study_day == today),
            func.count().filter(Review.study_day.between(week_start, today)),
            func.count(),
            func.coalesce(func.sum(Review.elapsed_ms), 0),
        ).where(Review.user_id == user.id, Review.mode.in_(ANSWER_MODES))
    ).one()
    return Totals(
        seen=seen,
        total=total or 0,
        learned=learned,
        mature=mature,
        reviews_today=r_today,
        reviews_week=r_week,
        reviews_all=r_all,
        seconds=round(int(millis or 0) / 1000),
        streak=current_streak(user.id, today),
        longest_streak=longest_streak(user.id),
    )


def retention(user: User, today: date) -> Retention:
    """Share of mature-card answers graded 3 or more, last 30 days and all time."""
    mature = and_(
        Review.user_id == user.id,
        Review.interval_before >= MATURE_DAYS,
        Review.mode.in_(SCHEDULED_MODES),
    )
    recent = Review.study_day > today - timedelta(days=30)
    passed = Review.grade >= 3
    n_all, ok_all, n_30, ok_30 = db.session.execute(
        select(
            func.count(),
            func.count().filter(passed),
            func.count().filter(recent),
            func.count().filter(and_(recent, passed)),
        ).where(mature)
    ).one()
    return Retention(
        last_30=ok_30 / n_30 if n_30 else None,
        all_time=ok_all / n_all if n_all else None,
        answers_30=n_30,
        answers_all=n_all,
    )


def reviews_per_day(user: User, today: date, days: int = 365) -> dict[date, int]:
    """Answers per study day over the past `days` days (index: reviews(user_id, study_day))."""
    start = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(Review.study_day, func.count())
        .where(
            Review.user_id == user.id,
            Review.study_day.between(start, today),
            Review.mode.in_(ANSWER_MODES),
        )
        .group_by(Review.study_day)
    ).all()
    return {day: n for day, n in rows}


def forecast(user: User, today: date, days: int = 30) -> list[tuple[date, int]]:
    """Reviews due on each of the next `days` study days; overdue cards count for today."""
    end = today + timedelta(days=days - 1)
    due = (
        func.max(CardState.due_day, today)
        if db.engine.dialect.name == "sqlite"
        else func.greatest(CardState.due_day, today)
    )
    rows = db.session.execute(
        select(due.label("day"), func.count())
        .join(Question, Question.id == CardState.question_id)
        .where(due_by(user.id, end))
        .group_by("day")
    ).all()
    counts = {_as_date(day): n for day, n in rows}
    return [
        (today + timedelta(days=i), counts.get(today + timedelta(days=i), 0)) for i in range(days)
    ]


def _as_date(value: object) -> date:
    # SQLite returns the MAX() of dates as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class TopicProgress:
    """One row of the per-topic table.

    weakness (0-100, higher is weaker) = 100 * (0.45 * (1 - accuracy over 30 days)
    + 0.25 * min(1, lapses in 30 days / cards seen) + 0.20 * easiness penalty
    + 0.10 * staleness), where the easiness penalty is (2.50 - average EF) / 1.20 clipped to
    0..1 and staleness is days since the topic was last studied / 30, clipped to 0..1. A topic
    with no answers in 30 days counts its accuracy as 0.5 (unknown).

    readiness (0-100) = questions currently recalled / questions in the topic, where a question
    is recalled when its card passed its last scheduled answer (repetitions >= 1) and is not
    overdue; so it combines coverage and recall.
    """

    topic_id: int
    slug: str
    name: str
    total: int
    seen: int
    answers_30: int
    correct_30: int
    lapses_30: int
    lapses_7: int
    average_easiness: float | None
    lapses: int
    due_now: int
    recalled: int
    days_since: int | None

    @property
    def accuracy_30(self) -> float | None:
        """Share of right answers in the last 30 days."""
        return self.correct_30 / self.answers_30 if self.answers_30 else None

    @property
    def weakness(self) -> int:
        """The documented weakness score (see the class docstring)."""
        accuracy = self.accuracy_30 if self.accuracy_30 is not None else 0.5
        lapse_rate = min(1.0, self.lapses_30 / self.seen) if self.seen else 0.0
        ease = self.average_easiness if self.average_easiness is not None else 2.5
        ease_penalty = min(1.0, max(0.0, (2.5 - ease) / 1.2))
        stale = min(1.0, (self.days_since or 0) / 30)
        score = 0.45 * (1 - accuracy) + 0.25 * lapse_rate + 0.20 * ease_penalty + 0.10 * stale
        return round(100 * score)

    @property
    def readiness(self) -> int:
        """The documented readiness score (see the class docstring)."""
        return round(100 * self.recalled / self.total) if self.total else 0

    @property
    def reason(self) -> str:
        """Why the topic is weak, in a few words."""
        parts = []
        if self.lapses_7:
            parts.append(f"{self.lapses_7} lapse{'s' if self.lapses_7 != 1 else ''} in 7 days")
        if self.accuracy_30 is not None:
            parts.append(f"accuracy {round(100 * self.accuracy_30)}%")
        if self.average_easiness is not None and self.average_easiness < 2.3:
            parts.append(f"average easiness {self.average_easiness:.2f}")
        if self.days_since is not None and self.days_since >= 14:
            parts.append(f"not studied for {self.days_since} days")
        return ", ".join(parts) or "few answers yet"


def topic_progress(user: User, today: date) -> list[TopicProgress]:
    """Per-topic figures for every topic with active questions, in three grouped queries."""
    totals_by_topic = {
        topic_id: n
        for topic_id, n in db.session.execute(
            select(Question.topic_id, func.count())
            .where(Question.active.is_(True))
            .group_by(Question.topic_id)
        )
    }
    cards = {
        row.topic_id: row
        for row in db.session.execute(
            select(
                Question.topic_id,
                func.count().label("seen"),
                func.avg(CardState.easiness).label("ease"),
                func.coalesce(func.sum(CardState.lapses), 0).label("lapses"),
                func.count().filter(CardState.due_day <= today).label("due"),
                func.count()
                .filter(and_(CardState.repetitions >= 1, CardState.due_day >= today))
                .label("recalled"),
            )
            .join(Question, Question.id == CardState.question_id)
            .where(
                CardState.user_id == user.id,
                Question.active.is_(True),
                CardState.suspended.is_(False),
            )
            .group_by(Question.topic_id)
        )
    }
    lapsed = Review.lapses_after > Review.lapses_before
    recent = {
        row.topic_id: row
        for row in db.session.execute(
            select(
                Question.topic_id,
                func.count().label("answers"),
                func.count().filter(Review.correct.is_(True)).label("right"),
                func.count().filter(lapsed).label("lapses30"),
                func.count()
                .filter(and_(lapsed, Review.study_day > today - timedelta(days=7)))
                .label("lapses7"),
                func.max(Review.study_day).label("last_day"),
            )
            .join(Question, Question.id == Review.question_id)
            .where(
                Review.user_id == user.id,
                Review.study_day > today - timedelta(days=30),
                Review.mode.in_(SCHEDULED_MODES),
            )
            .group_by(Question.topic_id)
        )
    }
    topics = db.session.execute(
        select(Topic.id, Topic.slug, Topic.name)
        .where(Topic.id.in_(list(totals_by_topic)))
        .order_by(Topic.bank_id, Topic.position)
    ).all()
    rows = []
    for topic_id, slug, name in topics:
        c = cards.get(topic_id)
        r = recent.get(topic_id)
        # No answer in the 30-day window means "30 days or more" for a topic already studied.
        days_since = (today - r.last_day).days if r is not None else (30 if c is not None else None)
        rows.append(
            TopicProgress(
                topic_id=topic_id,
                slug=slug,
                name=name,
                total=totals_by_topic[topic_id],
                seen=c.seen if c else 0,
                answers_30=r.answers if r else 0,
                correct_30=r.right if r else 0,
                lapses_30=r.lapses30 if r else 0,
                lapses_7=r.lapses7 if r else 0,
                average_easiness=float(c.ease) / 100 if c and c.ease is not None else None,
                lapses=int(c.lapses) if c else 0,
                due_now=c.due if c else 0,
                recalled=c.recalled if c else 0,
                days_since=days_since,
            )
        )
    return rows


def question_history(user: User, question_id: int) -> dict[str, object] | None:
    """A question with the user's card and every answer to it; None if never answered."""
    card = card_for(user.id, question_id)
    if card is None:
        return None
    answers = db.session.scalars(
        select(Review)
        .where(
            Review.user_id == user.id,
            Review.question_id == question_id,
            # Answers in a mock interview still running show in its report, not before.
            Review.id.not_in(running_mock_reviews(user.id, utcnow())),
        )
        .order_by(Review.reviewed_at.desc(), Review.id.desc())
    ).all()
    question = db.session.get_one(Question, question_id)
    return {
        "question": question,
        "card": card,
        "answers": [(review, describe_response(question, review.response)) for review in answers],
    }


def describe_response(question: Question, response: dict[str, Any] | None) -> str:
    """What the user answered, as inline Markdown: the choice texts they picked, not indexes."""
    if not response:
        return ""
    if "selected" in response:
        texts = [
            question.choices[i]["text"]
            for i in response["selected"]
            if isinstance(i, int) and 0 <= i < len(question.choices)
        ]
        return "; ".join(texts)
    if "points" in response:
        points = response["points"] if isinstance(response["points"], list) else []
        covered = f"{len(points)} of {len(question.key_points)} key points"
        covered += ", hesitant" if response.get("hesitant") else ", fluent"
        said = response.get("text")
        return f"{covered}: {escape_markdown(str(said))}" if said else covered
    if "text" in response:
        return escape_markdown(str(response["text"]))
    if "number" in response:
        return escape_markdown(str(response["number"]))
    if "answer" in response:
        return "True" if response["answer"] else "False"
    if "matches" in response:
        return f"{response.get('right', 0)} of {len(response['matches'])} pairs right"
    if "grade" in response:
        return f"self-graded {response['grade']}"
    return ""


def topic_questions(
    user: User, topic_id: int
) -> tuple[Topic, list[tuple[Question, CardState | None]]] | None:
    """A topic's active questions, each with the user's card (None when never seen)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        return None
    rows = db.session.execute(
        select(Question, CardState)
        .outerjoin(
            CardState, (CardState.question_id == Question.id) & (CardState.user_id == user.id)
        )
        .where(Question.topic_id == topic_id, Question.active.is_(True))
        .order_by(Question.position)
    ).all()
    return topic, [(q, c) for q, c in rows]


REVIEW_COLUMNS = [
    "reviewed_at_utc",
    "study_day",
    "bank",
    "question_key",
    "topic",
    "mode",
    "grade",
    "correct",
    "response",
    "elapsed_ms",
    "interval_before",
    "interval_after",
    "easiness_before",
    "easiness_after",
    "due_after",
]
CARD_COLUMNS = [
    "bank",
    "question_key",
    "topic",
    "repetitions",
    "easiness",
    "interval_days",
    "due_day",
    "lapses",
    "review_count",
    "last_reviewed_at_utc",
    "suspended",
]


def _with_names(row: type[Review] | type[CardState]) -> Select[*tuple[Any, ...]]:
    # Each exported row names its question by bank slug, question id and topic slug, and is
    # streamed in batches: an export never holds a user's whole history in memory.
    return (
        select(row, Bank.slug, Question.key, Topic.slug)
        .join(Question, Question.id == row.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .join(Topic, Topic.id == Question.topic_id)
        .execution_options(yield_per=1000)
    )


def review_rows(user: User) -> Iterator[list[object]]:
    """The user's review log as CSV rows, streamed in batches (never all in memory)."""
    stmt = (
        _with_names(Review).where(Review.user_id == user.id).order_by(Review.reviewed_at, Review.id)
    )
    for review, bank, key, topic in db.session.execute(stmt):
        yield [
            review.reviewed_at.isoformat(),
            review.study_day.isoformat(),
            bank,
            key,
            topic,
            review.mode,
            review.grade,
            int(review.correct),
            json.dumps(review.response),
            review.elapsed_ms if review.elapsed_ms is not None else "",
            review.interval_before,
            review.interval_after,
            f"{review.easiness_before / 100:.2f}",
            f"{review.easiness_after / 100:.2f}",
            review.due_after.isoformat(),
        ]


def card_rows(user: User) -> Iterator[list[object]]:
    """The user's card states as CSV rows."""
    stmt = _with_names(CardState).where(CardState.user_id == user.id)
    for card, bank, key, topic in db.session.execute(stmt.order_by(Bank.slug, Question.position)):
        yield [
            bank,
            key,
            topic,
            card.repetitions,
            f"{card.easiness / 100:.2f}",
            card.interval_days,
            card.due_day.isoformat(),
            card.lapses,
            card.review_count,
            card.last_reviewed_at.isoformat() if card.last_reviewed_at else "",
            int(card.suspended),
        ]
