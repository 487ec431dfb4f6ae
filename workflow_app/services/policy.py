"""Who may see, claim and complete what. Pages, API and templates all ask here; nothing else decides.

Everything outside this module asks by name: `may(actor, "reassign", task)` for a yes or no (what a page
offers), `require(actor, "reassign", task)` to refuse with the permission's own error (NotFound for what the
actor may not even see, so nothing of another department leaks; Forbidden for a visible thing they may not
do). The names are in PERMISSIONS at the end of this module. State checks (a task already done, held by
someone else) stay with the services: they are conflicts, not permissions.

Rules:
- A task's candidates hold its lane's role; for the department lanes (filer, head) they must also be
  in the task's department; a task with a fixed assignee (an expert's review) has only that candidate.
- The performance section and admins oversee every process; they see everything.
- Others see a task if they are a candidate, hold or did it, or it belongs to their department.
- Another department's thing is reported as not found; a visible thing one may not do is forbidden.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, exists, false, literal_column, or_, select, true

from ..models import Attachment, HumanTask, ProcessInstance, Project, TaskState, User
from ..models.org import BUREAU_WIDE_ROLES, DEPARTMENT_SCOPED_ROLES, SECTION_ROUTED_ROLES, Role
from ..processes import registry
from .errors import Forbidden, NotFound

# Roles that may read every project in the library (they review or supervise across departments).
PROJECT_READERS = BUREAU_WIDE_ROLES | {Role.FINANCE_BUSINESS.value, Role.SUPERVISOR.value}


def is_bureau_wide(user: User) -> bool:
    return user.has_role(*BUREAU_WIDE_ROLES)


# -- tasks --------------------------------------------------------------------------------------
# 'ready' written into the SQL rather than bound: a partial index (WHERE state = 'ready' ...) can only
# serve a query whose condition is visibly the same, and a bound or server-prepared parameter is not.
READY = literal_column("'ready'")


def acting_for(user: User, task: HumanTask) -> str | None:
    """The absent user whose held task this stand-in may work on today, if any."""
    owner = task.owner
    if not owner or owner == user.username:
        return None
    from .standins import represented_by  # local: standins imports the models, policy stays light
    return owner if owner in represented_by(user)[1:] else None


def holds_lane(user: User, lane: str | None) -> bool:
    """BPMN lanes are named after roles: a lane's people are those holding its role (where the task's
    department does not matter, e.g. whom a task may be reassigned to before the department is checked)."""
    return lane is not None and user.has_role(lane)


def is_candidate(user: User, task: HumanTask) -> bool:
    """May this user work on the task (claim it, complete it) if nobody else holds it?"""
    if task.assignee:
        return task.assignee == user.username or acting_for(user, task) is not None
    if not holds_lane(user, task.lane):
        return False
    if task.lane in DEPARTMENT_SCOPED_ROLES:
        return user.department_id is not None and task.department_id == user.department_id
    if task.lane in SECTION_ROUTED_ROLES:
        # Routed to a business section (对口业务科室): that section's; unrouted: every section's.
        return task.department_id is None or task.department_id == user.department_id
    return True


def may_act(user: User, task: HumanTask) -> bool:
    """May this user work on the task now (fill in its form, submit it, send it back)? The boolean form of
    `instances.check_may_act`: ready, a candidate, and not held by someone else (unless standing in for them).
    A page shows the form and its buttons only when this holds; everyone else who may see the task gets it
    read-only."""
    if task.state != TaskState.READY.value or not is_candidate(user, task):
        return False
    if task.claimed_by and task.claimed_by != user.username and acting_for(user, task) is None:
        return False
    return not _barred(user, task)


def _barred(user: User, task: HumanTask) -> bool:
    """四眼原则 (services/separation.py): the user (or whoever they stand in for) did a step this task checks."""
    if not task.distinct_from:
        return False
    from . import separation  # local: separation reads task rows through the session
    return separation.conflicting_step(task, separation.people_of(user, task)) is not None


def may_claim(user: User, task: HumanTask) -> bool:
    """An unheld group task (no named assignee) one may take."""
    return (task.state == TaskState.READY.value and not task.claimed_by and not task.assignee
            and is_candidate(user, task) and not _barred(user, task))


def may_unclaim(user: User, task: HumanTask) -> bool:
    """The holder gives a claimed task back; the performance section and admins may free anyone's."""
    return (task.state == TaskState.READY.value and task.claimed_by is not None
            and (task.claimed_by == user.username or is_bureau_wide(user)))


