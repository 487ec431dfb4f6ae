"""Disclosure (信息公开): the publish decision on each publishable document, and the 人大 packages built.

A publishable document belongs to a process (an approved goal table, a key evaluation report, a whole-department
self-evaluation); its process declares it as a publication kind (processes/registry.py `PublicationKind`). These
rows only record the decision about it, keyed by (kind, object id), so this table names no process.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Publication(db.Model):
    """是否公开: published with the department budget (the date recorded), or not, with the reason (非公开原因)."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("kind", "object_id"),
                      Index("ix_publications_public", "published", "fiscal_year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    fiscal_year: Mapped[int]
    published: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)          # required when not published
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NpcPackage(db.Model):
    """报送人大的材料包 of one year: one PDF built by a background job, kept as a file with its SHA-256."""

    __tablename__ = "npc_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")   # queued | running | done | failed
    done_steps: Mapped[int] = mapped_column(default=0)
    total_steps: Mapped[int] = mapped_column(default=0)
    documents: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str | None] = mapped_column(String(200))          # under NPC_PACKAGE_DIR
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
