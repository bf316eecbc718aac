"""Typed SQLAlchemy models, one module per concept."""

from quizapp.models.bank import Bank, Question, Topic
from quizapp.models.card import CardState
from quizapp.models.flag import QuestionFlag
from quizapp.models.job_run import JobRun
from quizapp.models.outbox import OutboxMessage
from quizapp.models.pending_import import PendingImport
from quizapp.models.review import Review
from quizapp.models.study import StudySession, StudySessionItem
from quizapp.models.user import User, UserExcludedTopic

__all__ = [
    "Bank",
    "CardState",
    "JobRun",
    "OutboxMessage",
    "PendingImport",
    "QuestionFlag",
    "Question",
    "Review",
    "StudySession",
    "StudySessionItem",
    "Topic",
    "User",
    "UserExcludedTopic",
]
