"""What happened in an instance, read from the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, Comment, HumanTask, ProcessInstance, Project, TaskState, User
from ..processes import registry
from . import policy
from .anonymity import Masker
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
    masker: Masker

    def owner_of(self, task: HumanTask) -> str | None:
        """Who holds a ready task, as this viewer may see it (an expert as 专家<n>)."""
        return self.masker.person(task.instance_id, task.owner, task.name, slot_of=task.assignee)

    def may_open(self, task: HumanTask) -> bool:
        """Whether to link the task's page (an expert's review is not the department's to open)."""
        return not self.masker.hides(task.name) or self.viewer_holds(task)

    def comment_author(self, comment: Comment) -> str:
        """A comment's author as shown: an expert of this instance as 专家<n>, anyone else by name."""
        shown = self.masker.person(comment.instance_id, comment.author)
        return comment.author_name if shown == comment.author else (shown or "")

    def viewer_holds(self, task: HumanTask) -> bool:
        return self.masker.viewer.username in (task.assignee, task.claimed_by, task.completed_by)


def _as_seen_by(viewer: User, masker: Masker, instance_id: int, independent: frozenset[str],
                entry: HistoryEntry) -> HistoryEntry:
    """An independent review (declared by the process module) is independent and an anonymous step's performer
    anonymous: outside the performance section, nobody reads another reviewer's opinion in the history, and
    only the expert himself sees an expert's name (the others see 专家<n>, numbered as everywhere else:
    services/anonymity.py)."""
    if policy.may(viewer, "read_independent_reviews") or entry.task not in independent or entry.by == viewer.username:
        return entry
    entry.opinion = None
    names = masker.aliases(instance_id)
    if masker.hides(entry.task) and (entry.by in names or entry.on_behalf_of in names):
        # The expert's own steps (or a stand-in's for him); the section's 转办/催办 keep their actor.
        entry.by = masker.person(instance_id, entry.by, entry.task, slot_of=entry.on_behalf_of or entry.by)
        entry.on_behalf_of = None
    return entry


def visible_instance(actor: User, instance_id: int, permission: str = "see_instance"
                     ) -> tuple[ProcessInstance, Project | None]:
    """The instance and its project, if the actor has `permission` on it (a permission on an instance that
    refuses with NotFound); otherwise not found, like an instance that does not exist."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    project = db.session.get(Project, instance.project_id) if instance.project_id else None
    policy.require(actor, permission, instance)
    return instance, project


def instance_view(actor: User, instance_id: int) -> InstanceView:
    instance, project = visible_instance(actor, instance_id)
    ready = list(db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY.value).order_by(HumanTask.id)))
    rows = db.session.execute(
        select(AuditEvent, HumanTask.title).outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.instance_id == instance.id, AuditEvent.action.in_(HISTORY_ACTIONS))
        .order_by(AuditEvent.id)).all()
    masker = Masker(actor)
    independent = registry.get(instance.process_key).independent_reviews
    history = [_as_seen_by(actor, masker, instance.id, independent, HistoryEntry(
        task=e.task_name, title=title, by=e.actor, on_behalf_of=e.on_behalf_of, at=e.at, action=e.action,
        opinion=e.opinion)) for e, title in rows]
    return InstanceView(instance, project, ready, history, policy.may(actor, "see_instance_data"), masker)
