"""The performance section's dashboard: open tasks by process and department, overdue tasks, time per step.

Everything is read from the human task table with a handful of aggregate queries (no per-row loading).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select

from ..engine import now
from ..extensions import db
from ..models import Department, HumanTask, ProcessDefinition, TaskState, User
from . import policy

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class CountRow:
    key: str | None      # process key or department code; None: tasks without a department
    label: str | None    # process or department name; None when unknown
    count: int


@dataclass(frozen=True)
class StepTime:
    process_key: str
    process_name: str | None
    name: str            # BPMN id of the task
    title: str
    completed: int       # how many such tasks were completed
    average_hours: float # completed_at - created_at, averaged


@dataclass(frozen=True)
class Overdue:
    open: int            # ready tasks
    past_due: int        # ready tasks whose due_at has passed
    notified: int        # ready tasks whose overdue warning went out


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    overdue: Overdue
    by_process: list[CountRow]
    by_department: list[CountRow]
    step_times: list[StepTime]


def check_access(actor: User) -> None:
    """The dashboard is the performance section's (and the admins'); anyone else is told it does not exist."""
    policy.require(actor, "see_dashboard")


def _latest_process_names():
    """(key, name) of the latest deployed version of each BPMN process, as a subquery."""
    latest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .where(ProcessDefinition.kind == "bpmn").group_by(ProcessDefinition.key).subquery("latest_version"))
    return (select(ProcessDefinition.key, ProcessDefinition.name)
            .join(latest, and_(ProcessDefinition.key == latest.c.key, ProcessDefinition.version == latest.c.version))
            .subquery("latest_process"))


def _seconds_between(start: ColumnElement[datetime], end: ColumnElement[datetime]) -> ColumnElement[float]:
    """`end - start` in seconds, in the SQL of the database underneath (SQLite or PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    raise RuntimeError(f"dashboard: the product runs on SQLite and PostgreSQL, not on {dialect}")


def overdue_counts(moment: datetime) -> Overdue:
    ready = HumanTask.state == TaskState.READY.value
    row = db.session.execute(
        select(func.count(HumanTask.id),
               func.count(case((HumanTask.due_at < moment, HumanTask.id))),
               func.count(case((HumanTask.overdue_notified_at.is_not(None), HumanTask.id))))
        .where(ready)).one()
    return Overdue(open=row[0], past_due=row[1], notified=row[2])


def open_by_process() -> list[CountRow]:
    names = _latest_process_names()
    count = func.count(HumanTask.id).label("n")
    rows = db.session.execute(
        select(HumanTask.process_key, names.c.name, count)
        .outerjoin(names, names.c.key == HumanTask.process_key)
        .where(HumanTask.state == TaskState.READY.value)
        .group_by(HumanTask.process_key, names.c.name)
        .order_by(count.desc(), HumanTask.process_key)).all()
    return [CountRow(key, name, n) for key, name, n in rows]


def open_by_department() -> list[CountRow]:
    count = func.count(HumanTask.id).label("n")
    rows = db.session.execute(
        select(Department.code, Department.name, count)
        .select_from(HumanTask)
        .outerjoin(Department, Department.id == HumanTask.department_id)
        .where(HumanTask.state == TaskState.READY.value)
        .group_by(Department.id, Department.code, Department.name)
        .order_by(count.desc(), Department.code)).all()
    return [CountRow(code, name, n) for code, name, n in rows]


def step_times() -> list[StepTime]:
    """Average hours from a task's arrival to its completion, per step (process, BPMN id, title)."""
    names = _latest_process_names()
    seconds = func.avg(_seconds_between(HumanTask.created_at, HumanTask.completed_at)).label("seconds")
    rows = db.session.execute(
        select(HumanTask.process_key, names.c.name, HumanTask.name, HumanTask.title,
               func.count(HumanTask.id), seconds)
        .outerjoin(names, names.c.key == HumanTask.process_key)
        .where(HumanTask.state == TaskState.COMPLETED.value, HumanTask.completed_at.is_not(None))
        .group_by(HumanTask.process_key, names.c.name, HumanTask.name, HumanTask.title)
        .order_by(HumanTask.process_key, seconds.desc(), HumanTask.name)).all()
    return [StepTime(key, pname, name, title, n, float(avg or 0) / SECONDS_PER_HOUR)
            for key, pname, name, title, n, avg in rows]


def dashboard(actor: User, moment: datetime | None = None) -> Dashboard:
    check_access(actor)
    moment = moment or now()
    return Dashboard(at=moment, overdue=overdue_counts(moment), by_process=open_by_process(),
                     by_department=open_by_department(), step_times=step_times())
