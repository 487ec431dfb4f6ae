"""Starting instances, completing tasks and firing timers: the generic engine service.

Every change to an instance happens inside one transaction that first takes the instance's write
lock (an UPDATE of its lock_version: a row lock on PostgreSQL, the write lock on SQLite), then loads
the state, runs the engine, writes the state and the human task rows, and records the audit event.
Any failure rolls all of it back, so nothing is ever half-saved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import lazyload

import forms
from ..engine import SPEC_CACHE, EngineError, TaskNotReady, WorkflowRun, frozen_at, make_script_engine, now
from ..extensions import db
from ..models import (Department, HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, Project,
                      TaskState, User)
from ..models.org import SECTION_ROUTED_ROLES
from . import audit, deployment, policy, projects, separation
from .errors import Conflict, Invalid, NotFound
from ..processes import registry
from ..processes.registry import hooks_for
from .hooks import Completion
from .notifications import new_task_message, notify_task_candidates, overdue_message
from .transaction import transactional

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_DATA_KEYS = {"due_in", "grading", "typename"}  # names of the script environment


def script_engine():
    """One restricted script engine per app (it is stateless; the settings are the app's)."""
    app = current_app._get_current_object()
    engine = app.extensions.get("workflow_script_engine")
    if engine is None:
        engine = make_script_engine(app.config["TASK_DUE_DAYS"], app.config["TASK_DUE_DAYS_DEFAULT"])
        app.extensions["workflow_script_engine"] = engine
    return engine


def _spec_of(definition_id: int):
    """The parsed spec of a definition, from the cache by content hash (the JSON is read once)."""
    return SPEC_CACHE.get(deployment.content_hash(definition_id), lambda: db.session.scalar(
        select(ProcessDefinition.spec_json).where(ProcessDefinition.id == definition_id)))


def load_run(instance: ProcessInstance) -> WorkflowRun:
    spec, subprocess_specs = _spec_of(instance.definition_id)
    return WorkflowRun.load(instance.state, spec, subprocess_specs, script_engine())


def check_start_data(data: Any) -> dict[str, Any]:
    """Start data becomes task data: keys must be plain names, and nothing may shadow engine internals."""
    if not isinstance(data, dict):
        raise Invalid("data 必须是对象", {"data": ["必须是 JSON 对象"]})
    bad = [k for k in data if not isinstance(k, str) or not _IDENTIFIER.match(k) or k in RESERVED_DATA_KEYS]

    def has_typename(value: Any) -> bool:
        if isinstance(value, dict):
            return "typename" in value or any(has_typename(v) for v in value.values())
        if isinstance(value, list):
            return any(has_typename(v) for v in value)
        return False

    if bad or has_typename(data):
        raise Invalid("数据字段名无效", {"data": [f"不允许的字段名: {', '.join(map(str, bad)) or 'typename'}"]})
    return data


# -- locking ------------------------------------------------------------------------------------
def lock_instance(instance_id: int) -> ProcessInstance:
    """Take the instance's write lock and return it freshly loaded (never a stale identity-map copy)."""
    # One statement: the UPDATE takes the row lock and RETURNING reloads the row past the identity map.
    instance = db.session.scalars(
        update(ProcessInstance).where(ProcessInstance.id == instance_id)
        .values(lock_version=ProcessInstance.lock_version + 1)
        .returning(ProcessInstance).execution_options(populate_existing=True)
    ).first()
    if instance is None:
        raise NotFound("流程实例不存在")
    return instance


# Built once: these run on every task action.
_INSTANCES, _TASKS = ProcessInstance.__table__, HumanTask.__table__
_INSTANCE_OF_TASK = select(_TASKS.c.instance_id).where(_TASKS.c.id == bindparam("task_id")).scalar_subquery()
# A plain table UPDATE takes the lock (the ORM's UPDATE ... RETURNING of a whole entity costs twice as much).
_LOCK_INSTANCE_OF_TASK = (update(_INSTANCES).where(_INSTANCES.c.id == _INSTANCE_OF_TASK)
                          .values(lock_version=_INSTANCES.c.lock_version + 1))
# The task, every ready task of its instance (what the task-table sync compares the engine with) and the
# instance, in one SELECT that overwrites whatever the session held.
_TASK_WITH_INSTANCE = (
    select(HumanTask, ProcessInstance).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
    .where(HumanTask.instance_id == _INSTANCE_OF_TASK,
           or_(HumanTask.id == bindparam("task_id"), HumanTask.state == TaskState.READY.value))
    .options(lazyload(ProcessInstance.definition))
    .execution_options(populate_existing=True)
)


class Locked(NamedTuple):
    instance: ProcessInstance
    task: HumanTask
    ready: list[HumanTask]  # the instance's ready task rows as they were when the lock was taken


def lock_task(task_id: int) -> Locked:
    """Take the write lock of the task's instance, then read the task and the instance under it.

    Every change to a task (claim, unclaim, reassign, complete, send back) goes through its instance's
    lock, so no two of them interleave: a claim can never slip in between a completion's checks and
    its write, where the completion would overwrite it.
    """
    db.session.execute(_LOCK_INSTANCE_OF_TASK, {"task_id": task_id})
    rows = db.session.execute(_TASK_WITH_INSTANCE, {"task_id": task_id}).all()
    task = next((row_task for row_task, _ in rows if row_task.id == task_id), None)
    if task is None:
        raise NotFound("任务不存在")
    return Locked(rows[0][1], task, [row_task for row_task, _ in rows if row_task.state == TaskState.READY.value])


def lock_visible_task(actor: User, task_id: int) -> Locked:
    """`lock_task` for a task the actor may see; anything else is not found (and the lock rolls back)."""
    locked = lock_task(task_id)
    policy.require(actor, "see_task", locked.task)
    return locked


# -- task rows ----------------------------------------------------------------------------------
def _department_for(scope: str, lane: str | None, instance: ProcessInstance, project: Project | None) -> int | None:
    """The department a new task row is routed to (its queue)."""
    if scope == "competent" and project is not None:
        return project.authority_department.id
    if lane in SECTION_ROUTED_ROLES:
        # Finance work goes to the project department's business section (对口业务科室) only; without one
        # it stays unrouted (NULL), in every section's queue.
        owner = project.department if project is not None else (
            db.session.get(Department, instance.department_id) if instance.department_id else None)
        return owner.business_section_id if owner is not None else None
    return instance.department_id


def sync_human_tasks(instance: ProcessInstance, run: WorkflowRun, project: Project | None, *,
                     new_instance: bool = False, locked: Locked | None = None,
                     holders: dict[str, User] | None = None) -> list[HumanTask]:
    """Make the ready rows of the instance match the engine's ready manual tasks. Returns new rows.

    `locked`: the ready rows read when the instance was locked (nothing else can change them while the
    lock is held), so they need not be read again; rows this transaction has finished since are skipped.
    `holders`: BPMN task id (or "*", any) → the person a new unassigned task of that id goes to (their
    我的待办), if that person may take it; the row is written already claimed (the queue size triggers never count it).
    """
    ready = {t.guid: t for t in run.ready_tasks()}
    if new_instance:
        rows: list[HumanTask] = []
    elif locked is not None:
        rows = [row for row in locked.ready if row.state == TaskState.READY.value]
    else:
        rows = list(db.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY.value)))
    existing = {row.task_guid: row for row in rows}
    moment = now()
    for guid, row in existing.items():
        if guid not in ready:
            row.state = TaskState.CANCELLED.value
            row.completed_at = moment
        elif ready[guid].due_at is not None and row.due_at != ready[guid].due_at:
            # A deadline that has fired leaves the engine; the row keeps it so the task shows as late.
            row.due_at = ready[guid].due_at
    created = []
    hooks = hooks_for(instance.process_key)
    for guid, task in ready.items():
        if guid in existing:
            continue
        row = HumanTask(
            instance_id=instance.id, task_guid=guid, name=task.bpmn_id, title=task.title,
            process_key=instance.process_key, form=task.form, lane=task.lane,
            department_id=_department_for(task.department_scope, task.lane, instance, project),
            project_id=instance.project_id, assignee=task.assignee, state=TaskState.READY.value,
            created_at=moment, due_at=task.due_at or hooks.task_due_at(instance, run, task.bpmn_id),
            distinct_from=task.distinct_from,
        )
        holder = (holders or {}).get(task.bpmn_id) or (holders or {}).get("*")
        if holder is not None and row.assignee is None and _may_hold(holder, row):
            row.claimed_by = holder.username
        db.session.add(row)
        created.append(row)
    if created:
        db.session.flush()
        for row in created:
            notify_task_candidates(row, "new_task", new_task_message(row))
    return created