def may_reassign(user: User, task: HumanTask | None = None) -> bool:
    """转办: the performance section and admins, on a ready task (None: may they reassign at all)."""
    if task is not None and task.state != TaskState.READY.value:
        return False
    return user.has_role(Role.PERFORMANCE_SECTION.value, Role.ADMIN.value)


def may_urge(user: User, task: HumanTask) -> bool:
    """催办: the performance section, on a ready task."""
    return task.state == TaskState.READY.value and user.has_role(Role.PERFORMANCE_SECTION.value)


def can_see_task(user: User, task: HumanTask) -> bool:
    if is_bureau_wide(user) or is_candidate(user, task) or acting_for(user, task):
        return True
    process = registry.get(task.process_key)
    if process.task_readers and user.has_role(*process.task_readers):
        return True  # roles that follow every step of the process, e.g. supervisors (they may act on few)
    if user.username in (task.claimed_by, task.completed_by, task.assignee):
        return True
    if task.name in process.anonymous_tasks:
        # Its performer is anonymous outside the bureau-wide roles (services/anonymity.py): an expert's review
        # page would name the expert (and show his opinion), whatever department the row carries.
        return False
    if user.department_id is None:
        return False
    if task.lane in SECTION_ROUTED_ROLES:
        # Routed to a finance section, the task still concerns the department that owns the instance.
        return task.instance.department_id == user.department_id
    return task.department_id == user.department_id


def candidate_clause(user: User) -> ColumnElement[bool]:
    """SQL form of `is_candidate` for unassigned tasks (the group queue)."""
    return candidate_clause_for(tuple(user.roles), user.department_id)


# A lane's departments in `group_lanes`: None, every department's tasks (a bureau-wide lane); an id, that
# department's; a tuple, tasks of the department in it or of none (a section-routed lane: its section's
# tasks and those of departments without a section).
LaneDepartments = int | tuple[int | None, ...] | None


def group_lanes(roles: tuple[str, ...], department_id: int | None) -> tuple[tuple[str, LaneDepartments], ...]:
    """The lanes whose unassigned tasks someone with these roles in this department may take, as
    (lane, departments) pairs (see LaneDepartments). A department lane needs a department: without one
    it gives nothing."""
    lanes: list[tuple[str, LaneDepartments]] = []
    for role in roles:
        if role in DEPARTMENT_SCOPED_ROLES:
            if department_id is not None:
                lanes.append((role, department_id))
        elif role in SECTION_ROUTED_ROLES:
            lanes.append((role, (None,) if department_id is None else (department_id, None)))
        else:
            lanes.append((role, None))
    return tuple(lanes)


def _department_term(department: Any, departments: LaneDepartments) -> ColumnElement[bool]:
    if isinstance(departments, tuple):
        ids = [d for d in departments if d is not None]
        terms = [department == d for d in ids] + ([department.is_(None)] if None in departments else [])
        return or_(*terms)
    return department == departments


def lane_clause(lanes: tuple[tuple[str, LaneDepartments], ...], lane: Any, department: Any) -> ColumnElement[bool]:
    """`group_lanes` as a condition on a table's lane and department columns."""
    terms = [lane == name if dept is None else and_(lane == name, _department_term(department, dept))
             for name, dept in lanes]
    return or_(*terms) if terms else false()


def candidate_clause_for(roles: tuple[str, ...], department_id: int | None) -> ColumnElement[bool]:
    """`candidate_clause` from the only two things it depends on (so a statement can be built once per pair)."""
    lanes = lane_clause(group_lanes(roles, department_id), HumanTask.lane, HumanTask.department_id)
    return and_(HumanTask.assignee.is_(None), lanes)


