"""Moodle GIFT: supported question kinds, skipped kinds, escapes, categories and errors."""

from __future__ import annotations

import pytest

from quizapp.banks import Choice, Topic
from quizapp.banks.model import Pair
from quizapp.banks.text import stable_id
from tests.banks.helpers import error_text, fixture, parse


def gift(text: str, **options: object):  # type: ignore[no-untyped-def]
    return parse(text, "quiz.gift", **options)


def one(text: str):  # type: ignore[no-untyped-def]
    result = gift(text)
    assert result.bank is not None, error_text(result)
    (question,) = result.bank.questions
    return question


def test_fixture_from_the_moodle_documentation() -> None:
    result = fixture("moodle-examples.gift")
    assert result.ok, error_text(result)
    bank = result.bank
    assert bank is not None
    assert bank.topics == (
        Topic("moodle-examples-grant-s-tomb", "Grant's tomb"),
        Topic("moodle-examples-gift-syntax", "GIFT syntax"),
    )
    kinds = [(q.key, q.type, q.line) for q in bank.questions if not q.key.startswith("gift-")]
    assert kinds == [
        ("q1", "true_false", 25),
        ("q2", "single_choice", 28),
        ("q3", "short_answer", 32),
        ("q4", "matching", 35),
        ("q5", "numerical", 38),
        ("q7", "numerical", 41),
        ("plug-ins", "single_choice", 51),
        ("escapes", "single_choice", 57),
        ("html-bold", "single_choice", 62),
    ]
    skipped = [(p.line, p.question_id, p.message.split(" (")[0]) for p in result.warnings]
    assert skipped == [
        (5, None, "10 question(s) have no general feedback"),
        (41, "q7", "partial-credit answers are not accepted: '1822:2'"),
        (47, "q8", "skipped an essay question"),
        (49, None, "skipped a description question"),
    ]


def test_grants_tomb_multiple_choice() -> None:
    q = one("Who's buried in Grant's tomb?{~Grant =Ulysses S. Grant ~Ulysses Grant}")
    assert (q.type, q.prompt, q.topic) == (
        "single_choice",
        "Who's buried in Grant's tomb?",
        "quiz",
    )
    assert q.choices == (
        Choice("Grant", False), Choice("Ulysses S. Grant", True), Choice("Ulysses Grant", False)
    )  # fmt: skip
    assert q.key == stable_id(
        "gift", "Who's buried in Grant's tomb?\n~Grant\n=Ulysses S. Grant\n~Ulysses Grant"
    )


@pytest.mark.parametrize(
    ("braces", "answer"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)]
)
def test_true_false(braces: str, answer: bool) -> None:
    q = one(f"Grant is buried in Grant's tomb.{braces}")
    assert (q.type, q.answer, q.choices) == ("true_false", answer, ())


def test_true_false_feedback_for_the_right_answer_is_the_explanation() -> None:
    q = one("The sun rises in the east.{T#Wrong: it rises in the east.#Right: east.}")
    assert q.explanation == "Right: east."


def test_short_answer_and_missing_word() -> None:
    q = one("Two plus two equals {=four =4}.")
    assert (q.type, q.prompt, q.accepted) == (
        "short_answer",
        "Two plus two equals \\_\\_\\_\\_\\_.",  # shows as _____
        ("four", "4"),
    )
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert (q.type, q.prompt) == ("single_choice", "Grant is \\_\\_\\_\\_\\_ in Grant's tomb.")


def test_weights_make_several_right_answers() -> None:
    q = one(
        "What two people are entombed in Grant's tomb? {\n"
        "   ~%-100%No one\n   ~%50%Grant\n   ~%50%Grant's wife\n   ~%-100%Grant's father\n}"
    )
    assert q.type == "multiple_choice"
    assert [c.correct for c in q.choices] == [False, True, True, False]
    only_one = one("Pick {~%100%this ~%0%not this ~that}")
    assert only_one.type == "single_choice"


def test_short_answer_accepts_only_full_credit_answers() -> None:
    result = gift("Grant was born in {=1822 =%100%1822. =%50%1823 =%0%1900}.")
    (q,) = result.bank.questions
    assert q.accepted == ("1822", "1822.")
    assert [w.message for w in result.warnings if w.question_id == q.key] == [
        "partial-credit answers are not accepted: '1823'"
    ]


def test_partial_credit_never_makes_a_choice_right() -> None:
    # Moodle: an "=" answer makes the question single-answer; only it earns full marks.
    q = one("Where was Jesus raised? {~Jerusalem ~%25%Bethlehem ~%50%Galilee =Nazareth}")
    assert q.type == "single_choice"
    assert [c.text for c in q.choices if c.correct] == ["Nazareth"]


