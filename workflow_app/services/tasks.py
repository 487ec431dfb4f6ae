"""Task queues: the inbox queries, read from the human task table with indexes."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, union_all

from ..extensions import db
from ..engine import now
from ..models import Department, HumanTask, ProcessInstance, Project, TaskState, User
from . import anonymity, policy, queue_sizes, standins
from .errors import Invalid

SCOPES = ("mine", "group", "done", "started")


# Plain (not frozen) slotted dataclasses: a page builds up to 500 of them, and a frozen one's __init__ sets
# each field through object.__setattr__, eight times slower (1.9 against 0.23 us for a QueueRow).
@dataclass(slots=True)
class DepartmentRef:
    code: str
    name: str


@dataclass(slots=True)
class ProjectRef:
    code: str
    name: str
    fiscal_year: int


@dataclass(slots=True)
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
    masked: bool = False   # an anonymous task shown to someone who may not open it (services.anonymity)

    @property
    def owner(self) -> str | None:
        return self.assignee or self.claimed_by


_ROW_COLUMNS = (HumanTask.id, HumanTask.name, HumanTask.title, HumanTask.process_key, HumanTask.instance_id,
                HumanTask.project_id, HumanTask.lane, HumanTask.assignee, HumanTask.claimed_by, HumanTask.state,
                HumanTask.created_at, HumanTask.due_at, HumanTask.overdue_notified_at, HumanTask.completed_at,
                HumanTask.completed_by, Department.code, Department.name, Project.code, Project.name,
                Project.fiscal_year)


def _queue_row(row) -> QueueRow:
    (*task, dept_code, dept_name, project_code, project_name, fiscal_year) = row[:len(_ROW_COLUMNS)]
    return QueueRow(*task,
                    department=DepartmentRef(dept_code, dept_name) if dept_code is not None else None,
                    project=ProjectRef(project_code, project_name, fiscal_year) if project_code is not None else None)


@dataclass
class TaskPage:
    items: list[QueueRow]
    total: int


def list_tasks(actor: User, scope: str = "mine", *, process: str | None = None, project_id: int | None = None,
               instance_id: int | None = None, fiscal_year: int | None = None, department: str | None = None,
               due: str | None = None, project_name: str | None = None, limit: int = 50,
               offset: int = 0) -> TaskPage:
    filters = _filters(process=process, project_id=project_id, instance_id=instance_id, fiscal_year=fiscal_year,
                       department=department, due=due, project_name=project_name)
    # The queue statements select plain columns: run on the session's connection (same transaction) they skip
    # the ORM's result machinery, a third of the cost of reading a page of 50 rows. That path does not
    # autoflush, so changes this request made and has not flushed yet are flushed first (nothing, usually).
    db.session.flush()
    connection = db.session.connection()
    if scope in ("mine", "group"):
        if scope == "mine":
            page_query, count_query = _mine_queries(filters.keys)
            params = {**filters.params, "held": standins.represented_by(actor), "first_n": offset + limit,
                      "page_limit": limit, "page_offset": offset}
        else:
            page_query, count_query = _group_queries(tuple(actor.roles), actor.department_id, filters.keys)
            params = {**filters.params, "page_limit": limit, "page_offset": offset}
        rows = connection.execute(page_query, params).all()
        if rows:  # every row carries the queue's total: one round trip for the page and its count
            return TaskPage(_as_seen_by(actor, [_queue_row(row) for row in rows]), rows[0].queue_total or 0)
        total = (connection.scalar(count_query, params) or 0) if offset else 0  # past the end: still counted
        return TaskPage([], total)
    queue = _queue(actor, scope)
    params = filters.params
    rows = connection.execute(_rows().where(*queue, *filters.conditions).order_by(*_order(scope))
                              .limit(limit).offset(offset), params)
    items = _as_seen_by(actor, [_queue_row(row) for row in rows])
    if items and len(items) < limit or not items and offset == 0:
        total = offset + len(items)  # the last page: nothing more to count
    else:
        total = _count(queue, filters.conditions, params)
    return TaskPage(items, total)


def _as_seen_by(actor: User, items: list[QueueRow]) -> list[QueueRow]:
    """An expert's review in a department's list ("我发起的") names its expert as 专家<n>, and is not linked
    (its page is not the department's). Rows are plain objects built for this page: changed in place."""
    masker = anonymity.Masker(actor)
    hidden = [row for row in items if masker.hides(row.name) and actor.username not in (row.assignee, row.claimed_by,
                                                                                       row.completed_by)]
    if not hidden:
        return items  # the common case costs nothing: no query
    masker.preload(row.instance_id for row in hidden)
    for row in hidden:
        slot = row.assignee
        row.assignee = masker.person(row.instance_id, row.assignee, row.name, slot_of=slot)
        row.claimed_by = masker.person(row.instance_id, row.claimed_by, row.name, slot_of=slot)
        row.completed_by = masker.person(row.instance_id, row.completed_by, row.name, slot_of=slot)
        row.masked = True
    return items


def _order(scope: str) -> tuple[ColumnElement[Any], ...]:
    if scope == "done":
        return (HumanTask.completed_at.desc(), HumanTask.id.desc())
    return (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)


@functools.lru_cache(maxsize=None)  # one pair per combination of filters in use (at most 2^6 x 3 = 192)
def _mine_queries(filter_keys: tuple[str, ...]) -> tuple[Select[Any], Select[Any]]:
    """The "mine" page and its count, built once per combination of filters; every value is a parameter.

    The page: the first rows of each held range, read in due order off its own index, merged, then the
    page's rows. Building this statement took longer than running it, so it is not built per request.
    """
    held = policy.held_clauses(bindparam("held", expanding=True))
    conditions = _conditions(filter_keys)
    order = _order("mine")
    branches = [select(HumanTask.id, HumanTask.due_at).where(clause, *conditions).order_by(*order)
                .limit(bindparam("first_n")).subquery() for clause in held]
    merged = union_all(*(select(b.c.id, b.c.due_at) for b in branches)).subquery()
    page_ids = (select(merged.c.id).order_by(merged.c.due_at.is_(None), merged.c.due_at, merged.c.id)
                .limit(bindparam("page_limit")).offset(bindparam("page_offset")))
    # Disjoint ranges: the sum of their counts, each from its index.
    parts = [select(func.count()).select_from(HumanTask).where(clause, *conditions).scalar_subquery()
             for clause in held]
    count = select(parts[0] + parts[1])
    page = _with_total(_rows().where(HumanTask.id.in_(page_ids)).order_by(*order), count)
    return page, count


@functools.lru_cache(maxsize=1024)  # one pair per role set and department, and combination of filters in use
def _group_queries(roles: tuple[str, ...], department_id: int | None,
                   filter_keys: tuple[str, ...]) -> tuple[Select[Any], Select[Any]]:
    """The group queue's page and count: ready, unheld tasks of the lanes one may take, read in due order
    off the partial group indexes; built once per role set and department, as "mine" is."""
    conditions = [policy.group_clause_for(roles, department_id), *_conditions(filter_keys)]
    page = (_rows().where(*conditions).order_by(*_order("group"))
            .limit(bindparam("page_limit")).offset(bindparam("page_offset")))
    if not filter_keys:  # the whole queue: its size is kept as tasks come and go, not counted
        count = queue_sizes.size_statement(roles, department_id)
    else:
        count = select(func.count()).select_from(HumanTask).where(*conditions)
    return _with_total(page, count), count


def _with_total(page: Select[Any], count: Select[Any]) -> Select[Any]:
    """The page with the queue's total as a last column: an uncorrelated subquery, which both databases
    evaluate once per statement, so a page and its count cost one round trip instead of two."""
    return page.add_columns(count.scalar_subquery().label("queue_total"))


def _rows():
    return (select(*_ROW_COLUMNS).select_from(HumanTask)
            .outerjoin(Department, Department.id == HumanTask.department_id)
            .outerjoin(Project, Project.id == HumanTask.project_id))


def count_tasks(actor: User, scope: str) -> int:
    """The size of a queue alone (the numbers in the navigation), one query."""
    if scope == "mine":
        return db.session.scalar(_mine_queries(())[1], {"held": standins.represented_by(actor)}) or 0
    if scope == "group":
        return db.session.scalar(_group_queries(tuple(actor.roles), actor.department_id, ())[1]) or 0
    return _count(_queue(actor, scope), [], {})


def _count(queue: list[ColumnElement[bool]], conditions: list[ColumnElement[bool]], params: dict[str, Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(*queue, *conditions), params) or 0


def _queue(actor: User, scope: str) -> list[ColumnElement[bool]]:
    """The conditions of the done and started scopes ("mine" and "group" have statements built once)."""
    if scope == "done":
        return [policy.done_clause(actor)]
    if scope == "started":
        return [HumanTask.state == TaskState.READY.value, HumanTask.instance_id.in_(
            select(ProcessInstance.id).where(ProcessInstance.started_by_id == actor.id))]
    raise Invalid("scope 只能是 mine、group、done 或 started", {"scope": ["mine|group|done|started"]})


# The inbox filters as conditions on bound parameters: a statement's shape depends only on which filters
# are used, never on their values.
_FILTER_CONDITIONS: dict[str, tuple[ColumnElement[bool], ...]] = {
    "process": (HumanTask.process_key == bindparam("process"),),
    "project_id": (HumanTask.project_id == bindparam("project_id"),),
    "instance_id": (HumanTask.instance_id == bindparam("instance_id"),),
    "fiscal_year": (HumanTask.project_id.in_(
        select(Project.id).where(Project.fiscal_year == bindparam("fiscal_year"))),),
    "department": (HumanTask.department_id.in_(
        select(Department.id).where(Department.code == bindparam("department"))),),
    # A part of the project's name or code: the matching projects are few, so the queue's own index still
    # reads the range and the IN list only narrows it (the pattern is bound, its wildcards escaped).
    "project_name": (HumanTask.project_id.in_(
        select(Project.id).where(or_(Project.name.ilike(bindparam("project_name"), escape="\\"),
                                     Project.code.ilike(bindparam("project_name"), escape="\\")))),),
    "overdue": (HumanTask.due_at < bindparam("due_now"),),
    "week": (HumanTask.due_at >= bindparam("due_now"), HumanTask.due_at < bindparam("due_week_end")),
}


def _conditions(filter_keys: tuple[str, ...]) -> list[ColumnElement[bool]]:
    return [condition for key in filter_keys for condition in _FILTER_CONDITIONS[key]]


@dataclass(frozen=True)
class Filters:
    keys: tuple[str, ...]
    params: dict[str, Any]

    @property
    def conditions(self) -> list[ColumnElement[bool]]:
        return _conditions(self.keys)


PROJECT_NAME_LIMIT = 100


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its own % _ and \\ taken literally (escape character \\)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _project_name(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > PROJECT_NAME_LIMIT:
        raise Invalid(f"项目名称筛选不超过{PROJECT_NAME_LIMIT}字", {"project_name": [f"不超过{PROJECT_NAME_LIMIT}字"]})
    return like_pattern(text)


def _filters(*, process: str | None = None, project_id: int | None = None, instance_id: int | None = None,
             fiscal_year: int | None = None, department: str | None = None, due: str | None = None,
             project_name: str | None = None) -> Filters:
    """The inbox filters a user chose, on top of the queue."""
    if due not in (None, "", "overdue", "week"):
        raise Invalid("due 只能是 overdue 或 week", {"due": ["overdue|week"]})
    chosen: dict[str, Any] = {"process": process or None, "project_id": project_id, "instance_id": instance_id,
                              "fiscal_year": fiscal_year, "department": department or None,
                              "project_name": _project_name(project_name)}
    params = {key: value for key, value in chosen.items() if value is not None}
    keys = list(params)
    if due:
        moment = now()
        keys.append(due)
        params["due_now"] = moment
        if due == "week":
            params["due_week_end"] = moment + timedelta(days=7)
    return Filters(tuple(keys), params)
