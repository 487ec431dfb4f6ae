"""Disclosure (信息公开): the publish decision on every publishable document, the warning when one waits too
long, and what the public portal may show.

Generic: the documents come from the publication kinds the processes declare (processes/registry.py
`PublicationKind`); this module names no process. A document is public only when a `Publication` row says
`published` AND its kind still lists it as publishable (approved): nothing else is listed, found or
downloadable on the public pages.

Rules (DOMAIN-CYCLE.md §6): a document is marked 公开 (the date recorded: goals go out with the department
budget) or 不公开 with a required reason (非公开原因); approved documents still undecided after
DISCLOSURE_WARNING_DAYS (预算法 §14: 20 days) are flagged on the bureau's pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import Department, Publication, User
from ..processes import registry
from ..processes.registry import PublicationKind, PublishableDocument
from . import audit, pdf, policy
from .errors import Invalid, NotFound
from .transaction import transactional

REASON_MAX = 2000
STATES = ("pending", "published", "withheld", "overdue")
SEARCH_MAX = 100


def warning_days() -> int:
    return int(current_app.config.get("DISCLOSURE_WARNING_DAYS", 20))


@dataclass
class Entry:
    """A publishable document with its decision (None: not decided yet)."""

    kind: PublicationKind
    document: PublishableDocument
    publication: Publication | None
    moment: datetime

    @property
    def state(self) -> str:
        if self.publication is None:
            return "pending"
        return "published" if self.publication.published else "withheld"

    @property
    def waiting_days(self) -> int | None:
        """Days since approval while still undecided; None once decided (or no approval date)."""
        if self.publication is not None or self.document.approved_at is None:
            return None
        return (self.moment - self.document.approved_at).days

    @property
    def overdue(self) -> bool:
        days = self.waiting_days
        return days is not None and days > warning_days()


def kind_of(key: str) -> PublicationKind:
    kind = registry.publication_kind(key)
    if kind is None:
        raise NotFound("文件不存在")
    return kind


def _decisions(kind: str) -> dict[int, Publication]:
    return {p.object_id: p for p in db.session.scalars(select(Publication).where(Publication.kind == kind))}


def entries(actor: User, year: int | None = None, kind: str | None = None, department_id: int | None = None,
            state: str | None = None) -> list[Entry]:
    """Everything publishable the actor may see, with its state (the performance section's list)."""
    policy.require(actor, "see_publications")
    if state is not None and state not in STATES:
        raise Invalid("状态须为 pending、published、withheld 或 overdue", {"state": ["未知状态"]})
    moment = now()
    result = []
    for k in registry.publication_kinds():
        if kind and k.key != kind:
            continue
        decided = _decisions(k.key)
        for document in k.documents(year):
            if department_id and document.department_id != department_id:
                continue
            if not policy.may(actor, "see_publication", document):
                continue
            result.append(Entry(k, document, decided.get(document.id), moment))
    if state:
        result = [e for e in result if e.state == state or (state == "overdue" and e.overdue)]
    return sorted(result, key=lambda e: (-e.document.fiscal_year, e.document.department_name, e.document.code))


def overdue(actor: User) -> list[Entry]:
    """Approved documents undecided for more than DISCLOSURE_WARNING_DAYS (the bureau's warning)."""
    if not policy.may(actor, "see_publications"):
        return []
    return [e for e in entries(actor) if e.overdue]


def _document(kind: PublicationKind, object_id: int) -> PublishableDocument | None:
    if kind.document is not None:
        return kind.document(object_id)
    return next((d for d in kind.documents(None) if d.id == object_id), None)


def entry(actor: User, kind_key: str, object_id: int) -> Entry:
    kind = kind_of(kind_key)
    document = _document(kind, object_id)
    if document is None:
        raise NotFound("文件不存在")
    policy.require(actor, "see_publication", document)
    return Entry(kind, document, _decisions(kind.key).get(object_id), now())


@transactional
def set_disclosure(actor: User, kind_key: str, object_id: int, publish: Any, reason: Any) -> Publication:
    """公开 (published now, with the department budget) or 不公开 with a reason. Deciding again replaces the
    decision; a document published before keeps its first publish date."""
    current = entry(actor, kind_key, object_id)
    policy.require(actor, "decide_publication", current.document)
    if not isinstance(publish, bool):
        raise Invalid("请选择是否公开", {"published": ["须为是或否"]})
    reason = reason.strip() if isinstance(reason, str) else reason
    if reason is not None and not isinstance(reason, str):
        raise Invalid("不公开原因须为文字", {"reason": ["须为文字"]})
    if not publish and not reason:
        raise Invalid("不公开须说明原因", {"reason": ["不公开须填写原因"]})
    if reason and len(reason) > REASON_MAX:
        raise Invalid(f"原因最多{REASON_MAX}字", {"reason": [f"最多{REASON_MAX}字"]})
    row = current.publication
    before = _json(row) if row is not None else None
    moment = now()
    if row is None:
        row = Publication(kind=kind_key, object_id=object_id, department_id=current.document.department_id,
                          fiscal_year=current.document.fiscal_year, published=publish, decided_by=actor.username)
        db.session.add(row)
    if publish:
        row.published_at = row.published_at if row.published and row.published_at else moment
        row.reason = None
    else:
        row.published_at = None
        row.reason = reason
    row.published, row.decided_by, row.decided_at = publish, actor.username, moment
    db.session.flush()
    audit.record("publication_published" if publish else "publication_withheld", actor,
                 object_type=kind_key, object_id=object_id, opinion=None if publish else reason,
                 before=before, after=_json(row))
    return row


def _json(row: Publication) -> dict[str, Any]:
    return {"published": row.published, "reason": row.reason,
            "published_at": row.published_at.isoformat() if row.published_at else None}


def entry_json(e: Entry) -> dict[str, Any]:
    d, p = e.document, e.publication
    return {"kind": e.kind.key, "kind_label": str(e.kind.label), "id": d.id, "code": d.code, "title": d.title,
            "department": _department_code(d.department_id), "department_name": d.department_name,
            "fiscal_year": d.fiscal_year, "approved_at": d.approved_at.isoformat() if d.approved_at else None,
            "state": e.state, "published": p.published if p else None, "reason": p.reason if p else None,
            "published_at": p.published_at.isoformat() if p and p.published_at else None,
            "decided_by": p.decided_by if p else None, "waiting_days": e.waiting_days, "overdue": e.overdue}


def _department_code(department_id: int) -> str | None:
    department = db.session.get(Department, department_id)
    return department.code if department else None


# -- the public portal: published documents only ------------------------------------------------------------------
@dataclass
class PublicItem:
    kind: PublicationKind
    document: PublishableDocument
    department_code: str | None
    published_at: datetime | None


def public_items(year: int | None = None, department_code: str | None = None, kind: str | None = None,
                 query: str | None = None) -> list[PublicItem]:
    """Published documents that are still publishable (approved), by year, department, kind and a search of
    name or code. An undecided, withheld (不公开) or no longer approved document is never among them."""
    published = {(p.kind, p.object_id): p for p in db.session.scalars(
        select(Publication).where(Publication.published.is_(True)))}
    codes = {d.id: d.code for d in db.session.scalars(select(Department))}
    needle = (query or "").strip()[:SEARCH_MAX].casefold()
    result = []
    for k in registry.publication_kinds():
        if kind and k.key != kind:
            continue
        for document in k.documents(year):
            decision = published.get((k.key, document.id))
            if decision is None:
                continue
            code = codes.get(document.department_id)
            if department_code and code != department_code:
                continue
            if needle and needle not in document.title.casefold() and needle not in document.code.casefold():
                continue
            result.append(PublicItem(k, document, code, decision.published_at))
    return sorted(result, key=lambda i: (-i.document.fiscal_year, i.document.department_name, i.kind.key,
                                         i.document.code))


def public_years() -> list[int]:
    return sorted(set(db.session.scalars(select(Publication.fiscal_year).where(Publication.published.is_(True)))),
                  reverse=True)


def public_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).where(Department.id.in_(
        select(Publication.department_id).where(Publication.published.is_(True)))).order_by(Department.code)))


def public_document(kind_key: str, object_id: int) -> tuple[PublicationKind, PublishableDocument]:
    """A published, still publishable document; NotFound for anything else (undecided, 不公开, withdrawn)."""
    kind = kind_of(kind_key)
    decision = db.session.scalar(select(Publication).where(
        Publication.kind == kind_key, Publication.object_id == object_id, Publication.published.is_(True)))
    document = _document(kind, object_id) if decision is not None else None
    if document is None:
        raise NotFound("文件不存在或未公开")
    return kind, document


def document_pdf(kind: PublicationKind, document: PublishableDocument) -> bytes:
    return kind.pdf(document.id) if kind.pdf is not None else pdf.html_to_pdf(kind.html(document.id))


def pdf_filename(kind: PublicationKind, document: PublishableDocument) -> str:
    return f"{document.fiscal_year}-{document.code}-{kind.label}.pdf"