def _may_hold(user: User, row: HumanTask) -> bool:
    """May the task be put straight into this person's 我的待办? They must be able to take it themselves,
    and the separation of duties must allow it (a task that declares none costs no query)."""
    if not user.active or not policy.may(user, "work_on_task", row):
        return False
    return not row.distinct_from or separation.conflicting_step(row, {user.username}) is None


def _save(instance: ProcessInstance, run: WorkflowRun) -> None:
    try:
        instance.state = run.dump()
    except EngineError as error:
        raise Invalid(f"流程数据无法保存：{error}") from error
    instance.next_timer_at = run.next_timer_at()
    instance.updated_at = now()
    if run.is_completed and instance.status == InstanceStatus.RUNNING.value:
        instance.status = InstanceStatus.COMPLETED.value
        instance.completed_at = instance.updated_at


# -- start --------------------------------------------------------------------------------------
@dataclass
class Started:
    instance: ProcessInstance
    tasks: list[HumanTask]


def start_instance_unlocked(actor: User, key: str, data: dict[str, Any], project: Project | None, *,
                            department_id: int | None = None, starter_holds: bool = True) -> Started:
    """Start an instance inside the caller's transaction (domain services wrap this). `department_id`: the
    department an instance without a project concerns (its department lanes' queue), when not the starter's.
    `starter_holds=False`: the first tasks wait in their queue for whoever takes them (and all its people are
    told), for work the starter hands out rather than does."""
    definition = deployment.latest_definition(key)
    data = check_start_data(data)
    hooks = hooks_for(key)
    hooks.before_start(actor, project, data)
    spec, subprocess_specs = _spec_of(definition.id)
    try:
        run = WorkflowRun.start(spec, subprocess_specs, data, script_engine())
    except EngineError as error:
        raise Invalid(f"流程无法启动：{error}", {"data": [str(error)]}) from error
    instance = ProcessInstance(
        definition_id=definition.id, definition=definition, process_key=key,
        status=InstanceStatus.RUNNING.value, project_id=project.id if project else None,
        department_id=project.department_id if project else (department_id or actor.department_id),
        started_by_id=actor.id, state=b"{}", created_at=now(),
    )
    _save(instance, run)  # before the INSERT: the row is written once, state included
    db.session.add(instance)
    db.session.flush()
    # The first tasks go to the starter when they may take them (the filer who starts a goal review drafts it).
    tasks = sync_human_tasks(instance, run, project, new_instance=True,
                             holders={"*": actor} if starter_holds else None)
    audit.record("start", actor, instance_id=instance.id, object_type="process", object_id=key,
                 after={"version": definition.version, "project_id": instance.project_id})
    hooks.after_step(instance, run, None)
    return Started(instance, tasks)


