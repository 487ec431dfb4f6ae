"""The audit trail. Every service action calls `record` inside its own transaction, so an action and its
audit event are committed (or rolled back) together.

Events form a hash chain: just before a transaction commits, its new events take the next sequence numbers
from the chain head (whose row lock orders concurrent commits) and each stores the hash of the one before.
`verify` walks the chain and names the first event that was edited or deleted.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent, User
from ..models.audit import AuditChainHead
from ..models.types import utcnow

_PENDING = "pending_audit_events"
GENESIS = "0" * 64


def record(
    action: str,
    actor: User | None,
    *,
    on_behalf_of: str | None = None,
    instance_id: int | None = None,
    task_id: int | None = None,
    task_name: str | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    opinion: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    audit_event = AuditEvent(
        at=utcnow(),
        actor=actor.username if actor else None,
        on_behalf_of=on_behalf_of,
        action=action,
        instance_id=instance_id,
        task_id=task_id,
        task_name=task_name,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        opinion=opinion,
        before=before,
        after=after,
    )
    # Added to the session only at commit, with its place in the chain: one INSERT, no UPDATE after.
    db.session().info.setdefault(_PENDING, []).append(audit_event)
    return audit_event


def _digest(prev: str, audit_event: AuditEvent) -> str:
    return hashlib.sha256(prev.encode() + audit_event.payload()).hexdigest()


# The chain runs at every commit that records something: plain table statements, built once, keep it off
# the ORM's unit of work (the events are written once and never changed, so nothing needs tracking).
_HEAD = AuditChainHead.__table__
_EVENTS = AuditEvent.__table__
_EVENT_COLUMNS = [column.key for column in _EVENTS.columns if column.key != "id"]
# Lock the head (the UPDATE takes the row lock) and read where the chain ends, in one statement.
_LOCK_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq).returning(_HEAD.c.seq, _HEAD.c.hash)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))


@event.listens_for(Session, "before_commit")
def _chain_pending_events(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    head = session.execute(_LOCK_HEAD).first()
    if head is None:
        session.execute(insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
        seq, prev = 0, GENESIS
    else:
        seq, prev = head.seq, head.hash
    for audit_event in pending:
        seq += 1
        audit_event.seq = seq
        audit_event.prev_hash = prev
        audit_event.hash = prev = _digest(prev, audit_event)
    rows = [{key: getattr(audit_event, key) for key in _EVENT_COLUMNS} for audit_event in pending]
    moved = {"new_seq": seq, "new_hash": prev}
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: the events go in from a WITH of the head's UPDATE (a statement there costs a
        # round trip to the server; SQLite has no INSERT inside WITH and no round trips to save).
        session.execute(_MOVE_HEAD.add_cte(insert(_EVENTS).values(rows).cte("added_events")), moved)
    else:
        session.execute(insert(_EVENTS), rows)
        session.execute(_MOVE_HEAD, moved)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass
class Verdict:
    checked: int
    first_bad_seq: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify(batch: int = 5000) -> Verdict:
    """Walk the chain in order; report the first event that was edited, deleted or inserted."""
    expected_seq, prev, checked = 1, GENESIS, 0
    last_seq = 0
    while True:
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.seq >= expected_seq)
                                  .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            break
        for audit_event in rows:
            if audit_event.seq != expected_seq:
                return Verdict(checked, expected_seq, f"事件 {expected_seq} 缺失（被删除）")
            if audit_event.prev_hash != prev:
                return Verdict(checked, audit_event.seq, f"事件 {audit_event.seq}（id {audit_event.id}）的前序哈希不符")
            if _digest(prev, audit_event) != audit_event.hash:
                return Verdict(checked, audit_event.seq, f"事件 {audit_event.seq}（id {audit_event.id}）的内容被修改")
            prev = audit_event.hash
            expected_seq += 1
            checked += 1
            last_seq = audit_event.seq
        db.session.expunge_all()
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != prev):
        return Verdict(checked, last_seq + 1, f"链尾不符：记录到第 {head.seq} 条，实际只有 {last_seq} 条（末尾事件被删除）")
    return Verdict(checked, None, None)
