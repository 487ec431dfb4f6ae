"""JSON shapes of API.md, built from models in one place."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..json_provider import exact_number
from ..models import HumanTask, ProcessInstance, Project
from ..services.anonymity import Masker
from ..services.history import InstanceView
from ..services.tasks import QueueRow


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def task_json(task: HumanTask | QueueRow, masker: Masker | None = None) -> dict[str, Any]:
    """A task in API.md's shape; with a `masker`, an expert's review names its expert as 专家<n> for viewers
    outside the bureau-wide roles (task lists are masked where they are read: services.tasks)."""
    owner, completed_by = task.owner, task.completed_by
    if masker is not None and masker.hides(task.name):
        owner = masker.person(task.instance_id, owner, task.name, slot_of=task.assignee)
        completed_by = masker.person(task.instance_id, completed_by, task.name, slot_of=task.assignee)
    return {
        "id": task.id,
        "name": task.name,
        "title": task.title,
        "process": task.process_key,
        "instance_id": task.instance_id,
        "project_id": task.project_id,
        "department": task.department.code if task.department else None,
        "lane": task.lane,
        "assignee": owner,
        "state": task.state,
        "created_at": iso(task.created_at),
        "due_at": iso(task.due_at),
        "overdue": bool(task.due_at and task.state == "ready" and task.overdue_notified_at is not None),
        "completed_at": iso(task.completed_at),
        "completed_by": completed_by,
        "project": {"code": task.project.code, "name": task.project.name,
                    "fiscal_year": task.project.fiscal_year} if task.project else None,
    }


def instance_summary(instance: ProcessInstance) -> dict[str, Any]:
    return {"id": instance.id, "process": instance.process_key, "status": instance.status}


def instance_json(view: InstanceView, data: dict[str, Any] | None) -> dict[str, Any]:
    instance = view.instance
    body = {
        "id": instance.id,
        "process": instance.process_key,
        "version": instance.definition.version,
        "status": instance.status,
        "project_id": instance.project_id,
        "created_at": iso(instance.created_at),
        "completed_at": iso(instance.completed_at),
        "ready_tasks": [task_json(t, view.masker) for t in view.ready_tasks],
        "history": [{"task": h.task, "title": h.title, "by": h.by, "on_behalf_of": h.on_behalf_of,
                     "at": iso(h.at), "action": h.action, "opinion": h.opinion} for h in view.history],
    }
    if view.show_data:
        body["data"] = data or {}
    return body


def project_json(project: Project, *, detail: bool = False) -> dict[str, Any]:
    body = {
        "id": project.id,
        "code": project.code,
        "name": project.name,
        "department": project.department.code,
        "competent_department": project.competent_department.code if project.competent_department else None,
        "fiscal_year": project.fiscal_year,
        "amount": exact_number(project.amount),
        "fund_source": project.fund_source,
        "kind": project.kind,
        "is_new": project.is_new,
        "goal_status": project.goal_status,
        "budget_decision": project.budget_decision,
        "ex_ante_conclusion": project.ex_ante_conclusion,
        "ex_ante_score": float(project.ex_ante_score) if project.ex_ante_score is not None else None,
    }
    if detail:
        from ..services import goal_review, goals
        versions = goals.versions_of(project.id)
        shown = goal_review.approved_version(project) or (versions[0] if versions else None)
        body["goal"] = goals.version_json(shown) if shown else None
        body["goal_versions"] = [goals.version_json(v) for v in reversed(versions)]
    return body
