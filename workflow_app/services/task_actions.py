"""What people do to tasks besides completing them: send back (退回), withdraw (撤回), reassign, urge (催办)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..engine import EngineError, TaskNotReady, now
from ..extensions import db
from ..labels import role_label
from ..models import HumanTask, InstanceStatus, Project, TaskState, User
from ..models.org import DEPARTMENT_SCOPED_ROLES, SECTION_ROUTED_ROLES
from . import audit, notifications, policy, separation
from .errors import Conflict, Forbidden, Invalid, NotFound
from .instances import check_may_act, load_run, lock_instance, lock_task, sync_human_tasks, visible_task, _save
from .notifications import notify, notify_task_candidates, task_candidates
from .transaction import transactional


def _text(value: object, field: str, required: bool = True, limit: int = 2000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise Invalid(f"{field} 必填（不超过{limit}字）", {field: [f"必填，不超过{limit}字"]})
    return value.strip()


@dataclass
class Moved:
    instance_id: int
    process: str
    status: str
    ready: list[HumanTask]


@transactional
def send_back(actor: User, task_id: int, to: object, reason: object) -> Moved:
    """A reviewer sends the instance back to an earlier user task; the current task is cancelled."""
    task = visible_task(actor, task_id)
    check_may_act(actor, task)
    reason_text = _text(reason, "reason")
    if not isinstance(to, str) or to == task.name:
        raise Invalid("只能退回到本流程中已办理过的前序任务", {"to": ["不是本流程已办理的前序任务"]})
    earlier = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.name == to,
        HumanTask.state == TaskState.COMPLETED.value))
    if not earlier:
        raise Invalid("只能退回到本流程中已办理过的前序任务", {"to": ["不是本流程已办理的前序任务"]})
    locked = lock_task(task.id)
    instance, task = locked.instance, locked.task
    check_may_act(actor, task)
    run = load_run(instance)
    guid = run.latest_completed(to)
    if guid is None:
        raise Invalid("只能退回到本流程中已办理过的前序任务", {"to": ["不是本流程已办理的前序任务"]})
    try:
        run.reset_to(guid)
    except (TaskNotReady, EngineError) as error:
        raise Conflict(f"无法退回：{error}") from error
    project = db.session.get(Project, instance.project_id) if instance.project_id else None
    _save(instance, run)
    # The task comes back to whoever last did it (into their 我的待办), when they still may take it.
    last = _last_completer(instance.id, to)
    created = sync_human_tasks(instance, run, project, locked=locked, holders={to: last} if last else None)
    audit.record("send_back", actor, on_behalf_of=policy.acting_for(actor, task), instance_id=instance.id,
                 task_id=task.id, task_name=task.name, opinion=reason_text, after={"to": to})
    for row in created:
        notify_task_candidates(row, "send_back", notifications.sent_back_message(row, reason_text))
    return Moved(instance.id, instance.process_key, instance.status, created)


def _last_completer(instance_id: int, name: str) -> User | None:
    """Who answers for the latest completion of the task: the person it was done for by a stand-in, else
    whoever did it."""
    row = db.session.execute(select(HumanTask.completed_by, HumanTask.on_behalf_of).where(
        HumanTask.instance_id == instance_id, HumanTask.name == name, HumanTask.state == TaskState.COMPLETED.value)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)).first()
    username = row and (row.on_behalf_of or row.completed_by)
    return db.session.scalars(select(User).where(User.username == username)).first() if username else None


@transactional
def withdraw(actor: User, instance_id: int, reason: object) -> Moved:
    """Whoever completed a task pulls it back while what followed is neither claimed nor done."""
    reason_text = _text(reason, "reason", required=False)
    instance = lock_instance(instance_id)
    project = db.session.get(Project, instance.project_id) if instance.project_id else None
    policy.require(actor, "withdraw", instance)
    mine = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.COMPLETED.value,
        HumanTask.completed_by == actor.username).order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .limit(1)).first()
    if mine is None:
        raise Conflict("您在此流程中没有可撤回的办理")
    if instance.status != InstanceStatus.RUNNING.value:
        raise Conflict("流程已经结束，不能撤回")
    later_done = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.id != mine.id,
        HumanTask.state == TaskState.COMPLETED.value, HumanTask.completed_at >= mine.completed_at))
    taken = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY.value,
        HumanTask.created_at >= mine.completed_at, HumanTask.claimed_by.is_not(None)))
    if later_done or taken:
        raise Conflict("后续任务已被认领或办理，不能撤回")
    run = load_run(instance)
    try:
        run.reset_to(mine.task_guid)
    except (TaskNotReady, EngineError) as error:
        raise Conflict(f"无法撤回：{error}") from error
    _save(instance, run)
    created = sync_human_tasks(instance, run, project)
    for row in created:
        if row.task_guid == mine.task_guid and row.assignee is None:
            row.claimed_by = actor.username  # the task comes back to whoever withdrew it
    audit.record("withdraw", actor, instance_id=instance.id, task_id=mine.id, task_name=mine.name,
                 opinion=reason_text or None)
    return Moved(instance.id, instance.process_key, instance.status, created)


def lane_people(lane: str | None, department_id: int | None) -> list[User]:
    """Active users who hold a lane's role, inside the given department for the department lanes (a
    department lane without a department has nobody). Ordered for a picker: by department, then name."""
    if not lane or (lane in DEPARTMENT_SCOPED_ROLES and department_id is None):
        return []
    query = select(User).where(User.active.is_(True), User.holding(lane))
    if lane in DEPARTMENT_SCOPED_ROLES:
        query = query.where(User.department_id == department_id)
    people = list(db.session.scalars(query))
    return sorted(people, key=lambda u: (u.department.name if u.department else "", u.name, u.username))


def reassign_candidates(task: HumanTask) -> list[User]:
    """The 转办 picker of a task, and the one rule `reassign` accepts a target by: active holders of the
    task's lane role (in the task's department for the department lanes; for a task named to one expert,
    the other experts), the current holder excepted. Further rules (separation of duties) belong here."""
    holder = task.assignee or task.claimed_by
    barred = set(separation.excluded_people(task))  # 四眼原则: who did a step this task checks
    return [u for u in lane_people(task.lane, task.department_id) if u.username != holder and u.username not in barred]


def _reassign_one(actor: User, task: HumanTask, target: User) -> None:
    if task.state != TaskState.READY.value:
        raise Conflict("任务已经办结")
    if task.lane and not policy.holds_lane(target, task.lane):
        role = role_label(task.lane)  # people read the role's name, never its code
        raise Invalid(f"{target.name} 没有“{role}”角色", {"username": [f"不具备该任务的角色（{role}）"]})
    if task.lane in DEPARTMENT_SCOPED_ROLES and target.department_id != task.department_id:
        raise Invalid(f"{target.name} 不属于任务所在部门", {"username": ["不属于任务所在部门"]})
    separation.check_target(target, task)  # before the list check: its message says why
    if all(u.id != target.id for u in reassign_candidates(task)):
        raise Invalid(f"{target.name} 不能承办此任务", {"username": ["不在可转办人员中"]})
    before = {"assignee": task.assignee, "claimed_by": task.claimed_by}
    if task.assignee:
        task.assignee = target.username   # a named task (an expert's review) changes hands
    else:
        task.claimed_by = target.username
        if task.lane in SECTION_ROUTED_ROLES:
            # Handed to a person of another business section: the task is that section's from now on
            # (given back, it waits in their section's queue), so its new holder remains a candidate.
            task.department_id = target.department_id
    audit.record("reassign", actor, instance_id=task.instance_id, task_id=task.id, task_name=task.name,
                 before=before, after={"to": target.username})
    notify([target], "reassigned", notifications.reassigned_message(task, actor), instance_id=task.instance_id,
           task_id=task.id)


def _user(username: object) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first() \
        if isinstance(username, str) else None
    if user is None or not user.active:
        raise Invalid("用户不存在", {"username": ["用户不存在"]})
    return user


@transactional
def reassign(actor: User, task_id: int, username: object) -> HumanTask:
    task = visible_task(actor, task_id)
    policy.require(actor, "reassign")  # the task's state is checked under its lock, as a conflict
    target = _user(username)
    task = lock_task(task.id).task
    _reassign_one(actor, task, target)
    return task


def bulk(actor: User, action: object, ids: object, username: object = None) -> dict[int, dict[str, object]]:
    """Claim or reassign several tasks; each is its own unit of work, and each gets its own answer."""
    from .instances import claim_task
    if action not in ("claim", "reassign"):
        raise Invalid("action 只能是 claim 或 reassign", {"action": ["claim|reassign"]})
    if not isinstance(ids, list) or not ids or len(ids) > 200 or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in ids):
        raise Invalid("ids 须为 1–200 个任务编号", {"ids": ["1–200 个整数"]})
    if action == "reassign":
        policy.require(actor, "reassign")
        _user(username)
    results: dict[int, dict[str, object]] = {}
    for task_id in ids:
        try:
            if action == "claim":
                claim_task(actor, task_id)
            else:
                reassign(actor, task_id, username)
            results[task_id] = {"status": 200}
        except (NotFound, Forbidden, Conflict, Invalid) as error:
            results[task_id] = {"status": error.status, "message": error.message}
    return results


@transactional
def urge(actor: User, task_id: int, message: object) -> int:
    task = visible_task(actor, task_id)
    policy.require(actor, "urge")  # whether the task still waits is a conflict, checked below
    text = _text(message, "message", required=False, limit=500) or "请尽快办理"
    if task.state != TaskState.READY.value:
        raise Conflict("任务已经办结")
    people = task_candidates(task)
    notify(people, "urge", notifications.urge_message(task, text), instance_id=task.instance_id, task_id=task.id)
    audit.record("urge", actor, instance_id=task.instance_id, task_id=task.id, task_name=task.name, opinion=text,
                 after={"at": now().isoformat(), "to": [u.username for u in people]})
    return len(people)