def test_weights_that_do_not_add_up_to_100_are_skipped_with_a_warning() -> None:
    result = gift("Pick {~%50%a ~%25%b ~c}\n\nKept?{T}")
    assert [q.prompt for q in result.bank.questions] == ["Kept?"]
    assert any("add up to 75%" in w.message and w.line == 1 for w in result.warnings)
    several = gift("Pick {=a =b ~c}\n\nKept?{T}")
    assert any("several answers are marked '='" in w.message for w in several.warnings)
    assert gift("Pick {=a =b ~c}", strict=True).ok is False


def test_an_empty_answer_before_the_right_one_is_dropped() -> None:
    # "~=Paris" is an empty "~" answer followed by "=Paris"; Moodle drops the empty one.
    q = one("Capital of France? {~=Paris ~London ~Berlin}")
    assert q.choices == (Choice("Paris", True), Choice("London", False), Choice("Berlin", False))


def test_questions_with_the_same_stem_get_ids_from_their_answers() -> None:
    result = gift("Same?{T}\n\nSame?{F}\n\nSame?{=a ~b}")
    keys = [q.key for q in result.bank.questions]
    assert len(set(keys)) == 3 and result.ok
    assert keys == [q.key for q in gift("Same?{T}\n\nSame?{F}\n\nSame?{=a ~b}").bank.questions]


def test_true_duplicates_get_a_numbered_suffix_and_a_warning() -> None:
    result = gift("::Q1::One?{T}\n\n::Q1::Two?{F}\n\nSame?{T}\n\nSame?{T}")
    keys = [q.key for q in result.bank.questions]
    first = stable_id("gift", "Same?\nTrue")
    assert keys == ["q1", "q1-2", first, f"{first}-2"]
    assert [w.line for w in result.warnings if "same id" in w.message] == [3, 7]


def test_titles_become_ids() -> None:
    assert one("::Q1:: 1+1=2 {T}").key == "q1"
    assert one("::Grant's tomb (part 2)::Where?{=here ~there}").key == "grant-s-tomb-part-2"
    # Titles in other scripts keep their letters rather than collapsing to what is ASCII.
    assert one("::日本::Where?{=here ~there}").key == "日本"
    assert one("::Вопрос 1::Где?{=здесь ~там}").key == "вопрос-1"
    assert one("::Вопрос 2::Где?{=здесь ~там}").key != one("::Вопрос 1::Где?{=a ~b}").key


def test_general_feedback_wins_over_answer_feedback() -> None:
    q = one("Q?{=a#fine ~b####Because of reasons.}")
    assert q.explanation == "Because of reasons."
    assert one("Q?{=a#fine ~b#no}").explanation == "fine"
    assert one("Q?{~%50%a#A is right ~%50%b#B is right ~c#no}").explanation == (
        "A is right\n\nB is right"
    )


def test_escapes() -> None:
    q = one(r"::A\:B::Is 1 \= 1 \{really\} \~ \# \\ ok\nnext?{=yes\: \~ sure ~no\#}")
    assert q.key == "a-b"
    # Shown as written: "~" and "\\" escaped for Markdown, the \n a hard line break.
    assert q.prompt == "Is 1 = 1 {really} \\~ # \\\\ ok\\\nnext?"
    assert q.choices == (Choice("yes: \\~ sure", True), Choice("no#", False))


def test_formats() -> None:
    html = one("[html]<p>Which tag makes text <b>bold</b>?</p>{=&lt;b&gt; ~&lt;i&gt;}")
    assert html.prompt == "Which tag makes text **bold**?"
    assert [c.text for c in html.choices] == ["&lt;b>", "&lt;i>"]
    markdown = one("[markdown]Is **this** bold?{T}")
    assert markdown.prompt == "Is **this** bold?"
    plain = one("[plain]Is <b> a tag?{T}")
    assert plain.prompt == "Is &lt;b> a tag?"


def test_categories_set_the_topic_of_following_questions() -> None:
    text = (
        "First?{T}\n\n$CATEGORY: $course$/top/Default for SQL/Joins\n\nSecond?{T}\n\n"
        "$CATEGORY: tom/dick/harry\nThird?{F}"
    )
    bank = gift(text).bank
    assert bank is not None
    assert [q.topic for q in bank.questions] == ["quiz", "quiz-joins", "quiz-harry"]
    assert bank.topics == (
        Topic("quiz", "Quiz"),
        Topic("quiz-joins", "Joins"),
        Topic("quiz-harry", "harry"),
    )


def test_comments_and_blank_lines() -> None:
    text = "// a comment\n\n  // indented comment\nQ1?{T}\n// inside a question\n\n\n\nQ2?{F}\n"
    bank = gift(text).bank
    assert bank is not None
    assert [(q.prompt, q.line) for q in bank.questions] == [("Q1?", 4), ("Q2?", 9)]


