"""Task queues: the inbox queries, read from the human task table with indexes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import defaultload

from ..extensions import db
from ..engine import now
from ..models import Department, HumanTask, ProcessInstance, Project, TaskState, User
from . import policy, standins
from .errors import Invalid

SCOPES = ("mine", "group", "done", "started")


@dataclass
class TaskPage:
    items: list[HumanTask]
    total: int


def list_tasks(actor: User, scope: str = "mine", *, process: str | None = None, project_id: int | None = None,
               instance_id: int | None = None, fiscal_year: int | None = None, department: str | None = None,
               due: str | None = None, limit: int = 50, offset: int = 0) -> TaskPage:
    conditions = _conditions(actor, scope, process=process, project_id=project_id, instance_id=instance_id,
                             fiscal_year=fiscal_year, department=department, due=due)
    order = (HumanTask.completed_at.desc(), HumanTask.id.desc()) if scope == "done" else (
        HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
    # A queue row shows the project's code and name, not its departments: join the project alone.
    page = (select(HumanTask).where(*conditions).order_by(*order).limit(limit).offset(offset)
            .options(defaultload(HumanTask.project).lazyload("*")))
    items = list(db.session.scalars(page))
    if items and len(items) < limit or not items and offset == 0:
        total = offset + len(items)  # the last page: nothing more to count
    else:
        total = _count(conditions)
    return TaskPage(items, total)


def count_tasks(actor: User, scope: str) -> int:
    """The size of a queue alone (the numbers in the navigation), one query."""
    return _count(_conditions(actor, scope))


def _count(conditions: list) -> int:
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(*conditions)) or 0


def _conditions(actor: User, scope: str, *, process: str | None = None, project_id: int | None = None,
                instance_id: int | None = None, fiscal_year: int | None = None, department: str | None = None,
                due: str | None = None) -> list:
    if scope not in SCOPES:
        raise Invalid("scope 只能是 mine、group、done 或 started", {"scope": ["mine|group|done|started"]})
    if scope == "mine":
        conditions = [policy.mine_clause(actor, standins.represented_by(actor))]
    elif scope == "started":
        conditions = [HumanTask.state == TaskState.READY.value, HumanTask.instance_id.in_(
            select(ProcessInstance.id).where(ProcessInstance.started_by_id == actor.id))]
    else:
        conditions = [{"group": policy.group_clause, "done": policy.done_clause}[scope](actor)]
    if process:
        conditions.append(HumanTask.process_key == process)
    if project_id is not None:
        conditions.append(HumanTask.project_id == project_id)
    if instance_id is not None:
        conditions.append(HumanTask.instance_id == instance_id)
    if fiscal_year is not None:
        conditions.append(HumanTask.project_id.in_(select(Project.id).where(Project.fiscal_year == fiscal_year)))
    if department:
        conditions.append(HumanTask.department_id.in_(select(Department.id).where(Department.code == department)))
    if due not in (None, "", "overdue", "week"):
        raise Invalid("due 只能是 overdue 或 week", {"due": ["overdue|week"]})
    moment = now()
    if due == "overdue":
        conditions.append(HumanTask.due_at < moment)
    elif due == "week":
        conditions.append(HumanTask.due_at >= moment)
        conditions.append(HumanTask.due_at < moment + timedelta(days=7))
    return conditions