def held_clauses(names: list[str] | BindParameter[Any]) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """"Mine": ready tasks held by any of `names` (the user, and whoever the user stands in for today;
    a list, or an expanding bound parameter for a statement built once).

    Returned as two disjoint conditions, tasks assigned by name and unassigned tasks claimed, because
    each is one range of its own index, in due order; written as one OR the databases scan every
    ready task instead.
    """
    return (and_(HumanTask.assignee.in_(names), HumanTask.state == READY),
            and_(HumanTask.claimed_by.in_(names), HumanTask.state == READY, HumanTask.assignee.is_(None)))


def group_clause_for(roles: tuple[str, ...], department_id: int | None) -> ColumnElement[bool]:
    """The group queue of someone with these roles in this department: ready, unheld, theirs to take."""
    return and_(HumanTask.state == READY, HumanTask.claimed_by.is_(None), candidate_clause_for(roles, department_id))


def done_clause(user: User) -> ColumnElement[bool]:
    return and_(HumanTask.state == TaskState.COMPLETED.value, HumanTask.completed_by == user.username)


# -- instances ----------------------------------------------------------------------------------
def can_see_instance(user: User, instance: ProcessInstance, project: Project | None) -> bool:
    if is_bureau_wide(user) or instance.started_by_id == user.id:
        return True
    readers = registry.get(instance.process_key).instance_readers
    if readers and user.has_role(*readers):
        return True  # roles that follow every instance of the process, whichever department it concerns
    if user.department_id is not None:
        if instance.department_id == user.department_id:
            return True
        if project is not None and project.competent_department_id == user.department_id:
            return True
    # A participant: someone who holds, held or may take one of its tasks.
    from ..extensions import db  # local import keeps the policy importable without an app
    participated = db.session.scalar(
        select(exists().where(
            HumanTask.instance_id == instance.id,
            or_(
                HumanTask.assignee == user.username,
                HumanTask.claimed_by == user.username,
                HumanTask.completed_by == user.username,
                candidate_clause(user),
            ),
        ))
    )
    return bool(participated)


def can_see_instance_data(user: User) -> bool:
    return is_bureau_wide(user)


def can_start_any_process(user: User) -> bool:
    return is_bureau_wide(user)


# -- projects -----------------------------------------------------------------------------------
def can_see_project(user: User, project: Project) -> bool:
    if user.has_role(*PROJECT_READERS):
        return True
    if user.department_id is not None and user.department_id in (project.department_id, project.competent_department_id):
        return True
    if user.has_role(Role.EXPERT.value):
        from ..extensions import db
        return bool(db.session.scalar(select(exists().where(
            HumanTask.project_id == project.id, HumanTask.assignee == user.username))))
    return False


def visible_projects_clause(user: User) -> ColumnElement[bool]:
    if user.has_role(*PROJECT_READERS):
        return true()
    terms = []
    if user.department_id is not None:
        terms += [Project.department_id == user.department_id, Project.competent_department_id == user.department_id]
    if user.has_role(Role.EXPERT.value):
        terms.append(Project.id.in_(select(HumanTask.project_id).where(HumanTask.assignee == user.username)))
    return or_(*terms) if terms else false()


def can_create_project(user: User, department_id: int) -> bool:
    if is_bureau_wide(user):
        return True
    return user.has_role(Role.DEPARTMENT_FILER.value) and user.department_id == department_id


# == Named permissions ============================================================================
# The one table of what an actor may do. Each entry is a rule (actor, object) -> bool, the error `require`
# raises when it does not hold, and that error's default message. Rules above stay the building blocks;
# the names below are what services, views and templates use. A process module adds its own permissions
# with `define` (see the process permissions at the end).

@dataclass(frozen=True)
class Permission:
    name: str
    rule: Callable[[User, Any], bool]
    refusal: type[NotFound] | type[Forbidden]   # NotFound: the actor may not know the thing exists
    message: str


PERMISSIONS: dict[str, Permission] = {}


def define(name: str, refusal: type[NotFound] | type[Forbidden], message: str
           ) -> Callable[[Callable[[User, Any], bool]], Callable[[User, Any], bool]]:
    """Register the decorated rule as permission `name` (each name once: two rules for one name is a bug)."""
    def register(rule: Callable[[User, Any], bool]) -> Callable[[User, Any], bool]:
        if name in PERMISSIONS:
            raise ValueError(f"permission {name!r} is defined twice")
        PERMISSIONS[name] = Permission(name, rule, refusal, message)
        return rule
    return register