@transactional
def start_instance(actor: User, key: str, data: dict[str, Any], project_id: int | None = None) -> Started:
    policy.require(actor, "start_process")
    endpoint = registry.get(key).start_endpoint
    if endpoint is not None:
        # The process owns domain rows that only its own start makes (see its module in workflow_app/processes/).
        raise Invalid(f"{key} 须通过 {endpoint} 发起", {"key": [f"请使用 {endpoint}"]})
    project = None
    if project_id is not None:
        project = projects.get_project(actor, project_id)
    return start_instance_unlocked(actor, key, data, project)


def start_many_unlocked(actor: User, key: str, items: list[dict[str, Any]]) -> list[int]:
    """Start one instance per start-data dict inside the caller's transaction (see services.batches)."""
    policy.require(actor, "start_batch")
    if not isinstance(items, list) or not items or len(items) > 1000:
        raise Invalid("items 须为 1–1000 个启动数据", {"items": ["1–1000 个对象"]})
    hooks = hooks_for(key)
    # A process may name the project itself (hooks.batch_project); otherwise the item's `project_id` does.
    return [start_instance_unlocked(actor, key, data, hooks.batch_project(data) or _project_named(data)).instance.id
            for data in items]


def _project_named(data: Any) -> Project | None:
    """A batch item's `project_id` makes the instance that project's (its department's lanes, its page)."""
    value = data.get("project_id") if isinstance(data, dict) else None
    if value is None:
        return None
    project = db.session.get(Project, value) if isinstance(value, int) and not isinstance(value, bool) else None
    if project is None:
        raise Invalid("项目不存在", {"project_id": [f"项目 {value} 不存在"]})
    return project


