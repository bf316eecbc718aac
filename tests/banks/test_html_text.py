"""Text from Anki and GIFT shows as its author saw it: breaks, links, escapes, images."""

from __future__ import annotations

import pytest

from quizapp.banks.html_text import html_to_text, plain_to_markdown
from quizapp.rendering import render_markdown
from tests.banks.helpers import parse


def shown(markdown: str) -> str:
    """The HTML the app renders for a Markdown field, on one line."""
    return render_markdown(markdown).strip().replace("\n", " ")


@pytest.mark.parametrize(
    ("html", "rendered"),
    [
        # <br> and Anki's <div> lines are line breaks, not spaces.
        ("one<br>two<br>three", "<p>one<br> two<br> three</p>"),
        ("one<div>two</div><div>three</div>", "<p>one<br> two<br> three</p>"),
        ("para<br><br>next", "<p>para</p> <p>next</p>"),
        ("trailing<br>", "<p>trailing</p>"),
        # What would be Markdown syntax is text in HTML.
        (r"\(A^T = A\)", r"<p>\(A^T = A\)</p>"),
        ("***", "<p>***</p>"),
        (r"\'", r"<p>\'</p>"),
        ("2*3*4 and snake_case_name", "<p>2*3*4 and snake_case_name</p>"),
        ("# not a heading", "<p># not a heading</p>"),
        ("1. not a list", "<p>1. not a list</p>"),
        ("[not](a link)", "<p>[not](a link)</p>"),
        ("<code>a*b*c</code>", "<p><code>a*b*c</code></p>"),
        # A paragraph inside a list item is the item's text, not a line after an empty item.
        (
            "Two: <ol><li><p>one;</p></li><li><p>two.</p></li></ol>",
            "<p>Two:</p> <ul> <li> <p>one;</p> </li> <li> <p>two.</p> </li> </ul>",
        ),
        ("<ul><li><div>x</div></li></ul>", "<ul> <li>x</li> </ul>"),
        # Links to the web survive; other schemes keep only their text.
        (
            'Listen at <a href="https://example.org/a b.mp3">this page</a>',
            '<p>Listen at <a href="https://example.org/a%20b.mp3" rel="noopener noreferrer '
            'nofollow">this page</a></p>',
        ),
        ('<a href="javascript:alert(1)">click</a>', "<p>click</p>"),
        # An image on the web becomes a link to it (the app shows no remote images).
        (
            '<img src="https://example.org/x.png" alt="a tree">',
            '<p><a href="https://example.org/x.png" rel="noopener noreferrer nofollow">a tree</a>'
            "</p>",
        ),
    ],
)
def test_html_fields_render_as_their_author_saw_them(html: str, rendered: str) -> None:
    markdown, media = html_to_text(html)
    assert media == 0
    assert shown(markdown) == rendered


def test_local_images_are_counted_as_removed() -> None:
    assert html_to_text('Look: <img src="paste-1.jpg"><img src="https://e.org/i.png">') == (
        "Look: [image](https://e.org/i.png)",
        1,
    )


def test_plain_text_keeps_its_lines_and_characters() -> None:
    assert shown(plain_to_markdown("a *b*\nc <d>")) == "<p>a *b*<br> c &lt;d&gt;</p>"


def test_gift_feedback_keeps_its_lines_and_image_warnings_name_the_question() -> None:
    text = "::q1::What is <b>x</b>?<img src='local.png'>{=yes ~no####First line.\\nSecond line.}"
    result = parse(text, "quiz.gift")
    (question,) = result.bank.questions
    assert shown(question.explanation) == "<p>First line.<br> Second line.</p>"
    assert shown(question.prompt) == "<p>What is <strong>x</strong>?</p>"
    assert [(w.line, w.question_id) for w in result.warnings if "image" in w.message] == [(1, "q1")]
