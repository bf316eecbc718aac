"""Which topics a user studies."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from quizapp.extensions import db
from quizapp.models import Topic, User, UserExcludedTopic
from quizapp.services.queue_data import studied_topics


@dataclass(frozen=True)
class TopicChoice:
    """A topic in the picker."""

    id: int
    name: str
    bank_title: str
    questions: int
    studied: bool


def topics_for(user: User) -> list[TopicChoice]:
    """Every topic with questions, marked with whether the user studies it."""
    return [
        TopicChoice(topic.id, topic.name, topic.bank.title, count, studied)
        for topic, studied, count in studied_topics(user)
    ]


def all_exist(topic_ids: Collection[int]) -> bool:
    """Tell whether every id names a topic."""
    if not topic_ids:
        return True
    found = db.session.scalar(
        select(func.count()).select_from(Topic).where(Topic.id.in_(list(topic_ids)))
    )
    return found == len(set(topic_ids))


def set_studied(user: User, topic_ids: Collection[int]) -> None:
    """Study exactly these topics (an empty choice means all of them)."""
    db.session.execute(delete(UserExcludedTopic).where(UserExcludedTopic.user_id == user.id))
    if topic_ids:
        excluded = db.session.scalars(
            select(Topic.id).where(Topic.id.not_in(list(topic_ids)))
        ).all()
        db.session.add_all(UserExcludedTopic(user_id=user.id, topic_id=tid) for tid in excluded)
    db.session.commit()
