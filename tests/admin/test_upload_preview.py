"""The upload preview shows each added or updated question as learners will see it."""

from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import PendingImport, Question
from tests.security.test_hostile_banks import count, upload

GIFT = (
    "::grant::Who's buried in Grant's tomb?{~Grant =Ulysses S. Grant ~Ulysses Grant"
    "####His wife Julia too.}\n\n"
    "::born::Grant was born in {=1822 =%50%1823}.\n\n"
    "::pic::Which tree? <img src='local.png'>{=oak ~elm}\n"
)


def details(page: str, key: str) -> str:
    """The preview block of one question."""
    match = re.search(
        r'<details class="card preview-question[^"]*">(?:(?!</details>).)*?'
        rf"<code><bdi>{key}</bdi></code>.*?</details>",
        page,
        re.S,
    )
    assert match, f"no preview of {key}"
    return match.group(0)


def test_preview_shows_questions_with_right_answers_and_their_own_warnings(app, admin_client):
    response = upload(admin_client, GIFT.encode(), "grant.gift")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    grant = details(page, "grant")
    assert (
        "Who's buried in Grant's tomb?" in grant or "Who&#39;s buried in Grant&#39;s tomb?" in grant
    )
    assert re.search(
        r'class="choice correct">\s*<span aria-hidden="true">✔</span>\s*'
        r'<span class="prose">Ulysses S. Grant',
        grant,
    )
    assert "His wife Julia too." in grant
    born = details(page, "born")
    assert (
        "<code><bdi>1822</bdi></code>" in born and "partial-credit answers are not accepted" in born
    )
    assert "image or media file(s) removed" in details(page, "pic")
    # Nothing is written until the admin applies it.
    assert count(app, Question) == 0


def test_big_uploads_are_previewed_a_page_at_a_time(app, admin_client):
    text = "\n\n".join(f"::q{i:03}::Question number {i}?{{T}}" for i in range(120))
    first = upload(admin_client, text.encode(), "big.gift").get_data(as_text=True)
    assert first.count('class="card preview-question') == 50
    assert "page 1 of 3" in first
    with app.app_context():
        pending_id = db.session.scalar(select(PendingImport.id))
    last = admin_client.get(f"/admin/banks/pending/{pending_id}?page=3").get_data(as_text=True)
    assert last.count('class="card preview-question') == 20
    assert "Question number 119?" in last and "Question number 0?" not in last
    # Out-of-range pages show the nearest real page rather than an error.
    assert admin_client.get(f"/admin/banks/pending/{pending_id}?page=99").status_code == 200


def test_anki_fields_are_chosen_on_upload_and_again_on_the_preview(app, admin_client):
    deck = "#separator:tab\n#html:false\n食べる\tto eat\tたべる\n飲む\tto drink\tのむ\n".encode()
    page = upload(admin_client, deck, "japanese.txt").get_data(as_text=True)
    assert "Which Anki field is which (3 fields per note)" in page
    assert "<code><bdi>たべる</bdi></code>" in page  # the first note's fields, numbered
    with app.app_context():
        pending = db.session.scalar(select(PendingImport))
        pending_id, fields = pending.id, pending.fields
    assert fields == ""
    url = f"/admin/banks/pending/{pending_id}/fields"
    refused = admin_client.post_form(url, {"fields": "2,2"})
    assert refused.status_code == 422 and "each field can be used once" in refused.get_data(
        as_text=True
    )
    assert admin_client.post_form(url, {"fields": "oops"}).status_code == 422
    with app.app_context():
        assert db.session.get(PendingImport, pending_id).fields == ""
    chosen = admin_client.post_form(url, {"fields": "1, 3, 2"})
    assert chosen.status_code == 303
    with app.app_context():
        assert db.session.get(PendingImport, pending_id).fields == "1,3,2"
    admin_client.post_form(f"/admin/banks/pending/{pending_id}/apply")
    with app.app_context():
        answers = sorted(db.session.scalars(select(Question.answer)).all())
    assert answers == ["たべる", "のむ"]


def test_matching_and_numerical_questions_are_previewed_with_their_answers(app, admin_client):
    text = (
        "::pairs::[html]Match them? {=<b>a</b> -> 1 =b -> 2 = -> 3}\n\n::num::How many? {#1..5}\n"
    )
    page = upload(admin_client, text.encode(), "kinds.gift").get_data(as_text=True)
    pairs = details(page, "pairs")
    assert "<strong>a</strong></span> → <strong><bdi>1</bdi></strong>" in pairs
    assert "Extra option, matches nothing:</span> <bdi>3</bdi>" in pairs
    assert "Accepted numbers: <code>1 to 5</code>" in details(page, "num")
