"""A question's Markdown is rendered once, by the import, and pages show the stored HTML."""

from __future__ import annotations

from sqlalchemy import select, update

from quizapp.extensions import db
from quizapp.models import Question
from quizapp.rendering import RENDERER_VERSION, render_inline, render_markdown
from tests.factories import bank, load, question
from tests.quiz.helpers import start

PROMPT = "Which signal runs **after** `save()`?\n\n```python\npost_save.connect(f)\n```"


def _stored(app, key: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Question.rendered).where(Question.key == key))


def _set_rendered(app, key: str, rendered: dict | None) -> None:
    with app.app_context():
        db.session.execute(update(Question).where(Question.key == key).values(rendered=rendered))
        db.session.commit()


def test_import_stores_every_part_as_sanitised_html(app):
    load(
        app,
        bank(
            "stored",
            [
                question("c", prompt=PROMPT, explanation="Runs <script>x()</script> *late*."),
                question("m", "matching"),
                question("f", "flashcard"),
            ],
        ),
    )
    choice = _stored(app, "c")
    assert choice["v"] == RENDERER_VERSION
    assert choice["prompt"] == render_markdown(PROMPT)
    assert '<code class="highlight">' in choice["prompt"]
    assert "<script" not in choice["explanation"] and "<em>late</em>" in choice["explanation"]
    assert choice["choices"] == ["Right", "Wrong A", "Wrong B"]
    assert choice["answer"] is None
    matching = _stored(app, "m")
    assert matching["lefts"] == [render_inline(t) for t in ("`post_save`", "`pre_delete`")] + [
        "<code>m2m_changed</code>",
        "",
    ]
    assert _stored(app, "f")["answer"] == "<p>The <strong>answer</strong>.</p>\n"


def test_the_question_page_inserts_the_stored_html_and_renders_only_without_it(app, auth_client):
    load(app, bank("stored", [question("c", prompt=PROMPT)]))
    session_id = start(auth_client)
    stored = _stored(app, "c")
    marked = {**stored, "prompt": "<p>stored prompt</p>", "choices": ["one", "two", "three"]}
    _set_rendered(app, "c", marked)
    page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
    assert "<p>stored prompt</p>" in page and "post_save.connect" not in page
    assert all(f'<span class="prose">{t}</span>' in page for t in ("one", "two", "three"))
    # Another renderer version's HTML (or none) is ignored: the text is rendered on display.
    for rendered in ({**marked, "v": RENDERER_VERSION + 1}, None):
        _set_rendered(app, "c", rendered)
        page = auth_client.get(f"/quiz/sessions/{session_id}").get_data(as_text=True)
        assert "stored prompt" not in page
        assert str(render_markdown(PROMPT)) in page
        assert '<span class="prose">Wrong A</span>' in page


def test_a_reimport_that_edits_the_text_stores_the_new_html(app):
    load(app, bank("stored", [question("c", prompt="Old *prompt*?")]))
    assert _stored(app, "c")["prompt"] == "<p>Old <em>prompt</em>?</p>\n"
    load(app, bank("stored", [question("c", prompt="New **prompt**?")], version=2))
    assert _stored(app, "c")["prompt"] == "<p>New <strong>prompt</strong>?</p>\n"
