"""Task queues: the inbox queries, read from the human task table with indexes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, func, select, union_all
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
    filters = _filters(process=process, project_id=project_id, instance_id=instance_id, fiscal_year=fiscal_year,
                       department=department, due=due)
    queue = _queue(actor, scope)
    if scope == "done":
        order = (HumanTask.completed_at.desc(), HumanTask.id.desc())
    else:
        order = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
    if scope == "mine":
        # The first page of each held range, read in due order off its index, merged; then the rows.
        branches = [select(HumanTask.id, HumanTask.due_at).where(held, *filters).order_by(*order)
                    .limit(offset + limit).subquery() for held in queue]
        merged = union_all(*(select(b.c.id, b.c.due_at) for b in branches)).subquery()
        page_ids = (select(merged.c.id).order_by(merged.c.due_at.is_(None), merged.c.due_at, merged.c.id)
                    .limit(limit).offset(offset))
        page = select(HumanTask).where(HumanTask.id.in_(page_ids)).order_by(*order)
    else:
        page = select(HumanTask).where(*queue, *filters).order_by(*order).limit(limit).offset(offset)
    # A queue row shows the project's code and name, not its departments: join the project alone.
    items = list(db.session.scalars(page.options(defaultload(HumanTask.project).lazyload("*"))))
    if items and len(items) < limit or not items and offset == 0:
        total = offset + len(items)  # the last page: nothing more to count
    else:
        total = _count(scope, queue, filters)
    return TaskPage(items, total)


def count_tasks(actor: User, scope: str) -> int:
    """The size of a queue alone (the numbers in the navigation), one query."""
    return _count(scope, _queue(actor, scope), [])


def _count(scope: str, queue: list[ColumnElement[bool]], filters: list[ColumnElement[bool]]) -> int:
    if scope == "mine":  # disjoint ranges: the sum of their counts, each from its index
        parts = [select(func.count()).select_from(HumanTask).where(held, *filters).scalar_subquery()
                 for held in queue]
        return db.session.scalar(select(parts[0] + parts[1])) or 0
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(*queue, *filters)) or 0


def _queue(actor: User, scope: str) -> list[ColumnElement[bool]]:
    """The scope's conditions (for "mine", the two disjoint held ranges)."""
    if scope not in SCOPES:
        raise Invalid("scope 只能是 mine、group、done 或 started", {"scope": ["mine|group|done|started"]})
    if scope == "mine":
        return list(policy.held_clauses(actor, standins.represented_by(actor)))
    if scope == "started":
        return [HumanTask.state == TaskState.READY.value, HumanTask.instance_id.in_(
            select(ProcessInstance.id).where(ProcessInstance.started_by_id == actor.id))]
    return [{"group": policy.group_clause, "done": policy.done_clause}[scope](actor)]


def _filters(*, process: str | None = None, project_id: int | None = None, instance_id: int | None = None,
             fiscal_year: int | None = None, department: str | None = None,
             due: str | None = None) -> list[ColumnElement[bool]]:
    """The inbox filters a user chose, on top of the queue."""
    conditions: list[ColumnElement[bool]] = []
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
