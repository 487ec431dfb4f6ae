"""报送人大材料包: for a year, one PDF bundle of the documents the processes send to the People's Congress
(cover, contents, a summary table of grades, then each document), built by a background job with its progress
kept on the row (the page polls it), stored as a file with its SHA-256 (checked again on every download).

Generic: the documents come from the publication kinds whose `in_npc_package` is set (processes/registry.py);
every finished document of the year goes in, published or not (人大 reads what the public may not).
The bundle is printed by WeasyPrint: each document's HTML is rendered to pages and the pages of all of them are
bound into one PDF (`Document.copy`), so no PDF library beyond WeasyPrint's own is needed.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from ..celery_app import BUILD_NPC_PACKAGE, celery_app
from ..engine import now
from ..extensions import db
from ..models import NpcPackage, User
from ..processes import registry
from ..processes.registry import PublicationKind, PublishableDocument
from . import audit, policy
from .errors import Conflict, Invalid, NotFound
from .transaction import after_commit, transactional

log = logging.getLogger(__name__)
YEAR_RANGE = (2000, 2100)
STALE_AFTER = timedelta(hours=1)


def package_dir() -> Path:
    configured = current_app.config.get("NPC_PACKAGE_DIR")
    folder = Path(configured) if configured else Path(current_app.config["UPLOAD_DIR"]) / "npc-packages"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def contents_of(year: int) -> list[tuple[PublicationKind, list[PublishableDocument]]]:
    """The package's sections: each kind that goes to 人大, with its finished documents of the year, in the
    kinds' declared `npc_order` (ties: their registration order)."""
    sections = []
    for kind in sorted(registry.publication_kinds(), key=lambda k: k.npc_order):
        if kind.in_npc_package:
            documents = sorted(kind.documents(year), key=lambda d: (d.department_name, d.code))
            sections.append((kind, documents))
    return sections


@transactional
def request_package(actor: User, year: Any) -> NpcPackage:
    """Queue the build of a year's package (after the commit, so the job finds its row)."""
    policy.require(actor, "build_npc_package")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise Invalid("请选择年度", {"fiscal_year": [f"须为 {YEAR_RANGE[0]}–{YEAR_RANGE[1]} 的年度"]})
    # One build of a year at a time; a build that has not finished within STALE_AFTER (its worker lost) no
    # longer holds the year.
    running = db.session.scalar(select(NpcPackage).where(
        NpcPackage.fiscal_year == year, NpcPackage.status.in_(("queued", "running")),
        NpcPackage.created_at > now() - STALE_AFTER))
    if running is not None:
        raise Conflict(f"{year} 年度的材料包正在生成，请稍候")
    package = NpcPackage(fiscal_year=year, status="queued", requested_by=actor.username)
    db.session.add(package)
    db.session.flush()
    audit.record("npc_package_requested", actor, object_type="npc_package", object_id=package.id,
                 after={"fiscal_year": year})
    package_id = package.id
    after_commit(lambda: celery_app.tasks[BUILD_NPC_PACKAGE].delay(package_id))
    return package


def get(actor: User, package_id: int) -> NpcPackage:
    policy.require(actor, "see_npc_package")
    package = db.session.get(NpcPackage, package_id)
    if package is None:
        raise NotFound("材料包不存在")
    return package


def packages(actor: User, year: int | None = None) -> list[NpcPackage]:
    policy.require(actor, "see_npc_package")
    query = select(NpcPackage).order_by(NpcPackage.id.desc()).limit(50)
    if year is not None:
        query = query.where(NpcPackage.fiscal_year == year)
    return list(db.session.scalars(query))


def package_json(package: NpcPackage) -> dict[str, Any]:
    return {"id": package.id, "fiscal_year": package.fiscal_year, "status": package.status,
            "done_steps": package.done_steps, "total_steps": package.total_steps,
            "percent": percent(package), "documents": package.documents, "size": package.size,
            "sha256": package.sha256, "error": package.error, "requested_by": package.requested_by,
            "created_at": package.created_at.isoformat(),
            "finished_at": package.finished_at.isoformat() if package.finished_at else None}


def percent(package: NpcPackage) -> int:
    if package.status == "done":
        return 100
    return int(100 * package.done_steps / package.total_steps) if package.total_steps else 0


def read_file(actor: User, package_id: int) -> tuple[bytes, str]:
    """The package's PDF, after checking it is still the file that was built (its SHA-256)."""
    package = get(actor, package_id)
    if package.status != "done" or not package.filename:
        raise Conflict("材料包尚未生成完毕")
    path = package_dir() / package.filename
    try:
        data = path.read_bytes()
    except OSError:
        raise Conflict("材料包文件不存在，请重新生成") from None
    if hashlib.sha256(data).hexdigest() != package.sha256:
        raise Conflict("材料包文件与生成时的 SHA-256 不符（文件已被改动），请重新生成")
    return data, f"{package.fiscal_year}年度报送人大绩效材料.pdf"


# -- the job ----------------------------------------------------------------------------------------------------------
@dataclass
class _Part:
    kind: PublicationKind
    document: PublishableDocument
    start_page: int = 0


def _progress(package: NpcPackage, **values: Any) -> None:
    """Each step commits, so a poller (another connection) sees the bar move."""
    for key, value in values.items():
        setattr(package, key, value)
    db.session.commit()


def build(package_id: int) -> str | None:
    """Build one package (the Celery job). Delivered again after it finished, it does nothing."""
    from weasyprint import HTML  # noqa: PLC0415 - Pango is loaded only by the jobs that print

    package = db.session.get(NpcPackage, package_id)
    if package is None or package.status == "done":
        return package.sha256 if package else None
    try:
        sections = contents_of(package.fiscal_year)
        parts = [_Part(kind, document) for kind, documents in sections for document in documents]
        _progress(package, status="running", done_steps=0, total_steps=len(parts) + 2, documents=len(parts),
                  error=None)
        rendered = []
        for number, part in enumerate(parts, 1):
            rendered.append(HTML(string=part.kind.html(part.document.id)).render())
            _progress(package, done_steps=number)
        summary = HTML(string=render_template(
            "pdf/npc_package_summary.html", year=package.fiscal_year, parts=parts)).render()
        # The front matter (cover, contents) numbers the documents' first pages and the closing summary's; its
        # own length is found by rendering it until the numbers it prints agree with it (once or twice).
        front_pages, front = 1, None
        for _attempt in range(4):
            page = front_pages + 1
            for part, document in zip(parts, rendered, strict=True):
                part.start_page = page
                page += len(document.pages)
            front = HTML(string=render_template(
                "pdf/npc_package.html", year=package.fiscal_year, sections=sections, parts=parts,
                summary_page=page, built_at=now())).render()
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        pages = [p for document in [front, *rendered, summary] for p in document.pages]
        data = front.copy(pages).write_pdf()
        _progress(package, done_steps=len(parts) + 1)
        digest = hashlib.sha256(data).hexdigest()
        filename = f"npc-{package.fiscal_year}-{package.id}.pdf"
        target = package_dir() / filename
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)   # a reader never finds half a file
        _progress(package, status="done", done_steps=len(parts) + 2, filename=filename, size=len(data),
                  sha256=digest, finished_at=now())
        return digest
    except Exception as error:  # noqa: BLE001 - the page shows why; the log keeps the trace
        log.exception("the 人大 package %s failed", package_id)
        db.session.rollback()
        package = db.session.get(NpcPackage, package_id)
        _progress(package, status="failed", error=str(error)[:2000], finished_at=now())
        return None
