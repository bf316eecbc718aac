"""Hostile bank files uploaded through /admin/banks: shown as text, never executed, and
malformed files refused with a clear message and nothing written."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from quizapp.extensions import db
from quizapp.models import PendingImport, Question
from tests.security.conftest import changed_tables, db_snapshot
from tests.security.world import OWNER, OWNER_ADMIN, build_world, logged_in

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
LINK = "[click](javascript:alert(3))"
RAW_LINK = '<a href="javascript:alert(4)">x</a>'
TEMPLATE = "{{ 1234*1111 }} {% for i in range(3) %}T{% endfor %} {{ config.SECRET_KEY }}"
EVALUATED = "1370974"  # what the template would print if it ever ran
HOSTILE_TEXT = f"{SCRIPT} {IMG} {LINK} {RAW_LINK} {TEMPLATE}"


def hostile_bank() -> bytes:
    """A valid native bank with hostile text in every free-text field."""
    source = {"article": HOSTILE_TEXT, "section": HOSTILE_TEXT}
    common = {
        "topic": "evil",
        "difficulty": "easy",
        "prompt": f"Prompt {HOSTILE_TEXT}",
        "explanation": f"Explanation {HOSTILE_TEXT}",
        "source": source,
        "tags": ["x-script"],
    }
    bank = {
        "slug": "hostile",
        "title": f"Title {SCRIPT}",
        "version": 1,
        "description": f"Description {HOSTILE_TEXT}",
        "source": HOSTILE_TEXT,
        "topics": [{"slug": "evil", "name": f"Topic {SCRIPT}", "description": HOSTILE_TEXT}],
        "questions": [
            {
                **common,
                "id": "single",
                "type": "single_choice",
                "choices": [
                    {"text": f"Right {HOSTILE_TEXT}", "correct": True},
                    {"text": f"Wrong {IMG}"},
                ],
            },
            {
                **common,
                "id": "multi",
                "type": "multiple_choice",
                "choices": [
                    {"text": f"A {SCRIPT}", "correct": True},
                    {"text": f"B {TEMPLATE}", "correct": True},
                    {"text": f"C {RAW_LINK}"},
                ],
            },
            {**common, "id": "tf", "type": "true_false", "answer": True},
            {**common, "id": "short", "type": "short_answer", "answers": [f"x{SCRIPT}", "y"]},
            {**common, "id": "card", "type": "flashcard", "answer": f"Answer {HOSTILE_TEXT}"},
        ],
    }
    # Through JSON first: shared dicts would become YAML anchors, which banks refuse.
    plain = json.loads(json.dumps(bank))
    return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False).encode()


_SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def assert_no_active_content(page: str) -> None:
    """No script but our own files, no event handlers, no javascript: links, no template run."""
    for tag in _SCRIPT_TAG.findall(page):
        assert 'src="/static/' in tag, tag
    assert not _EVENT_HANDLER.search(page), _EVENT_HANDLER.search(page).group(0)
    assert not _JS_URL.search(page), _JS_URL.search(page).group(0)
    assert EVALUATED not in page
    assert "test-secret-key" not in page


def upload(client, data: bytes, filename: str, fmt: str = ""):
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": client.csrf_token(),
            "file": FileStorage(io.BytesIO(data), filename),
            "format": fmt,
        }
    )
    return client.post(
        "/admin/banks", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(app):
    return build_world(app)


def test_hostile_text_is_shown_as_text_everywhere(app, world):
    admin = logged_in(app, OWNER_ADMIN)
    questions_before = count(app, Question)
    preview = upload(admin, hostile_bank(), "hostile.yaml")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    assert_no_active_content(preview.get_data(as_text=True))
    with app.app_context():
        pending_id = db.session.scalar(
            select(PendingImport.id).where(PendingImport.filename == "hostile.yaml")
        )
    applied = admin.post_form(f"/admin/banks/pending/{pending_id}/apply")
    assert applied.status_code == 302
    assert count(app, Question) == questions_before + 5
    for url in ("/admin/banks", "/admin/questions"):
        assert_no_active_content(admin.get(url).get_data(as_text=True))

    # A user studies the hostile topic: every question and feedback page, and progress.
    user = logged_in(app, OWNER)
    with app.app_context():
        from quizapp.models import Topic

        topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == "evil"))
    response = user.post_form("/quiz/start", {"topic": [str(topic_id)]})
    # The user's daily quiz is open: the app asks first (the question names the topic).
    assert response.headers["Location"].endswith(f"/quiz/switch?topic={topic_id}")
    assert_no_active_content(user.get(response.headers["Location"]).get_data(as_text=True))
    response = user.post_form("/quiz/start", {"topic": [str(topic_id)], "replace": "1"})
    assert response.status_code == 302
    session_url = response.headers["Location"]
    from tests.quiz.helpers import answer_data, next_item

    session_id = int(session_url.rsplit("/", 1)[1])
    shown = 0
    while (item := next_item(app, session_id)) is not None and shown < 10:
        item_id, _type, question_id = item
        page = user.get(session_url).get_data(as_text=True)
        assert "Prompt" in page
        assert_no_active_content(page)
        answered = user.post_form(
            f"/quiz/items/{item_id}/answer", {**answer_data(app, question_id), "version": "0"}
        )
        assert answered.status_code == 302
        feedback = user.get(answered.headers["Location"]).get_data(as_text=True)
        assert "Explanation" in feedback
        assert_no_active_content(feedback)
        shown += 1
    assert shown == 5
    for url in ("/progress/", f"/progress/topics/{topic_id}", "/progress/weak", "/"):
        page = user.get(url).get_data(as_text=True)
        assert_no_active_content(page)


def _nested_yaml(depth: int) -> bytes:
    return ("slug: deep\nquestions: " + "[" * depth + "]" * depth + "\n").encode()


MALFORMED = {
    "yaml-truncated": (b'slug: cut\ntitle: "never closed\nquestions:\n  - id: a\n', "b.yaml"),
    "yaml-deep": (_nested_yaml(5000), "deep.yaml"),
    "yaml-wide": (b"slug: wide\nquestions: [" + b"{}," * 600_000 + b"]\n", "wide.yaml"),
    "yaml-billion-laughs": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
        "laughs.yaml",
    ),
    "yaml-python-tag": (b"slug: !!python/object/apply:os.system ['echo pwned']\n", "tag.yaml"),
    "json-truncated": (b'{"slug": "cut", "questions": [{"id": "a", "prompt": "x', "b.json"),
    "json-deep": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "deep.json"),
    "csv-unclosed-quote": (
        b"id,topic,type,difficulty,prompt,choices,correct,answer,explanation\n"
        b'a,t,single_choice,easy,"What is cut short,A|B,1,,x\n',
        "b.csv",
    ),
    "csv-missing-columns": (b"id,topic,type\na,t\n", "b.csv"),
    "csv-binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "b.csv"),
    "gift-unclosed": (b"::Q1:: Which one? {=yes ~no", "b.gift"),
    "gift-only-comment": (b"// nothing here\n", "b.gift"),
    "anki-no-back": (b"#separator:tab\n#html:true\nFront only\n", "b.txt"),
    "anki-unclosed-quote": (b'#separator:tab\n"Front\tBack\n', "b.txt"),
    "not-utf8": (b"slug: caf\xe9\ntitle: Latin-1\n", "b.yaml"),
    "utf16": ("slug: x\n".encode("utf-16"), "b.yaml"),
    "nul-in-file": (b"slug: x\x00y\n", "b.yaml"),
    "rtl-override-in-id": (
        "slug: rtl\nquestions:\n  - id: \u202eabc\n    type: flashcard\n".encode(),
        "b.yaml",
    ),
    "zero-width-in-slug": ("slug: a\u200bb\n".encode(), "b.yaml"),
    "empty": (b"", "b.yaml"),
    "whitespace": (b"   \n\n\t\n", "b.csv"),
    "unknown-extension": (b"slug: x\n", "bank.exe"),
    "path-in-name": (b"slug: x\n", "../../etc/passwd.yaml"),
    "script-in-name": (b"slug: x\n", "<script>alert(1)</script>.yaml"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_uploads_are_refused_clearly_and_write_nothing(app, world, case):
    data, filename = MALFORMED[case]
    admin = logged_in(app, OWNER_ADMIN)
    before = db_snapshot(app)
    response = upload(admin, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, (response.status_code, page[:500])
    assert "problem" in page or "error" in page.lower()
    assert "Traceback" not in page
    assert_no_active_content(page)
    assert changed_tables(before, db_snapshot(app)) == []


@pytest.mark.parametrize("fmt", ["exe", "../yaml", "YAML ", "\u202ecsv"])
def test_tampered_format_field_is_refused(app, world, fmt):
    admin = logged_in(app, OWNER_ADMIN)
    before = db_snapshot(app)
    response = upload(admin, hostile_bank(), "b.yaml", fmt=fmt)
    assert response.status_code == 422
    assert changed_tables(before, db_snapshot(app)) == []


def test_nul_in_upload_name_is_refused(app, world):
    admin = logged_in(app, OWNER_ADMIN)
    before = db_snapshot(app)
    response = upload(admin, hostile_bank(), "b\x00.yaml")
    assert response.status_code == 400
    assert changed_tables(before, db_snapshot(app)) == []


def test_each_format_parses_against_the_wrong_declared_format(app, world):
    """A valid file declared as another format: an error, never a crash or a write."""
    admin = logged_in(app, OWNER_ADMIN)
    before = db_snapshot(app)
    for fmt in ("csv", "gift", "anki", "json"):
        response = upload(admin, hostile_bank(), "b.yaml", fmt=fmt)
        assert response.status_code == 422, fmt
        assert_no_active_content(response.get_data(as_text=True))
    assert changed_tables(before, db_snapshot(app)) == []


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/<script>alert(1)</script>.yaml",
        "C:\\Windows\\evil.yaml",
        "\u202elmay.exe.yaml",
        "x" * 400 + ".yaml",
        "{{ 1234*1111 }}.yaml",
    ],
)
def test_hostile_upload_names_are_shown_as_text_and_never_used_as_paths(app, world, filename):
    admin = logged_in(app, OWNER_ADMIN)
    response = upload(admin, hostile_bank(), filename)
    assert response.status_code == 200
    assert_no_active_content(response.get_data(as_text=True))
    with app.app_context():
        stored = db.session.scalar(select(PendingImport.filename).order_by(PendingImport.id.desc()))
    assert "/" not in stored and "\\" not in stored and len(stored) <= 255
