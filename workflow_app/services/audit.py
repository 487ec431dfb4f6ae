"""Recording audit events. Every service action calls `record` inside its own transaction, so an
action and its audit event are committed (or rolled back) together."""
from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEvent, User
from ..models.types import utcnow


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
    event = AuditEvent(
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
    db.session.add(event)
    return event
