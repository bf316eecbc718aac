"""Pages around starting a quiz: the daily new-question limit, and an open quiz in the way."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Topic, User
from quizapp.services import queue_data, study

# Topic names listed in a sentence before it says "the N topics you chose" instead.
MAX_NAMED_TOPICS = 3


def topic_label(topic_ids: Collection[int] | None) -> str:
    """How a sentence names the chosen topics: "SQL", "SQL and Joins", "the 5 topics you chose"."""
    if not topic_ids:
        return "your topics"
    if len(topic_ids) > MAX_NAMED_TOPICS:
        return f"the {len(topic_ids)} topics you chose"
    names = list(
        db.session.scalars(
            select(Topic.name).where(Topic.id.in_(list(topic_ids))).order_by(Topic.id)
        )
    )
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class NewLimitPage:
    """Why a quiz could not start: today's new questions are used up while more are waiting."""

    topic_ids: list[int] | None
    topics: str
    setting: int
    allowance: int
    started: int
    waiting: int
    reviews_due: int

    @property
    def stopped_by_limit(self) -> bool:
        """True when the daily limit, not a lack of questions, is what stopped the quiz."""
        return self.waiting > 0 and self.started >= self.allowance and self.reviews_due == 0

    @property
    def suggested(self) -> int:
        """The "study N more" default: a day's worth, at most what is waiting."""
        return max(1, min(self.setting or 10, self.waiting, study.MAX_EXTRA_NEW))


def new_limit_page(user: User, topic_ids: Collection[int] | None) -> NewLimitPage:
    """The numbers behind "you have started your 10 new questions today; 37 more are waiting"."""
    today = study.today_for(user)
    wanted = sorted(set(topic_ids)) if topic_ids else None
    return NewLimitPage(
        topic_ids=wanted,
        topics=topic_label(wanted),
        setting=user.new_per_day,
        allowance=study.new_allowance(user, today),
        started=queue_data.new_done_today(user.id, today),
        waiting=queue_data.count_unseen(user.id, wanted),
        reviews_due=queue_data.count_due(user.id, today, wanted),
    )


@dataclass(frozen=True)
class SwitchPage:
    """Asking before a new quiz replaces the open one."""

    open_quiz: study.OpenQuiz
    open_topics: str
    topic_ids: list[int] | None
    topics: str


def switch_page(user: User, topic_ids: Collection[int] | None) -> SwitchPage | None:
    """What the open quiz holds and what would replace it (None if no quiz is open)."""
    current = study.open_quiz(user)
    if current is None:
        return None
    wanted = sorted(set(topic_ids)) if topic_ids else None
    return SwitchPage(current, topic_label(current.topic_ids), wanted, topic_label(wanted))
