"""The quiz pages' data: the question shown, its choice order, and the answer's feedback."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from markupsafe import Markup
from sqlalchemy.orm import joinedload

from quizapp.extensions import db
from quizapp.models import CardState, Question, Review, StudySession, StudySessionItem, User
from quizapp.scheduling.card import CardSnapshot, apply_answer
from quizapp.scheduling.grading import allowed_adjustments
from quizapp.scheduling.queue import MAX_REASKS_PER_QUESTION
from quizapp.scheduling.sm2 import MAX_GRADE, MIN_GRADE, needs_reask
from quizapp.services import study
from quizapp.services.cards import card_snapshot, question_with_card
from quizapp.vocabulary import QuestionType, ReviewMode


@dataclass(frozen=True)
class ShownChoice:
    """A choice as displayed: its number on screen and its index in the bank."""

    number: int
    index: int
    text: str
    correct: bool
    html: Markup


def shown_choices(question: Question, item: StudySessionItem) -> list[ShownChoice]:
    """The question's choices shuffled by the item's seed: stable within one presentation."""
    order = list(range(len(question.choices)))
    # Not for security: only varies the order between presentations.
    random.Random(item.shuffle_seed).shuffle(order)  # noqa: S311
    return [
        ShownChoice(
            number,
            index,
            question.choices[index]["text"],
            bool(question.choices[index].get("correct")),
            question.choice_html(index),
        )
        for number, index in enumerate(order, start=1)
    ]


@dataclass(frozen=True)
class MatchOption:
    """A right-hand option of a matching question: its index in the bank and its text."""

    index: int
    text: str


@dataclass(frozen=True)
class MatchRow:
    """A left-hand item; after answering, what was picked and what was right."""

    number: int
    left: str
    right: str
    left_html: Markup
    picked: str | None = None

    @property
    def ok(self) -> bool:
        """True when the pick was the right option."""
        return self.picked == self.right


def match_options(question: Question, item: StudySessionItem) -> tuple[MatchOption, ...]:
    """The right-hand options, shuffled by the item's seed (stable within a presentation)."""
    options = [MatchOption(i, p.right) for i, p in enumerate(question.matching_pairs())]
    # Not for security: only varies the order between presentations.
    random.Random(item.shuffle_seed).shuffle(options)  # noqa: S311
    return tuple(options)


def match_rows(question: Question, picks: list[int | None] | None = None) -> tuple[MatchRow, ...]:
    """The left-hand items in bank order, with the picks of a logged answer when given."""
    pairs = question.matching_pairs()
    lefts = [i for i, p in enumerate(pairs) if p.left]
    rows = []
    for number, index in enumerate(lefts, start=1):
        pick = picks[number - 1] if picks and number - 1 < len(picks) else None
        picked = pairs[pick].right if pick is not None and 0 <= pick < len(pairs) else None
        left_html = question.left_html(index)
        rows.append(MatchRow(number, pairs[index].left, pairs[index].right, left_html, picked))
    return tuple(rows)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def expected_answer(question: Question) -> str | None:
    """The expected answer as text (Markdown for flashcards and explain's model answer)."""
    match QuestionType(question.type):
        case QuestionType.TRUE_FALSE:
            return "True" if question.answer else "False"
        case QuestionType.SHORT_ANSWER:
            return " / ".join(question.accepted)
        case QuestionType.FLASHCARD | QuestionType.EXPLAIN:
            return str(question.answer)
        case QuestionType.NUMERICAL:
            return " or ".join(
                _number(r.low) if r.low == r.high else f"{_number(r.low)} to {_number(r.high)}"
                for r in question.number_ranges()
            )
        case _:
            return None


class Reask(StrEnum):
    """What became of the re-ask a failed answer asks for (SM-2 rule 6)."""

    PENDING = "pending"
    ANSWERED = "answered"
    CAPPED = "capped"
    NONE = "none"


