"""Rectification (整改): findings fixed by the department by a deadline, audited by supervisors."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .project import Project
from .types import UTCDateTime, utcnow


class RectificationStatus(str, enum.Enum):
    PLANNING = "planning"
    IN_PROGRESS = "in_progress"
    AUDITING = "auditing"
    CLOSED = "closed"


class Rectification(db.Model):
    __tablename__ = "rectifications"
    __table_args__ = (Index("ix_rectifications_board", "status", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    fiscal_year: Mapped[int] = mapped_column(index=True)
    findings: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(20))   # evaluation | monitoring | audit
    deadline: Mapped[date] = mapped_column(Date)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=RectificationStatus.PLANNING.value)
    overdue: Mapped[bool] = mapped_column(default=False)
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audit_result: Mapped[str | None] = mapped_column(String(10))
    budget_decision: Mapped[str | None] = mapped_column(String(10))
    recovered_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(lazy="joined")
    records: Mapped[list[RectificationRecord]] = relationship(order_by="RectificationRecord.id", lazy="selectin")


class RectificationRecord(db.Model):
    """One link of the chain: a plan, its review, a progress report with evidence, an audit, the result."""

    __tablename__ = "rectification_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    kind: Mapped[str] = mapped_column(String(20))  # plan | plan_review | progress | audit | result
    author: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))   # plan measures
    decision: Mapped[str | None] = mapped_column(String(20))   # accepted/rejected, done/continue, accept/return
    attachment_ids: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
