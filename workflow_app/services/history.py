"""What happened in an instance, read from the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, HumanTask, ProcessInstance, Project, TaskState, User
from . import policy
from .errors import NotFound

HISTORY_ACTIONS = ("start", "complete", "claim", "unclaim", "timer", "send_back", "withdraw", "reassign", "urge", "error")


@dataclass
class HistoryEntry:
    task: str | None
    title: str | None
    by: str | None
    on_behalf_of: str | None
    at: datetime
    action: str
    opinion: str | None


@dataclass
class InstanceView:
    instance: ProcessInstance
    project: Project | None
    ready_tasks: list[HumanTask]
    history: list[HistoryEntry]
    show_data: bool


# The joint review is independent and the experts anonymous: outside the performance section, nobody reads
# another reviewer's opinion in the history, and only the expert himself sees an expert's name.
INDEPENDENT_REVIEWS = {"finance_review", "authority_review", "expert_review"}


def _as_seen_by(viewer: User, entry: HistoryEntry) -> HistoryEntry:
    if policy.is_bureau_wide(viewer) or entry.task not in INDEPENDENT_REVIEWS or entry.by == viewer.username:
        return entry
    entry.opinion = None
    if entry.task == "expert_review":
        entry.by = "专家"
        entry.on_behalf_of = None
    return entry


def visible_instance(actor: User, instance_id: int) -> tuple[ProcessInstance, Project | None]:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    project = db.session.get(Project, instance.project_id) if instance.project_id else None
    if not policy.can_see_instance(actor, instance, project):
        raise NotFound("流程实例不存在")
    return instance, project


def instance_view(actor: User, instance_id: int) -> InstanceView:
    instance, project = visible_instance(actor, instance_id)
    ready = list(db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY.value).order_by(HumanTask.id)))
    rows = db.session.execute(
        select(AuditEvent, HumanTask.title).outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.instance_id == instance.id, AuditEvent.action.in_(HISTORY_ACTIONS))
        .order_by(AuditEvent.id)).all()
    history = [_as_seen_by(actor, HistoryEntry(task=e.task_name, title=title, by=e.actor, on_behalf_of=e.on_behalf_of,
                                               at=e.at, action=e.action, opinion=e.opinion)) for e, title in rows]
    return InstanceView(instance, project, ready, history, policy.can_see_instance_data(actor))