def reask_of(progress: study.SessionProgress) -> Reask:
    """Whether an item's re-ask is still to come, was answered, or was never added or dropped."""
    if not progress.reasks:
        return Reask.CAPPED if progress.showings > MAX_REASKS_PER_QUESTION else Reask.NONE
    return Reask.ANSWERED if progress.reasks_answered else Reask.PENDING


def comes_back(
    review: Review, today: date, reask: Reask = Reask.PENDING, session_over: bool = False
) -> str:
    """When the card is due again, in words ("in 6 days"), and whether it is asked again first."""
    then = _days(review.due_after, today)
    if not needs_reask(review.grade):
        return then
    if reask is Reask.ANSWERED:
        return f"{then} (it was asked again later in this session)"
    if reask is Reask.CAPPED:
        shown = MAX_REASKS_PER_QUESTION + 1
        return f"{then} (it was shown {shown} times in this session, the most for one question)"
    if session_over or reask is Reask.NONE:
        return f"{then} (the session ended before it was asked again)"
    return f"later in this session, then {then}"


def _days(due: date, today: date) -> str:
    days = (due - today).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def next_due_by_grade(
    before: CardSnapshot,
    kind: ReviewMode,
    grades: Iterable[int],
    *,
    today: date,
    interview_day: date | None,
) -> dict[int, str]:
    """When the card would come back after each grade ("in 6 days"), from the SM-2 core."""
    return {
        grade: _days(
            apply_answer(before, kind, grade, today=today, interview_day=interview_day).due_day,
            today,
        )
        for grade in grades
    }


def _before_review(review: Review) -> CardSnapshot:
    """The card as it was before a logged answer (what a changed grade is applied to)."""
    return CardSnapshot(
        repetitions=review.repetitions_before,
        easiness_hundredths=review.easiness_before,
        interval_days=review.interval_before,
        due_day=review.due_before or review.study_day,
        lapses=review.lapses_before,
        review_count=0 if review.mode == ReviewMode.NEW else 1,
    )


def card_version(card: CardState | None) -> int:
    """The version an answer form carries (0 for a question never answered)."""
    return card.version if card else 0


@dataclass(frozen=True)
class QuestionPage:
    """Everything the question page shows; ``item`` is None when the session has no more."""

    session: StudySession
    item: StudySessionItem | None
    question: Question | None = None
    question_type: QuestionType | None = None
    card_version: int = 0
    choices: tuple[ShownChoice, ...] = ()
    progress: study.SessionProgress | None = None
    can_undo: bool = False
    match_rows: tuple[MatchRow, ...] = ()
    match_options: tuple[MatchOption, ...] = ()
    # Self-graded questions: when the card would come back after each grade.
    due_by_grade: dict[int, str] = field(default_factory=dict)


def question_page(user: User, session_id: int) -> QuestionPage | None:
    """The session's next question as the user will see it; None if not their session."""
    found = study.next_to_show(user, session_id)
    if found is None:
        return None
    session, shown = found.session, found.shown
    if shown is None:
        # Nothing ready now: a re-ask still waiting, if any, comes early rather than never.
        item = study.next_item(session)
        if item is None:
            return QuestionPage(session, None)
        shown = _shown(user, session, item)
    return _question_page(user, shown, found.progress)


@dataclass(frozen=True)
class AnswerTarget(study.ItemToAnswer):
    """What reading an answer form needs: the item, its question's type and option count."""

    @property
    def question_type(self) -> QuestionType:
        """The type of the question asked."""
        return QuestionType(self.question.type)

    @property
    def option_count(self) -> int:
        """How many choices (or matching options, or key points) the question offers."""
        return option_count(self.question)


def option_count(question: Question) -> int:
    """How many choices, matching options or key points a question offers."""
    return len(question.choices) or len(question.matching_pairs()) or len(question.key_points)


def answer_target(user: User, item_id: int) -> AnswerTarget | None:
    """The user's own item to answer, without building its page (None if not theirs)."""
    found = study.item_to_answer(user, item_id)
    return AnswerTarget(found.item, found.session, found.question, found.card) if found else None


