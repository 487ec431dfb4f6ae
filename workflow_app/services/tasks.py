"""Task queues: the inbox queries, read from the human task table with indexes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, union_all

from ..extensions import db
from ..engine import now
from ..models import Department, HumanTask, ProcessInstance, Project, TaskState, User
from . import policy, standins
from .errors import Invalid

SCOPES = ("mine", "group", "done", "started")


@dataclass(frozen=True, slots=True)
class DepartmentRef:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ProjectRef:
    code: str
    name: str
    fiscal_year: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of a task queue: the task's own columns with its department and project, read as plain
    rows (a queue page shows them and nothing else, so no ORM objects are built for it)."""

    id: int
    name: str
    title: str
    process_key: str
    instance_id: int
    project_id: int | None
    lane: str | None
    assignee: str | None
    claimed_by: str | None
    state: str
    created_at: datetime
    due_at: datetime | None
    overdue_notified_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    department: DepartmentRef | None
    project: ProjectRef | None

    @property
    def owner(self) -> str | None:
        return self.assignee or self.claimed_by


_ROW_COLUMNS = (HumanTask.id, HumanTask.name, HumanTask.title, HumanTask.process_key, HumanTask.instance_id,
                HumanTask.project_id, HumanTask.lane, HumanTask.assignee, HumanTask.claimed_by, HumanTask.state,
                HumanTask.created_at, HumanTask.due_at, HumanTask.overdue_notified_at, HumanTask.completed_at,
                HumanTask.completed_by, Department.code, Department.name, Project.code, Project.name,
                Project.fiscal_year)


def _queue_row(row) -> QueueRow:
    (*task, dept_code, dept_name, project_code, project_name, fiscal_year) = row
    return QueueRow(*task,
                    department=DepartmentRef(dept_code, dept_name) if dept_code is not None else None,
                    project=ProjectRef(project_code, project_name, fiscal_year) if project_code is not None else None)


@dataclass
class TaskPage:
    items: list[QueueRow]
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
        page = _rows().where(HumanTask.id.in_(page_ids)).order_by(*order)
    else:
        page = _rows().where(*queue, *filters).order_by(*order).limit(limit).offset(offset)
    items = [_queue_row(row) for row in db.session.execute(page)]
    if items and len(items) < limit or not items and offset == 0:
        total = offset + len(items)  # the last page: nothing more to count
    else:
        total = _count(scope, queue, filters)
    return TaskPage(items, total)


def _rows():
    return (select(*_ROW_COLUMNS).select_from(HumanTask)
            .outerjoin(Department, Department.id == HumanTask.department_id)
            .outerjoin(Project, Project.id == HumanTask.project_id))


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
