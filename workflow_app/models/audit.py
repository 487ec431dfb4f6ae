"""The audit trail: every action, by whom, on behalf of whom, when, and what it changed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64), index=True)  # username; None = the system
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    task_name: Mapped[str | None] = mapped_column(String(100))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    opinion: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Tamper evidence: events are chained in commit order; each carries the hash of the one before.
    seq: Mapped[int | None] = mapped_column(unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    def payload(self) -> bytes:
        """The fields the hash covers, in a canonical form."""
        import orjson
        return orjson.dumps({
            "seq": self.seq, "at": self.at.isoformat() if self.at else None, "actor": self.actor,
            "on_behalf_of": self.on_behalf_of, "action": self.action, "instance_id": self.instance_id,
            "task_id": self.task_id, "task_name": self.task_name, "object_type": self.object_type,
            "object_id": self.object_id, "opinion": self.opinion, "before": self.before, "after": self.after,
        }, option=orjson.OPT_SORT_KEYS)


class AuditChainHead(db.Model):
    """The end of the audit chain. Its row lock orders the commits that write audit events."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