def item_page(user: User, item_id: int) -> QuestionPage | None:
    """One item's question page (to show an answer form again); None if not the user's."""
    item = study.get_item(user, item_id)
    if item is None:
        return None
    # get_item checked that the item is the user's, so its session is theirs too.
    session = db.session.get_one(StudySession, item.session_id)
    return _question_page(user, _shown(user, session, item))


def _shown_question(question_id: int) -> Question:
    # With its topic, which the page's header names: one statement, not two.
    return db.session.get_one(Question, question_id, options=[joinedload(Question.topic)])


def _shown(user: User, session: StudySession, item: StudySessionItem) -> study.ItemToAnswer:
    question, card = question_with_card(user.id, item.question_id)
    return study.ItemToAnswer(item, session, question, card)


def _question_page(
    user: User, shown: study.ItemToAnswer, progress: study.SessionProgress | None = None
) -> QuestionPage:
    item, session, question, card = shown.item, shown.session, shown.question, shown.card
    question_type = QuestionType(question.type)
    due_by_grade = {}
    if question_type.self_graded:
        today = study.today_for(user)
        due_by_grade = next_due_by_grade(
            card_snapshot(card) if card else CardSnapshot.new(today),
            ReviewMode(item.kind),
            range(MIN_GRADE, MAX_GRADE + 1),
            today=today,
            interview_day=user.interview_date,
        )
    if progress is None:
        progress = study.session_progress(session)
    return QuestionPage(
        session=session,
        item=item,
        question=question,
        question_type=question_type,
        card_version=card_version(card),
        due_by_grade=due_by_grade,
        choices=tuple(shown_choices(question, item)) if question.choices else (),
        progress=progress,
        # Something in the session was answered, so there is an answer to take back.
        can_undo=progress.answered > 0,
        match_rows=match_rows(question),
        match_options=match_options(question, item),
    )


@dataclass(frozen=True)
class FeedbackPage:
    """Everything the feedback page shows; ``review`` is None while the item is unanswered."""

    session: StudySession
    item: StudySessionItem
    review: Review | None = None
    question: Question | None = None
    question_type: QuestionType | None = None
    choices: tuple[ShownChoice, ...] = ()
    expected: str | None = None
    comes_back: str = ""
    progress: study.SessionProgress | None = None
    is_last: bool = False
    adjustments: tuple[int, ...] = ()
    match_rows: tuple[MatchRow, ...] = ()
    # When the card would come back after each offered grade change.
    due_by_grade: dict[int, str] = field(default_factory=dict)


def feedback_page(user: User, item_id: int) -> FeedbackPage | None:
    """What was right, the explanation, the grade and when the card comes back."""
    item = study.get_item(user, item_id)
    if item is None:
        return None
    # get_item checked that the item is the user's, so its session is theirs too.
    session = db.session.get_one(StudySession, item.session_id)
    if item.review_id is None:
        return FeedbackPage(session, item)
    review = db.session.get_one(Review, item.review_id)
    question = _shown_question(item.question_id)
    question_type = QuestionType(question.type)
    is_last = study.last_answered_item(session) is item
    progress = study.session_progress(session, reasks_of=item)
    adjust = allowed_adjustments(question_type, review.correct) if is_last else ()
    adjustments = tuple(g for g in adjust if g != review.grade)
    today = study.today_for(user)
    return FeedbackPage(
        session=session,
        item=item,
        review=review,
        question=question,
        question_type=question_type,
        choices=tuple(shown_choices(question, item)) if question.choices else (),
        expected=expected_answer(question),
        comes_back=comes_back(
            review,
            today,
            reask_of(progress),
            session_over=session.finished_at is not None,
        ),
        progress=progress,
        is_last=is_last,
        adjustments=adjustments,
        due_by_grade=next_due_by_grade(
            _before_review(review),
            ReviewMode(review.mode),
            adjustments,
            today=today,
            interview_day=user.interview_date,
        )
        if adjustments
        else {},
        match_rows=match_rows(question, (review.response or {}).get("matches")),
    )
