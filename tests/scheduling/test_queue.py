"""The daily queue and the in-session re-ask position."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling.queue import (
    DIFFICULTY_ORDER,
    DueCard,
    NewCard,
    QueueItem,
    QueueLimits,
    build_daily_queue,
    interleave_new,
    new_quota,
    overdue_ratio,
    reask_position,
    remaining_new,
    remaining_reviews,
    topic_turns,
)

TODAY = date(2024, 5, 20)
PLENTY = QueueLimits(new_per_day=100, reviews_per_day=1000)


def due(
    question_id: int,
    days_overdue: int,
    interval_days: int = 10,
    easiness: str = "2.5",
    topic: str = "python",
) -> DueCard:
    """A due card, ``days_overdue`` days before TODAY."""
    return DueCard(
        question_id=question_id,
        due_day=TODAY - timedelta(days=days_overdue),
        interval_days=interval_days,
        easiness=Decimal(easiness),
        topic=topic,
    )


def new(
    question_id: int,
    *,
    bank_order: int = 0,
    topic_order: int = 0,
    difficulty: str = "easy",
    position: int = 0,
    topic: str = "python",
) -> NewCard:
    """A new card; every ordering key defaults to 0 / easy."""
    return NewCard(
        question_id=question_id,
        topic=topic,
        bank_order=bank_order,
        topic_order=topic_order,
        difficulty=difficulty,
        position=position,
    )


def build(
    due_cards: Iterable[DueCard] = (),
    new_cards: Iterable[NewCard] = (),
    *,
    limits: QueueLimits = PLENTY,
    new_done_today: int = 0,
    reviews_done_today: int = 0,
    topics: Collection[str] | None = None,
) -> list[QueueItem]:
    """build_daily_queue for TODAY with generous defaults."""
    return build_daily_queue(
        today=TODAY,
        due=due_cards,
        new=new_cards,
        limits=limits,
        new_done_today=new_done_today,
        reviews_done_today=reviews_done_today,
        topics=topics,
    )


def ids(items: list[QueueItem]) -> list[int]:
    """The question ids of a queue, in order."""
    return [item.question_id for item in items]


def test_empty() -> None:
    assert build() == []


def test_reviews_most_overdue_relative_to_interval_first() -> None:
    cards = [
        due(1, days_overdue=10, interval_days=100),  # 1/10
        due(2, days_overdue=1, interval_days=1),  # 1
        due(3, days_overdue=0, interval_days=5),  # 0
        due(4, days_overdue=3, interval_days=6),  # 1/2
        due(5, days_overdue=30, interval_days=0),  # 30 (interval counted as 1)
    ]
    assert ids(build(cards)) == [5, 2, 4, 1, 3]
    assert all(item.kind == "review" for item in build(cards))


def test_equal_ratios_are_exact_then_lower_easiness_then_id() -> None:
    cards = [
        due(7, days_overdue=1, interval_days=3, easiness="2.5"),
        due(3, days_overdue=2, interval_days=6, easiness="2.5"),  # 2/6 == 1/3 exactly
        due(9, days_overdue=3, interval_days=9, easiness="1.3"),
        due(1, days_overdue=4, interval_days=12, easiness="2.5"),
    ]
    assert ids(build(cards)) == [9, 1, 3, 7]


def test_cards_not_yet_due_are_left_out() -> None:
    cards = [due(1, days_overdue=-1), due(2, days_overdue=0), due(3, days_overdue=-30)]
    assert ids(build(cards)) == [2]


@pytest.mark.parametrize(
    ("reviews_per_day", "reviews_done_today", "expected"),
    [(3, 0, [1, 2, 3]), (3, 1, [1, 2]), (3, 3, []), (3, 7, []), (0, 0, []), (10, 0, [1, 2, 3, 4])],
)
def test_reviews_are_capped_and_the_rest_stay_due(
    reviews_per_day: int, reviews_done_today: int, expected: list[int]
) -> None:
    cards = [due(4, 1), due(3, 2), due(2, 3), due(1, 4)]
    limits = QueueLimits(new_per_day=0, reviews_per_day=reviews_per_day)
    assert ids(build(cards, limits=limits, reviews_done_today=reviews_done_today)) == expected


def test_backlog_after_a_break_does_not_flood_the_day() -> None:
    backlog = [due(i, days_overdue=60 + i % 7, interval_days=1 + i % 30) for i in range(5000)]
    limits = QueueLimits(new_per_day=10, reviews_per_day=200)
    queue = build(backlog, [new(10_000 + i) for i in range(10)], limits=limits)
    assert len(queue) == 210


def test_new_cards_in_bank_order() -> None:
    cards = [
        new(1, bank_order=1),
        new(2, bank_order=0, topic_order=1),
        new(3, bank_order=0, topic_order=0, difficulty="hard"),
        new(4, bank_order=0, topic_order=0, difficulty="medium", position=5),
        new(5, bank_order=0, topic_order=0, difficulty="medium", position=2),
        new(6, bank_order=0, topic_order=0, difficulty="easy", position=9),
        new(8, bank_order=0, topic_order=0, difficulty="easy", position=0),
        new(7, bank_order=0, topic_order=0, difficulty="easy", position=0),
    ]
    queue = build(new_cards=cards)
    assert ids(queue) == [7, 8, 6, 5, 4, 3, 2, 1]
    assert all(item.kind == "new" for item in queue)


@pytest.mark.parametrize(
    ("new_per_day", "new_done_today", "expected"),
    [(2, 0, [1, 2]), (2, 1, [1]), (2, 2, []), (2, 5, []), (0, 0, []), (9, 0, [1, 2, 3])],
)
def test_new_cards_are_capped(new_per_day: int, new_done_today: int, expected: list[int]) -> None:
    cards = [new(3, position=3), new(1, position=1), new(2, position=2)]
    limits = QueueLimits(new_per_day=new_per_day, reviews_per_day=0)
    assert ids(build(new_cards=cards, limits=limits, new_done_today=new_done_today)) == expected


def test_reviews_come_before_new_cards() -> None:
    queue = build([due(1, 0), due(2, 5)], [new(3), new(4, position=1)])
    assert queue == [
        QueueItem(2, "review"),
        QueueItem(1, "review"),
        QueueItem(3, "new"),
        QueueItem(4, "new"),
    ]


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        (None, [1, 2, 3, 4]),
        (["sql"], [2, 4]),
        ({"python", "sql"}, [1, 2, 3, 4]),
        (frozenset({"python"}), [1, 3]),
        ([], []),
        (["go"], []),
    ],
)
def test_topic_restriction(topics: Collection[str] | None, expected: list[int]) -> None:
    queue = build(
        [due(1, 2, topic="python"), due(2, 1, topic="sql")],
        [new(3, topic="python"), new(4, topic="sql", position=1)],
        topics=topics,
    )
    assert ids(queue) == expected


def test_topic_restriction_applies_before_the_caps() -> None:
    limits = QueueLimits(new_per_day=1, reviews_per_day=1)
    queue = build(
        [due(1, 9, topic="python"), due(2, 1, topic="sql")],
        [new(3, topic="python"), new(4, topic="sql", position=1)],
        limits=limits,
        topics=["sql"],
    )
    assert ids(queue) == [2, 4]


def test_accepts_one_shot_iterables() -> None:
    queue = build(iter([due(1, 1)]), (card for card in [new(2)]))
    assert ids(queue) == [1, 2]


@pytest.mark.parametrize(
    ("due_cards", "new_cards"),
    [([due(1, 1), due(1, 2)], []), ([], [new(1), new(1, position=1)]), ([due(1, 1)], [new(1)])],
)
def test_duplicate_question_ids_are_rejected(
    due_cards: list[DueCard], new_cards: list[NewCard]
) -> None:
    with pytest.raises(ValueError):
        build(due_cards, new_cards)


@pytest.mark.parametrize(("new_done", "reviews_done"), [(-1, 0), (0, -1), (True, 0), (0, 1.0)])
def test_invalid_done_counts(new_done: object, reviews_done: object) -> None:
    with pytest.raises(ValueError):
        build(new_done_today=new_done, reviews_done_today=reviews_done)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("new_per_day", "reviews_per_day"), [(-1, 0), (0, -1), (1.5, 0), (0, None)]
)
def test_invalid_limits(new_per_day: object, reviews_per_day: object) -> None:
    with pytest.raises(ValueError):
        QueueLimits(new_per_day=new_per_day, reviews_per_day=reviews_per_day)  # type: ignore[arg-type]


def test_invalid_cards_and_items() -> None:
    with pytest.raises(ValueError):
        new(1, difficulty="extreme")
    with pytest.raises(ValueError):
        due(1, 0, interval_days=-1)
    with pytest.raises(ValueError):
        QueueItem(1, "later")  # type: ignore[arg-type]


def test_difficulty_order() -> None:
    assert sorted(DIFFICULTY_ORDER, key=DIFFICULTY_ORDER.__getitem__) == ["easy", "medium", "hard"]


@pytest.mark.parametrize(
    ("done", "expected_new", "expected_reviews"), [(0, 5, 50), (3, 2, 47), (5, 0, 45), (60, 0, 0)]
)
def test_remaining(done: int, expected_new: int, expected_reviews: int) -> None:
    limits = QueueLimits(new_per_day=5, reviews_per_day=50)
    assert remaining_new(limits, done) == expected_new
    assert remaining_reviews(limits, done) == expected_reviews


@pytest.mark.parametrize(
    ("days_overdue", "interval_days", "ratio"),
    [(0, 10, Fraction(0)), (5, 10, Fraction(1, 2)), (3, 0, Fraction(3)), (-2, 4, Fraction(-1, 2))],
)
def test_overdue_ratio(days_overdue: int, interval_days: int, ratio: Fraction) -> None:
    result = overdue_ratio(TODAY, TODAY - timedelta(days=days_overdue), interval_days)
    assert result == ratio
    assert isinstance(result, Fraction)


@pytest.mark.parametrize(
    ("current", "length", "gap", "position"),
    [
        (0, 10, 3, 4),
        (5, 10, 3, 9),
        (6, 10, 3, 10),
        (8, 10, 3, 10),
        (9, 10, 3, 10),
        (0, 1, 3, 1),
        (2, 10, 0, 3),
        (2, 10, 5, 8),
    ],
)
def test_reask_position(current: int, length: int, gap: int, position: int) -> None:
    assert reask_position(current, length, gap) == position


def test_reask_default_gap_is_three_items() -> None:
    session = ["a", "b", "c", "d", "e", "f"]
    session.insert(reask_position(0, len(session)), session[0])
    assert session == ["a", "b", "c", "d", "a", "e", "f"]
    session.insert(reask_position(5, len(session)), session[5])
    assert session == ["a", "b", "c", "d", "a", "e", "f", "e"]


@pytest.mark.parametrize(
    ("current", "length", "gap"), [(10, 10, 3), (-1, 10, 3), (0, 0, 3), (0, 10, -1), (True, 10, 3)]
)
def test_invalid_reask_arguments(current: int, length: int, gap: int) -> None:
    with pytest.raises(ValueError):
        reask_position(current, length, gap)


# Property tests --------------------------------------------------------------------------

due_cards = st.lists(
    st.builds(
        DueCard,
        question_id=st.integers(min_value=1, max_value=10**6),
        due_day=st.dates(
            min_value=TODAY - timedelta(days=400), max_value=TODAY + timedelta(days=30)
        ),
        interval_days=st.integers(min_value=0, max_value=400),
        easiness=st.integers(min_value=130, max_value=350).map(lambda h: Decimal(h) / 100),
        topic=st.sampled_from(["python", "sql", "git"]),
    ),
    max_size=40,
    unique_by=lambda card: card.question_id,
)
new_cards = st.lists(
    st.builds(
        NewCard,
        question_id=st.integers(min_value=10**6 + 1, max_value=2 * 10**6),
        topic=st.sampled_from(["python", "sql", "git"]),
        bank_order=st.integers(min_value=0, max_value=3),
        topic_order=st.integers(min_value=0, max_value=3),
        difficulty=st.sampled_from(sorted(DIFFICULTY_ORDER)),
        position=st.integers(min_value=0, max_value=5),
    ),
    max_size=40,
    unique_by=lambda card: card.question_id,
)
limits = st.builds(
    QueueLimits,
    new_per_day=st.integers(min_value=0, max_value=30),
    reviews_per_day=st.integers(min_value=0, max_value=60),
)
done = st.integers(min_value=0, max_value=70)
topic_choices = st.one_of(st.none(), st.sets(st.sampled_from(["python", "sql", "git"])))


@given(due_cards, new_cards, limits, done, done, topic_choices, st.randoms())
def test_queue_properties(
    due_list: list[DueCard],
    new_list: list[NewCard],
    queue_limits: QueueLimits,
    new_done: int,
    reviews_done: int,
    topics: set[str] | None,
    rnd: Random,
) -> None:
    def make(due_in: list[DueCard], new_in: list[NewCard]) -> list[QueueItem]:
        return build(
            due_in,
            new_in,
            limits=queue_limits,
            new_done_today=new_done,
            reviews_done_today=reviews_done,
            topics=topics,
        )

    queue = make(due_list, new_list)
    reviews = [item for item in queue if item.kind == "review"]
    fresh = [item for item in queue if item.kind == "new"]
    assert queue == reviews + fresh
    assert len(reviews) <= remaining_reviews(queue_limits, reviews_done)
    assert len(fresh) <= remaining_new(queue_limits, new_done)
    assert len(set(ids(queue))) == len(queue)

    by_id = {card.question_id: card for card in due_list}
    for item in reviews:
        card = by_id[item.question_id]
        assert card.due_day <= TODAY
        assert topics is None or card.topic in topics
    eligible = [
        card
        for card in due_list
        if card.due_day <= TODAY and (topics is None or card.topic in topics)
    ]
    assert len(reviews) == min(len(eligible), remaining_reviews(queue_limits, reviews_done))
    # Nothing left out is more overdue than something taken.
    taken = {item.question_id for item in reviews}
    if reviews:
        last = by_id[reviews[-1].question_id]
        last_ratio = overdue_ratio(TODAY, last.due_day, last.interval_days)
        for card in eligible:
            if card.question_id not in taken:
                assert overdue_ratio(TODAY, card.due_day, card.interval_days) <= last_ratio

    # The order does not depend on the order of the input.
    shuffled_due, shuffled_new = list(due_list), list(new_list)
    rnd.shuffle(shuffled_due)
    rnd.shuffle(shuffled_new)
    assert make(shuffled_due, shuffled_new) == queue


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=0, max_value=10), st.data())
def test_reask_leaves_exactly_gap_items_between_or_goes_last(
    length: int, gap: int, data: st.DataObject
) -> None:
    current = data.draw(st.integers(min_value=0, max_value=length - 1))
    position = reask_position(current, length, gap)
    assert current < position <= length
    between = position - current - 1
    assert between == gap or position == length


def test_reask_plan_caps_and_spaces_reasks() -> None:
    from quizapp.scheduling.queue import MAX_REASKS_PER_QUESTION, ReaskPlan, reask_plan

    assert [reask_plan(n) for n in range(MAX_REASKS_PER_QUESTION + 2)] == [
        ReaskPlan(gap=3, delay_seconds=60),
        ReaskPlan(gap=6, delay_seconds=120),
        ReaskPlan(gap=9, delay_seconds=240),
        None,
        None,
    ]
    with pytest.raises(ValueError):
        reask_plan(-1)


def test_new_cards_take_turns_across_topics_in_a_seeded_order() -> None:
    cards = [new(i, topic="m2m", position=i) for i in range(1, 6)] + [
        new(10 * n + i, topic=t, bank_order=1, position=i)
        for n, t in ((1, "sql"), (2, "js"))
        for i in range(2)
    ]
    queue = build_daily_queue(
        today=TODAY,
        due=[],
        new=cards,
        limits=QueueLimits(new_per_day=6, reviews_per_day=0),
        new_done_today=0,
        reviews_done_today=0,
        user_id=7,
    )
    turns = topic_turns(["m2m", "sql", "js"], 7, TODAY)
    by_id = {card.question_id: card.topic for card in cards}
    topics = [by_id[item.question_id] for item in queue]
    # Two rounds over the three topics in today's turn order, then m2m alone (others ran out).
    assert topics == turns + turns
    # Within a topic, bank order still holds.
    m2m = [item.question_id for item in queue if by_id[item.question_id] == "m2m"]
    assert m2m == [1, 2]


def test_topic_turns_are_the_same_all_day_and_change_with_user_or_day() -> None:
    topics = [f"t{i}" for i in range(12)]
    assert topic_turns(topics, 1, TODAY) == topic_turns(reversed(topics), 1, TODAY)
    assert sorted(topic_turns(topics, 1, TODAY)) == sorted(topics)
    others = {tuple(topic_turns(topics, 1, TODAY + timedelta(days=d))) for d in range(1, 4)}
    others |= {tuple(topic_turns(topics, u, TODAY)) for u in range(2, 5)}
    assert len(others) > 1


def test_interleave_drops_exhausted_topics_and_keeps_every_card() -> None:
    cards = [new(1, topic="a"), new(2, topic="b"), new(3, topic="b", position=1)]
    out = interleave_new(cards, 3, TODAY)
    assert sorted(card.question_id for card in out) == [1, 2, 3]
    assert [card.question_id for card in out][-1] == 3


many_topics_new = st.lists(
    st.builds(
        NewCard,
        question_id=st.integers(min_value=1, max_value=10**6),
        topic=st.sampled_from([f"topic-{i}" for i in range(12)]),
        bank_order=st.integers(min_value=0, max_value=2),
        topic_order=st.integers(min_value=0, max_value=2),
        difficulty=st.sampled_from(sorted(DIFFICULTY_ORDER)),
        position=st.integers(min_value=0, max_value=5),
    ),
    max_size=80,
    unique_by=lambda card: card.question_id,
)


@given(
    many_topics_new,
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=1, max_value=10**6),
    st.dates(),
)
def test_loading_only_the_quotas_gives_the_same_new_questions(
    cards: list[NewCard], slots: int, user_id: int, day: date
) -> None:
    """Each topic's first new_quota cards in bank order are all the round-robin can take."""
    topics = {card.topic for card in cards}
    quota = new_quota(len(topics), slots)
    everything = interleave_new(cards, user_id, day)[:slots]
    in_bank_order: dict[str, list[NewCard]] = {}
    for card in interleave_new(cards, user_id, day):  # keeps each topic's bank order
        in_bank_order.setdefault(card.topic, []).append(card)
    loaded = [card for topic in topics for card in in_bank_order[topic][:quota]]
    assert interleave_new(loaded, user_id, day)[:slots] == everything
    if slots:
        assert {card.topic for card in loaded} == topics
        # Bounded by the slots and the number of topics, not by the size of the banks.
        assert len(loaded) <= max(len(topics), (slots + 1) ** 2 // 4 + 1)


def test_the_quota_follows_the_number_of_topics() -> None:
    assert new_quota(50, 20) == 1
    assert new_quota(20, 20) == 1
    assert new_quota(3, 10) == 8
    assert new_quota(1, 10) == 10
    assert new_quota(3, 0) == 0


@given(
    st.lists(
        st.builds(
            DueCard,
            question_id=st.integers(min_value=1, max_value=10**6),
            due_day=st.dates(
                min_value=TODAY - timedelta(days=70_000), max_value=TODAY + timedelta(days=30)
            ),
            interval_days=st.one_of(
                st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=10**6)
            ),
            easiness=st.integers(min_value=130, max_value=350).map(lambda h: Decimal(h) / 100),
            topic=st.just("python"),
        ),
        max_size=40,
        unique_by=lambda card: card.question_id,
    )
)
def test_reviews_come_in_the_exact_fraction_order(cards: list[DueCard]) -> None:
    """Sorting by a double where it is exact (and a Fraction elsewhere) is the exact order."""
    expected = sorted(
        (card for card in cards if card.due_day <= TODAY),
        key=lambda c: (
            -overdue_ratio(TODAY, c.due_day, c.interval_days),
            c.easiness,
            c.question_id,
        ),
    )
    assert ids(build(cards)) == [card.question_id for card in expected]


def test_day_counts_beyond_the_doubles_exact_range_are_ordered_by_fraction() -> None:
    # 1 + 1/65,536 against 1 + 1/65,535: the second is more overdue.
    a = due(1, 65_537, interval_days=65_536)
    b = due(2, 65_536, interval_days=65_535)
    assert ids(build([a, b])) == [2, 1]