def may(actor: User | None, permission: str, obj: Any = None) -> bool:
    """Whether the actor has the named permission (on `obj`, for the permissions about one thing).
    An anonymous visitor (a template before login) has none. An unknown name is a programming error."""
    try:
        rule = PERMISSIONS[permission].rule
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return rule(actor, obj)


def require(actor: User, permission: str, obj: Any = None, message: str | None = None) -> None:
    """`may`, or the permission's refusal (NotFound or Forbidden) with its message or the caller's own."""
    if not may(actor, permission, obj):
        entry = PERMISSIONS[permission]
        raise entry.refusal(message or entry.message)


# -- tasks (obj: a HumanTask) --------------------------------------------------------------------
@define("see_task", NotFound, "任务不存在")
def _see_task(user: User, task: HumanTask) -> bool:
    return can_see_task(user, task)


@define("work_on_task", Forbidden, "您没有处理此任务的权限")
def _work_on_task(user: User, task: HumanTask) -> bool:
    """A candidate: may claim and complete the task when nobody else holds it (whatever its state)."""
    return is_candidate(user, task)


@define("complete", Forbidden, "您没有处理此任务的权限")
def _complete(user: User, task: HumanTask) -> bool:
    return may_act(user, task)


@define("send_back", Forbidden, "您没有处理此任务的权限")
def _send_back(user: User, task: HumanTask) -> bool:
    return may_act(user, task)  # 退回 is a reviewer's answer to the task: whoever may complete it


@define("claim", Forbidden, "您没有认领此任务的权限")
def _claim(user: User, task: HumanTask) -> bool:
    return may_claim(user, task)


@define("unclaim", Forbidden, "只能退回自己认领的任务")
def _unclaim(user: User, task: HumanTask) -> bool:
    return may_unclaim(user, task)


@define("reassign", Forbidden, "只有绩效科和管理员可以转办")
def _reassign(user: User, task: HumanTask | None) -> bool:
    """转办; without a task: may the actor reassign at all (the inbox's bulk 转办)."""
    return may_reassign(user, task)


@define("urge", Forbidden, "只有绩效科可以催办")
def _urge(user: User, task: HumanTask | None) -> bool:
    """催办; without a task: may the actor urge at all (the service then says whether the task still waits)."""
    return may_urge(user, task) if task is not None else user.has_role(Role.PERFORMANCE_SECTION.value)


# -- instances (obj: a ProcessInstance) ----------------------------------------------------------
def _project_of(instance: ProcessInstance) -> Project | None:
    from ..extensions import db
    # The callers have the project in the session already: this is an identity-map hit, not a query.
    return db.session.get(Project, instance.project_id) if instance.project_id else None


@define("see_instance", NotFound, "流程实例不存在")
def _see_instance(user: User, instance: ProcessInstance) -> bool:
    return can_see_instance(user, instance, _project_of(instance))


@define("see_instance_data", Forbidden, "只有绩效科和管理员可以查看流程数据")
def _see_instance_data(user: User, _obj: None) -> bool:
    return can_see_instance_data(user)


@define("withdraw", NotFound, "流程实例不存在")
def _withdraw(user: User, instance: ProcessInstance) -> bool:
    """撤回: on an instance one may see (whether one did a step that can still be pulled back is the service's)."""
    return can_see_instance(user, instance, _project_of(instance))


@define("comment", NotFound, "流程实例不存在")
def _comment(user: User, instance: ProcessInstance) -> bool:
    return can_see_instance(user, instance, _project_of(instance))


@define("download_attachment", NotFound, "附件不存在")
def _download_attachment(user: User, attachment: Attachment) -> bool:
    """Its uploader, or whoever may see the instance it belongs to."""
    if attachment.uploaded_by == user.username:
        return True
    if attachment.instance_id is None:
        return False
    from ..extensions import db
    instance = db.session.get(ProcessInstance, attachment.instance_id)
    return instance is not None and can_see_instance(user, instance, _project_of(instance))


