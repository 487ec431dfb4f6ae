"""Notifications to people: stored in-app, and mailed by a background job when SMTP is configured."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, insert, literal, select

from ..extensions import db
from ..models import HumanTask, Notification, User
from ..models.org import DEPARTMENT_SCOPED_ROLES, SECTION_ROUTED_ROLES
from ..models.types import UTCDateTime, utcnow
from .mail import queue_mail_for  # the mail job is queued after the commit, run in the background


# -- what a notification says ---------------------------------------------------------------------
# Every message names what happened first, then the task and the project ("被退回：专家评审 · 就业技能培训：理由…"),
# so the list and the mail subject read on their own. The texts are stored (and mailed) as they are: Chinese,
# like the rest of the domain data. Only 转办 names who acted (the performance section): a message about an expert's
# review must not tell the department who the expert is (services/anonymity.py).
def task_subject(task: HumanTask) -> str:
    """"<task> · <project>" (just the task where it has no project)."""
    project = task.project
    return f"{task.title} · {project.name}" if project is not None else task.title


def new_task_message(task: HumanTask) -> str:
    return f"新待办：{task_subject(task)}"


def sent_back_message(task: HumanTask, reason: str) -> str:
    return f"被退回：{task_subject(task)}：{reason}"


def overdue_message(task: HumanTask) -> str:
    return f"已逾期：{task_subject(task)}，请尽快办理"


def urge_message(task: HumanTask, text: str) -> str:
    return f"催办：{task_subject(task)}：{text}"


def reassigned_message(task: HumanTask, by: User) -> str:
    # The one message naming its actor: 转办 is the performance section's (never an expert's) doing.
    return f"转办给您：{task_subject(task)}（{by.name} 转办）"


def _candidate_conditions(task: HumanTask, exclude: list[str] | None = None) -> list[ColumnElement[bool]] | None:
    """Who a task concerns, as conditions on users: its holder, else everyone who may claim it."""
    holder = task.assignee or task.claimed_by
    if holder:
        return [User.username == holder, User.active.is_(True)]
    if not task.lane:
        return None
    conditions = [User.active.is_(True), User.holding(task.lane)]
    if task.lane in DEPARTMENT_SCOPED_ROLES or (task.lane in SECTION_ROUTED_ROLES and task.department_id is not None):
        conditions.append(and_(User.department_id == task.department_id))
    if exclude:  # people the separation of duties keeps off this task
        conditions.append(User.username.not_in(exclude))
    return conditions


def task_candidates(task: HumanTask) -> list[User]:
    """The people a task concerns: its holder, else everyone who may claim it."""
    conditions = _candidate_conditions(task)
    return [] if conditions is None else list(db.session.scalars(select(User).where(*conditions)))


def notify_task_candidates(task: HumanTask, kind: str, message: str) -> list[int]:
    """Notify everyone a task concerns, in one INSERT ... SELECT (no user rows read into Python: a new
    task in a bureau-wide lane reaches everyone with the role, and this runs on every new task)."""
    from .separation import excluded_people  # local: separation reads task rows, this module is imported early
    conditions = _candidate_conditions(task, None if task.owner else excluded_people(task))
    if conditions is None:
        return []
    table = Notification.__table__
    people = select(User.id, literal(kind), literal(message), literal(task.instance_id), literal(task.id),
                    literal(utcnow(), UTCDateTime())).where(*conditions)
    ids = list(db.session.scalars(
        insert(table).from_select(["user_id", "kind", "message", "instance_id", "task_id", "created_at"], people)
        .returning(table.c.id)))
    if ids:
        queue_mail_for(ids)
    return ids


def notify(users: Iterable[User], kind: str, message: str, *, instance_id: int | None = None,
           task_id: int | None = None) -> list[Notification]:
    created = []
    for user in users:
        note = Notification(user_id=user.id, kind=kind, message=message, instance_id=instance_id, task_id=task_id)
        db.session.add(note)
        created.append(note)
    if created:
        queue_mail_for(created)
    return created


def list_for(user: User, unread_only: bool = False, limit: int = 50, offset: int = 0) -> tuple[list[Notification], int]:
    from sqlalchemy import func
    conditions = [Notification.user_id == user.id]
    if unread_only:
        conditions.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
    items = list(db.session.scalars(select(Notification).where(*conditions)
                                    .order_by(Notification.id.desc()).limit(limit).offset(offset)))
    return items, total


def unread_count(user: User) -> int:
    from sqlalchemy import func
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read, in one UPDATE; how many were unread."""
    from sqlalchemy import update
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


def mark_read(user: User, notification_id: int) -> Notification:
    from ..models.types import utcnow
    from .errors import NotFound
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("通知不存在")
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return note