def test_matching_questions_with_a_distractor() -> None:
    q = one(
        "::acts::[html]Match the <b>activity</b>.{\n"
        " =[html]Asynchronous <i>discussions</i>. -> Forum\n"
        " =Pick among answers. -> Choice\n = -> Chat\n}"
    )
    assert q.type == "matching"
    assert q.prompt == "Match the **activity**."
    assert q.pairs == (
        Pair("Asynchronous *discussions*.", "Forum"),
        Pair("Pick among answers.", "Choice"),
        Pair("", "Chat"),
    )


@pytest.mark.parametrize(
    ("braces", "ranges"),
    [
        ("{#3:2}", [("1", "5")]),
        ("{#1..5}", [("1", "5")]),
        ("{#3.14159:0.0005}", [("3.14109", "3.14209")]),
        ("{#-2}", [("-2", "-2")]),
        ("{#=1822:0#Right. =%50%1822:2#Close. =1822.0}", [("1822", "1822"), ("1822.0", "1822.0")]),
        ("{#3:2~#Completely wrong}", [("1", "5")]),
    ],
)
def test_numerical_answers_become_ranges(braces: str, ranges: list[tuple[str, str]]) -> None:
    q = one(f"How much? {braces}")
    assert q.type == "numerical"
    assert [(str(n.low), str(n.high)) for n in q.numbers] == ranges


def test_repeated_choices_count_once_unless_they_contradict_each_other() -> None:
    q = one("Pick {=a ~b ~b}")
    assert q.choices == (Choice("a", True), Choice("b", False))
    result = gift("Pick {=a ~a ~c}\n\nKept?{T}")
    assert [q.prompt for q in result.bank.questions] == ["Kept?"]
    assert any("two choices read the same ('a')" in w.message for w in result.warnings)


def test_a_short_answer_without_equals_is_accepted_as_moodle_does() -> None:
    assert one("Say it {anything}").accepted == ("anything",)
    assert one("¿Cómo estás? {t#bien}").accepted == ("t",)


def test_numbers_that_are_not_numbers_are_errors_with_their_line() -> None:
    result = gift("Fine? {T}\n\nHow much? {#three}")
    assert result.bank is None
    assert [(p.line, p.message) for p in result.errors] == [
        (3, "malformed GIFT: 'three' is not a number")
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("How are you? {}", "essay"),
        ("Just some text without braces.", "description"),
    ],
)
def test_unsupported_kinds_are_skipped_with_a_warning(text: str, kind: str) -> None:
    article = "an" if kind[0] in "aeiou" else "a"
    result = gift(f"::keep::Kept?{{T####Yes.}}\n\n{text}")
    assert result.bank is not None and [q.key for q in result.bank.questions] == ["keep"]
    assert [(p.line, p.message.split(" (")[0]) for p in result.warnings] == [
        (3, f"skipped {article} {kind} question")
    ]
    strict = gift(f"::keep::Kept?{{T####Yes.}}\n\n{text}", strict=True)
    assert strict.bank is None
    assert [(p.line, p.severity) for p in strict.problems] == [(3, "error")]


ERROR_CASES = [
    ("Q1?{T}\n\nWho? {=a ~b", 3, "malformed GIFT: '{' is never closed (is the file cut short?)"),
    ("Who? =a ~b}", 1, "'}' without a '{' before it"),
    ("Who? {=a} and {=b}", 1, "a question can have only one answer block"),
    ("::Unclosed title Who? {=a ~b}", 1, "the '::' that starts the title is never closed"),
    ("Who? {stray =a ~b}", 1, "answer 'stray' has no '=' or '~' in front of it"),
    ("Who? {~a ~b}", 1, "no correct choice"),
    ("{=a ~b}", 1, "prompt is empty"),
    ("Who? {=a}\n", 1, None),  # a single "=" answer is a short answer, which is fine
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "message"), ERROR_CASES)
def test_gift_errors(text: str, line: int, message: str | None) -> None:
    result = gift(text)
    if message is None:
        assert result.ok, error_text(result)
        return
    assert result.bank is None
    assert any(p.line == line and message in p.message for p in result.errors), error_text(result)


def test_error_line_is_where_the_brace_is() -> None:
    result = gift("A long question\nthat goes on\n{=a ~b\n")
    assert [p.line for p in result.errors] == [3]


def test_missing_explanations_are_one_warning() -> None:
    result = gift("A?{T}\n\nB?{F}\n\nC?{T####Because.}")
    assert [(p.line, p.message.split(" have")[0]) for p in result.warnings] == [
        (1, "2 question(s)")
    ]


def test_crlf_and_bom() -> None:
    result = gift("\ufeff::q::A?{\r\n=yes\r\n~no\r\n}\r\n\r\n::r::B?{T}\r\n")
    assert result.bank is not None and [q.line for q in result.bank.questions] == [1, 6]