# -- tasks --------------------------------------------------------------------------------------
def visible_task(actor: User, task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    policy.require(actor, "see_task", task)
    return task


def check_may_act(actor: User, task: HumanTask) -> None:
    """Raise the right error if the actor may not work on the task now."""
    if task.state != TaskState.READY.value:
        raise Conflict("任务已经办结，不能再处理")
    policy.require(actor, "work_on_task", task)
    if task.claimed_by and task.claimed_by != actor.username and policy.acting_for(actor, task) is None:
        raise Conflict(f"任务已被 {task.claimed_by} 认领")
    separation.check_actor(actor, task)


def build_task_form(task: HumanTask, project: Project | None, *, json: dict | None = None, formdata=None):
    hooks = hooks_for(task.process_key)
    context = hooks.form_context(task, project)
    try:
        if json is not None:
            return forms.build_from_json(task.form, json, **context)
        if formdata is None and task.state == TaskState.READY.value:
            initial = hooks.initial_data(task, project)
            if initial:
                context["data"] = initial
        return forms.build_from_request(task.form, formdata, **context)
    except forms.UnknownForm as error:
        raise Invalid(f"任务表单 {task.form} 不存在，请联系管理员") from error


@dataclass
class Completed:
    instance: ProcessInstance
    task: HumanTask
    next_tasks: list[HumanTask]


@transactional
def complete_task(actor: User, task_id: int, *, json: dict | None = None, formdata=None) -> Completed:
    # Locked first, read once: the checks, the form and the engine all see the task as it is under the lock.
    locked = lock_visible_task(actor, task_id)
    instance, task = locked.instance, locked.task
    check_may_act(actor, task)
    if instance.status != InstanceStatus.RUNNING.value:
        raise Conflict("流程已经结束")
    # Through the relationship, so the task keeps the project alive for the response (task rows that
    # the completion creates find it in the session instead of reading it again).
    project = task.project
    form = build_task_form(task, project, json=json if json is not None else None, formdata=formdata)
    if json is not None and not isinstance(json, dict):
        raise Invalid("data 必须是对象", {"data": ["必须是 JSON 对象"]})
    if not form.validate():
        raise Invalid("提交的数据有误", form.field_errors())

    completion = Completion(actor=actor, on_behalf_of=policy.acting_for(actor, task), task=task, instance=instance, project=project,
                            form=form, task_data=form.to_task_data())
    hooks = hooks_for(instance.process_key)
    hooks.before_complete(completion)

    run = load_run(instance)
    try:
        run.complete(task.task_guid, completion.task_data)
    except TaskNotReady as error:
        raise Conflict("任务已经办结，不能再处理") from error
    except EngineError as error:
        raise Invalid(f"流程无法继续：{error}") from error

    moment = now()
    task.state = TaskState.COMPLETED.value
    task.completed_at = moment
    task.completed_by = actor.username
    task.claimed_by = task.claimed_by or completion.on_behalf_of or actor.username
    task.on_behalf_of = completion.on_behalf_of
    _save(instance, run)
    created = sync_human_tasks(instance, run, project, locked=locked)
    opinion = completion.opinion
    if opinion is None and "opinion" in form._fields:
        opinion = form.opinion.data
    audit.record("complete", actor, on_behalf_of=completion.on_behalf_of, instance_id=instance.id,
                 task_id=task.id, task_name=task.name, opinion=opinion or None,
                 after=_jsonable(completion.task_data))
    hooks.after_step(instance, run, completion)
    return Completed(instance, task, created)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): fix(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [fix(v) for v in value]
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return str(value)
    return fix(data)


@transactional
def claim_task(actor: User, task_id: int) -> HumanTask:
    task = visible_task(actor, task_id)
    if task.state != TaskState.READY.value:
        raise Conflict("任务已经办结")
    policy.require(actor, "work_on_task", task, "您没有认领此任务的权限")
    separation.check_actor(actor, task)
    if task.claimed_by == actor.username or task.assignee == actor.username:
        return task
    task = lock_task(task.id).task
    if task.state != TaskState.READY.value:
        raise Conflict("任务已经办结")
    if task.claimed_by is not None and task.claimed_by != actor.username:
        raise Conflict("任务已被他人认领")
    task.claimed_by = actor.username
    audit.record("claim", actor, instance_id=task.instance_id, task_id=task.id, task_name=task.name)
    return task


@transactional
def unclaim_task(actor: User, task_id: int) -> HumanTask:
    task = lock_visible_task(actor, task_id).task
    if task.state != TaskState.READY.value:
        raise Conflict("任务已经办结")
    if task.claimed_by is None:
        return task
    policy.require(actor, "unclaim", task)  # ready and held: the holder, or the bureau-wide roles
    before = task.claimed_by
    task.claimed_by = None
    audit.record("unclaim", actor, instance_id=task.instance_id, task_id=task.id, task_name=task.name,
                 before={"claimed_by": before})
    return task


# -- timers -------------------------------------------------------------------------------------
def due_instance_ids(moment: datetime) -> list[int]:
    return list(db.session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.status == InstanceStatus.RUNNING.value,
                                         ProcessInstance.next_timer_at <= moment)
        .order_by(ProcessInstance.next_timer_at)))


