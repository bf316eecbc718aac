"""Uploaded banks between preview and confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from quizapp.banks import ParseResult, Problem, parse_bank
from quizapp.banks.anki import first_note_fields
from quizapp.banks.decode import decode_bank
from quizapp.banks.model import Question as ParsedQuestion
from quizapp.clock import utcnow
from quizapp.db import rows_changed
from quizapp.extensions import db
from quizapp.models import PendingImport, User
from quizapp.services.bank_import import ImportConflict, ImportPlan, apply_import, plan_import

PENDING_TTL = timedelta(hours=24)
PREVIEW_PAGE_SIZE = 50


@dataclass
class Preview:
    """What an upload contains and what applying it would change."""

    pending: PendingImport | None
    result: ParseResult
    plan: ImportPlan | None
    conflict: str | None = None

    @property
    def can_apply(self) -> bool:
        """Tell whether the upload is valid and changes something."""
        return self.pending is not None and self.plan is not None and self.conflict is None

    def page(self, number: int) -> PreviewPage:
        """The added and updated questions as they will be shown, in file order, one page."""
        bank, plan = self.result.bank, self.plan
        if bank is None or plan is None:
            return PreviewPage([], 1, 1, [])
        change = {key: "added" for key in plan.added} | {key: "updated" for key in plan.updated}
        problems: dict[str, list[Problem]] = {}
        general: list[Problem] = []
        for problem in self.result.problems:
            if problem.question_id is None:
                general.append(problem)
            else:
                problems.setdefault(problem.question_id, []).append(problem)
        changed = [q for q in bank.questions if q.key in change]
        pages = max(1, -(-len(changed) // PREVIEW_PAGE_SIZE))
        number = min(max(number, 1), pages)
        start = (number - 1) * PREVIEW_PAGE_SIZE
        items = [
            PreviewItem(change[q.key], q, problems.get(q.key, []))
            for q in changed[start : start + PREVIEW_PAGE_SIZE]
        ]
        return PreviewPage(items, number, pages, general)


@dataclass(frozen=True)
class PreviewItem:
    """One added or updated question as the admin checks it, with its own warnings."""

    change: str
    question: ParsedQuestion
    problems: list[Problem]


@dataclass(frozen=True)
class PreviewPage:
    """A page of changed questions, and the problems that belong to no single question."""

    items: list[PreviewItem]
    number: int
    pages: int
    general: list[Problem]


def _preview(pending: PendingImport | None, result: ParseResult) -> Preview:
    if result.bank is None:
        return Preview(pending, result, None)
    try:
        return Preview(pending, result, plan_import(result.bank))
    except ImportConflict as exc:
        return Preview(pending, result, None, str(exc))


def stage_upload(
    user: User,
    filename: str,
    data: bytes,
    fmt: str | None,
    strict: bool,
    fields: str = "",
) -> Preview:
    """Parse an upload and, when valid, keep it for confirmation."""
    # The name is only displayed and used for the format; never as a path.
    shown_name = (filename or "upload").replace("/", "_").replace("\\", "_")[-255:]
    fmt = fmt or None  # None: from the file's extension and content
    fields = "".join(fields.split())
    result = parse_bank(data, shown_name, fmt=fmt, strict=strict, fields=fields or None)
    if result.bank is None:
        return Preview(None, result, None)
    pending = PendingImport(
        user_id=user.id,
        filename=shown_name,
        format=result.format or "",
        strict=strict,
        fields=fields,
        data=data,
        created_at=utcnow(),
    )
    db.session.add(pending)
    db.session.commit()
    return _preview(pending, result)


def get_pending(user: User, pending_id: int) -> PendingImport | None:
    """An upload this admin staged."""
    return db.session.scalar(
        select(PendingImport).where(
            PendingImport.id == pending_id, PendingImport.user_id == user.id
        )
    )


def _parse_pending(pending: PendingImport, fields: str | None = None) -> ParseResult:
    return parse_bank(
        pending.data,
        pending.filename,
        fmt=pending.format or None,
        strict=pending.strict,
        fields=(pending.fields if fields is None else fields) or None,
    )


def preview_pending(pending: PendingImport) -> Preview:
    """Parse a staged upload again and compare it with the database as it is now."""
    return _preview(pending, _parse_pending(pending))


def anki_fields(pending: PendingImport) -> list[str]:
    """For a staged Anki export: its first note's fields, to choose which is which."""
    if pending.format != "anki":
        return []
    return first_note_fields(decode_bank(pending.data))


def choose_fields(pending: PendingImport, fields: str) -> Preview:
    """Read a staged Anki export again with other fields; kept only if it still validates."""
    fields = "".join(fields.split())
    result = _parse_pending(pending, fields)
    if result.bank is not None:
        pending.fields = fields
        db.session.commit()
    return _preview(pending, result)


def apply_pending(pending: PendingImport) -> ImportPlan:
    """Apply a staged upload (re-parsed, re-planned) and discard it."""
    result = _parse_pending(pending)
    if result.bank is None:
        raise ImportConflict("the staged file no longer validates")
    plan = apply_import(result.bank)
    db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id))
    db.session.commit()
    return plan


def discard_pending(pending: PendingImport) -> None:
    """Forget a staged upload."""
    db.session.delete(pending)
    db.session.commit()


def purge_expired() -> int:
    """Delete staged uploads older than a day; returns how many."""
    changed = rows_changed(
        delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_TTL)
    )
    db.session.commit()
    return changed