@define("see_expert_names", Forbidden, "只有绩效科和管理员可以查看专家姓名")
def _see_expert_names(user: User, _obj: None) -> bool:
    """Anonymous reviewers by name (services/anonymity.py): who draws and manages the experts."""
    return is_bureau_wide(user)


@define("read_independent_reviews", Forbidden, "只有绩效科和管理员可以查看各方独立评审意见")
def _read_independent_reviews(user: User, _obj: None) -> bool:
    """Another reviewer's opinion in an independent review (services/history.py)."""
    return is_bureau_wide(user)


@define("start_process", Forbidden, "只有绩效科和管理员可以直接启动流程")
def _start_process(user: User, _obj: None) -> bool:
    return can_start_any_process(user)


@define("start_batch", Forbidden, "只有绩效科和管理员可以批量启动流程")
def _start_batch(user: User, _obj: None) -> bool:
    return can_start_any_process(user)


# -- projects (obj: a Project) -------------------------------------------------------------------
@define("see_project", NotFound, "项目不存在")
def _see_project(user: User, project: Project) -> bool:
    return can_see_project(user, project)


@define("create_project", Forbidden, "只能为本部门创建项目")
def _create_project(user: User, department_id: int) -> bool:
    """obj: the id of the department the project is for."""
    return can_create_project(user, department_id)


# -- pages ---------------------------------------------------------------------------------------
@define("see_dashboard", NotFound, "页面不存在")
def _see_dashboard(user: User, _obj: None) -> bool:
    """The statistics are the performance section's (and the admins'); to anyone else they do not exist."""
    return is_bureau_wide(user)


# -- evaluation results (结果应用, services/result_application.py) ------------------------------------------------
@define("see_evaluation_ranking", Forbidden, "部门绩效评价排名只有财政局可以查看")
def _see_evaluation_ranking(user: User, _obj: None) -> bool:
    """The departments' ranking compares departments: the bureau's (the departments see their own results)."""
    return user.has_role(*PROJECT_READERS)


@define("set_reduce_amount", Forbidden, "只有绩效科可以核定核减金额")
def _set_reduce_amount(user: User, _obj: None) -> bool:
    return is_bureau_wide(user)
# -- disclosure (信息公开) and the 人大 package (obj: a PublishableDocument, or None) -------------------------
@define("see_publications", Forbidden, "只有绩效科、各部门和监督人员可以查看公开情况")
def _see_publications(user: User, _obj: None) -> bool:
    """The list of publishable documents: the bureau and readers of every project see all of them, a
    department its own."""
    return user.has_role(*PROJECT_READERS) or (
        user.department_id is not None and user.has_role(*DEPARTMENT_SCOPED_ROLES))


@define("see_publication", NotFound, "文件不存在")
def _see_publication(user: User, document: Any) -> bool:
    return user.has_role(*PROJECT_READERS) or (
        user.department_id is not None and user.department_id == document.department_id)


@define("decide_publication", Forbidden, "只有本部门和绩效科可以决定是否公开")
def _decide_publication(user: User, document: Any) -> bool:
    """是否公开 is decided by the document's department (it publishes with its budget) or the performance section."""
    return is_bureau_wide(user) or (user.has_role(*DEPARTMENT_SCOPED_ROLES)
                                    and user.department_id == document.department_id)


@define("build_npc_package", Forbidden, "只有绩效科和管理员可以生成报送人大材料包")
def _build_npc_package(user: User, _obj: None) -> bool:
    return is_bureau_wide(user)


@define("see_npc_package", Forbidden, "只有绩效科、管理员和监督人员可以查看报送人大材料包")
def _see_npc_package(user: User, _obj: None) -> bool:
    """人大预工委 is among the supervisors (DOMAIN.md): they read what is sent to them."""
    return is_bureau_wide(user) or user.has_role(Role.SUPERVISOR.value)


# -- budget execution (services/execution.py) ------------------------------------------------------
@define("import_payments", Forbidden, "只有绩效科、财政业务科室和管理员可以导入支付数据")
def _import_payments(user: User, _obj: None) -> bool:
    """The payment system's export is the bureau's data: the performance section and the business sections
    (who follow their departments' spending) load it; departments read their own projects' execution."""
    return user.has_role(*BUREAU_WIDE_ROLES, Role.FINANCE_BUSINESS.value)
