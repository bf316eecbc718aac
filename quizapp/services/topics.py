"""Which topics a user studies."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, select

from quizapp.extensions import db
from quizapp.models import Question, Topic, User, UserExcludedTopic
from quizapp.services.queue_data import studied_topics


@dataclass(frozen=True)
class TopicChoice:
    """A topic in the picker."""

    id: int
    name: str
    bank_title: str
    questions: int
    studied: bool


@dataclass(frozen=True)
class BankTopics:
    """One bank's topics in the picker (a collapsible group with its own "Study this bank")."""

    id: int
    title: str
    topics: list[TopicChoice]

    @property
    def questions(self) -> int:
        """Active questions in the bank's topics."""
        return sum(topic.questions for topic in self.topics)

    @property
    def studied(self) -> int:
        """How many of the bank's topics the user studies."""
        return sum(topic.studied for topic in self.topics)


def topics_for(user: User) -> list[TopicChoice]:
    """Every topic with questions, marked with whether the user studies it."""
    return [topic for bank in banks_for(user) for topic in bank.topics]


def banks_for(user: User) -> list[BankTopics]:
    """Every topic with questions grouped by bank, in bank order (one query)."""
    groups: dict[int, BankTopics] = {}
    for topic, studied, count in studied_topics(user):
        group = groups.get(topic.bank_id)
        if group is None:
            group = groups[topic.bank_id] = BankTopics(topic.bank_id, topic.bank.title, [])
        group.topics.append(TopicChoice(topic.id, topic.name, topic.bank.title, count, studied))
    return list(groups.values())


def bank_topic_ids(bank_id: int) -> list[int]:
    """The ids of a bank's topics that have active questions (empty for an unknown bank)."""
    return list(
        db.session.scalars(
            select(Topic.id)
            .join(Question, and_(Question.topic_id == Topic.id, Question.active.is_(True)))
            .where(Topic.bank_id == bank_id)
            .group_by(Topic.id)
            .order_by(Topic.id)
        )
    )


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
