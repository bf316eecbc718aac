"""Typed SQLAlchemy models, one module per concept."""

from quizapp.models.bank import Bank, Question, Topic
from quizapp.models.card import CardState
from quizapp.models.pending_import import PendingImport
from quizapp.models.review import Review
from quizapp.models.study import StudySession, StudySessionItem
from quizapp.models.user import User, UserExcludedTopic

__all__ = [
    "Bank",
    "CardState",
    "PendingImport",
    "Question",
    "Review",
    "StudySession",
    "StudySessionItem",
    "Topic",
    "User",
    "UserExcludedTopic",
]