@transactional
def fire_instance_timers(instance_id: int, moment: datetime) -> int:
    """Fire the due timers of one instance. Safe to run twice: the second run finds nothing due."""
    instance = lock_instance(instance_id)
    if (instance.status != InstanceStatus.RUNNING.value or instance.next_timer_at is None
            or instance.next_timer_at > moment):
        return 0
    project = db.session.get(Project, instance.project_id) if instance.project_id else None
    with frozen_at(moment):
        run = load_run(instance)
        try:
            fired = run.fire_due_timers()
        except EngineError as error:
            instance.status = InstanceStatus.ERROR.value
            audit.record("error", None, instance_id=instance.id, opinion=str(error))
            return 0
        _save(instance, run)
        sync_human_tasks(instance, run, project)
    for timer in fired:
        audit.record("timer", None, instance_id=instance.id, task_name=timer.attached_to or timer.event_id,
                     object_type="timer", object_id=timer.event_id, after={"at": moment.isoformat()})
    _mark_overdue(instance, fired, moment)
    hooks = hooks_for(instance.process_key)
    hooks.on_timers(instance, fired)
    hooks.after_step(instance, run, None)
    return len(fired)


def _mark_overdue(instance: ProcessInstance, fired, moment: datetime) -> None:
    """A non-interrupting deadline timer reminds whoever holds (or may take) the task."""
    for timer in fired:
        if timer.interrupting or not timer.attached_guid:
            continue
        rows = db.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY.value,
            HumanTask.overdue_notified_at.is_(None))).all()
        for row in rows:
            # The timer hangs on the task itself or on the multi-instance task holding it.
            if row.task_guid == timer.attached_guid or row.name == timer.attached_to:
                row.overdue_notified_at = moment
                notify_task_candidates(row, "overdue", overdue_message(row))


def fire_due_timers(moment: datetime | None = None) -> int:
    moment = moment or now()
    fired = 0
    for instance_id in due_instance_ids(moment):
        fired += fire_instance_timers(instance_id, moment)
    return fired
