"""Separation of duties (四眼原则), declared per task in the BPMN.

A user task may carry the property `distinct_from`: the ids of the tasks whose completers may not do it
(`authority_review` checks `dept_signoff`: whoever signed the goals off may not review them as 主管部门;
`expert_review` names itself: one person gives at most one expert opinion per review round). The rule
is the model's, not the code's: any process can declare it, and the engine service enforces it on claim,
completion, reassignment and stand-ins.

Who "did" a step: the person who completed it and, for a stand-in's completion, the person it was done
for (both answer for it). Who would do this one: the actor and, for a stand-in, the person represented.

A task's own id in its list means its other instances *of the same round*: the rows of that task completed
since the last step of another task that ended before this one became ready (for the joint review, the
formal check or consolidation that opened the round). The same engine task done again after a send back
or a withdrawal is the same step, never a conflict with itself.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import HumanTask, TaskState, User
from .errors import Forbidden, Invalid

_COLUMNS = (HumanTask.id, HumanTask.task_guid, HumanTask.name, HumanTask.title, HumanTask.state,
            HumanTask.created_at, HumanTask.completed_at, HumanTask.completed_by, HumanTask.on_behalf_of,
            HumanTask.assignee, HumanTask.claimed_by)


def checked_ids(task: HumanTask) -> set[str]:
    return {part for part in (task.distinct_from or "").split(",") if part}


def _round_start(task: HumanTask, rows: list) -> datetime | None:
    """When the task's round began: the last completion of another task before this engine task first
    became ready (its earliest row: a send back or withdrawal writes a later one for the same task)."""
    firsts = [row.created_at for row in rows if row.task_guid == task.task_guid and row.created_at is not None]
    began = min(firsts, default=task.created_at)
    if began is None:
        return None
    moments = [row.completed_at for row in rows
               if row.state == TaskState.COMPLETED.value and row.name != task.name and row.completed_at is not None
               and row.completed_at <= began]
    return max(moments) if moments else None


def _checked_rows(task: HumanTask) -> list:
    """The instance's rows of the steps this task checks (ready or completed), earlier rounds of itself left
    out. One query, and only for tasks that declare `distinct_from`."""
    ids = checked_ids(task)
    if not ids:
        return []
    rows = db.session.execute(select(*_COLUMNS).where(
        HumanTask.instance_id == task.instance_id, HumanTask.state != TaskState.CANCELLED.value)).all()
    start = _round_start(task, rows) if task.name in ids else None
    return [row for row in rows
            if row.name in ids and row.id != task.id and row.task_guid != task.task_guid
            and not (row.name == task.name and start is not None and (row.completed_at or row.created_at) < start)]


def conflicting_step(task: HumanTask, people: Iterable[str], *, held_too: bool = False):
    """The step of this instance that these people did (or, with `held_too`, hold ready now) and that this
    task must be done by someone else than; None when there is none."""
    people = {p for p in people if p}
    if not people:
        return None
    for row in _checked_rows(task):
        if row.state == TaskState.COMPLETED.value:
            if people & {row.completed_by, row.on_behalf_of}:
                return row
        elif held_too and people & {row.assignee, row.claimed_by}:
            return row
    return None


def people_of(actor: User, task: HumanTask) -> set[str]:
    """Who answers for it if the actor does the task now: the actor, and whoever the actor stands in for."""
    from .policy import acting_for  # local: policy imports the models only
    return {actor.username, acting_for(actor, task) or ""} - {""}


def check_actor(actor: User, task: HumanTask) -> None:
    """Refuse (403) a claim or completion that would give one person two steps that must be different people."""
    row = conflicting_step(task, people_of(actor, task))
    if row is not None:
        who = "您" if actor.username in {row.completed_by, row.on_behalf_of} else "您所代理的人"
        raise Forbidden(f"四眼原则：{who}已办理本流程的“{row.title}”，不能再办理“{task.title}”，请由他人办理")


def check_target(target: User, task: HumanTask) -> None:
    """Refuse (422) a reassignment to someone who did a step this task checks."""
    row = conflicting_step(task, {target.username})
    if row is not None:
        raise Invalid(f"四眼原则：{target.name} 已办理本流程的“{row.title}”，不能把“{task.title}”转给其办理",
                      {"username": ["已办理本流程中须由不同人办理的步骤"]})


def excluded_people(task: HumanTask) -> list[str]:
    """Everyone who did a step this task checks (they are not told about it as a new task of theirs)."""
    people = set()
    for row in _checked_rows(task):
        if row.state == TaskState.COMPLETED.value:
            people |= {row.completed_by, row.on_behalf_of}
    return sorted(p for p in people if p)


def check_stand_in(user: User, stand_in: User) -> str | None:
    """Why the stand-in may not act for the user on a task the user holds now, if that is already clear:
    acting for the user would give the stand-in two steps of one instance that must be different people."""
    held = db.session.scalars(select(HumanTask).where(
        HumanTask.state == TaskState.READY.value, HumanTask.distinct_from.is_not(None),
        (HumanTask.assignee == user.username) | (HumanTask.claimed_by == user.username))).all()
    for task in held:
        row = conflicting_step(task, {stand_in.username}, held_too=True)
        if row is not None:
            return (f"四眼原则：{stand_in.name} 在同一流程中已办理或承担“{row.title}”，"
                    f"不能代您办理“{task.title}”")
    return None
