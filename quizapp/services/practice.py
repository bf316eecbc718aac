"""Practice on weak topics, and leeches.

Practice answers are logged with mode "practice" and touch the SM-2 schedule only on failure:
a failed answer (grade below 3) is a lapse that resets the card and makes it due tomorrow; a
successful one leaves the card's schedule where it was, so practising early never pushes a
card further out (see quizapp.scheduling.card). Failures are asked again later in the same
practice session, as in the daily quiz.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, User
from quizapp.services.leeches import leech_cards
from quizapp.services.progress import TopicProgress, topic_progress
from quizapp.services.study import start_practice_session, today_for

PRACTICE_SIZE = 20
WEAK_TOPICS = 3
# Below this a topic is not listed as weak: small weakness scores are noise.
WEAK_THRESHOLD = 15


def weakest_topics(rows: Sequence[TopicProgress], limit: int = WEAK_TOPICS) -> list[TopicProgress]:
    """The studied topics with the highest weakness scores."""
    studied = [r for r in rows if r.seen and r.weakness >= WEAK_THRESHOLD]
    return sorted(studied, key=lambda r: (-r.weakness, r.name))[:limit]


def leeches(user: User) -> list[tuple[Question, int, CardState]]:
    """Questions the user failed 8 or more times (re-asks and resets not counted)."""
    failures = leech_cards(Review.user_id == user.id)
    rows = db.session.execute(
        select(Question, failures.c.failures, CardState)
        .join(failures, failures.c.question_id == Question.id)
        .join(CardState, (CardState.question_id == Question.id) & (CardState.user_id == user.id))
        .order_by(failures.c.failures.desc(), Question.id)
    ).all()
    return [(q, n, card) for q, n, card in rows]


def practice_questions(user: User, topic_ids: Sequence[int]) -> list[int]:
    """Seen questions of these topics, weakest cards first (lowest EF, most lapses, soonest due)."""
    return list(
        db.session.scalars(
            select(CardState.question_id)
            .join(Question, Question.id == CardState.question_id)
            .where(
                CardState.user_id == user.id,
                Question.topic_id.in_(list(topic_ids)),
                Question.active.is_(True),
                CardState.suspended.is_(False),
            )
            .order_by(
                CardState.easiness,
                CardState.lapses.desc(),
                CardState.due_day,
                CardState.question_id,
            )
            .limit(PRACTICE_SIZE)
        )
    )


def start(user: User, topic_ids: list[int] | None) -> StudySession | None:
    """Start practice on the chosen topics, or on the weakest ones."""
    if topic_ids is None:
        weakest = weakest_topics(topic_progress(user, today_for(user)))
        topic_ids = [r.topic_id for r in weakest]
    return start_practice_session(user, practice_questions(user, topic_ids)) if topic_ids else None
