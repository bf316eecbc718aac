"""A child process for test_kill: answers today's questions through the review service.

Usage: python -m tests.reliability.answer_loop USER_ID INSTANCE_PATH (DATABASE_URL in the
environment). Prints the number of answers after each commit, "done" when nothing is left.
"""

from __future__ import annotations

import random
import sys

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Question, User
from quizapp.scheduling.grading import Submission
from quizapp.services import reviews, study
from quizapp.vocabulary import QuestionType


def given_for(question: Question, right: bool) -> Submission:
    """An answer to a question, right or wrong."""
    qtype = QuestionType(question.type)
    if qtype is QuestionType.FLASHCARD:
        return Submission(grade=4 if right else 1)
    if qtype.has_choices:
        wanted = [i for i, c in enumerate(question.choices) if bool(c.get("correct")) == right]
        return Submission(selected=tuple(wanted[:1] if not right else wanted))
    if qtype is QuestionType.TRUE_FALSE:
        return Submission(truth=bool(question.answer) == right)
    return Submission(text=question.accepted[0] if right else "no idea")


def main(user_id: int, instance_path: str) -> None:
    """Answer until nothing is due (or the process is killed)."""
    app = create_app({"INSTANCE_PATH": instance_path, "RATELIMIT_ENABLED": False})
    answered = 0
    with app.app_context():
        while True:
            user = db.session.get(User, user_id)
            session = study.start_daily_session(user)
            item = study.next_item(session) if session is not None else None
            if item is None:
                print("done", flush=True)
                return
            target = study.item_to_answer(user, item.id)
            given = given_for(target.question, right=random.random() < 0.7)  # noqa: S311
            card = target.card
            reviews.answer(user, target, given, card.version if card else 0)
            answered += 1
            print(answered, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
