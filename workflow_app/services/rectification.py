"""Rectification tracking (整改跟踪): findings go to the department, are fixed by a deadline with
evidence, audited by supervisors, and decide the project's next budget."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, false, func, select, true

from ..engine import now
from ..extensions import db
from ..models import (Department, Project, Rectification, RectificationRecord, RectificationStatus, Role, User)
from . import attachments, audit, instances, policy, projects
from .errors import Invalid, NotFound
from .hooks import Completion, ProcessHooks
from .notifications import notify
from .transaction import transactional

RECTIFICATION = "rectification"
# The department's own steps run until the rectification's deadline: that is their due date (截止).
DEPARTMENT_TASKS = ("submit_plan", "report_progress")
SOURCES = {"evaluation": "绩效评价", "monitoring": "运行监控", "audit": "审计", "recheck": "自评复核",
           "key_evaluation": "重点评价"}
LOCAL = ZoneInfo("Asia/Shanghai")
OPEN_FOR_REPORTING = (RectificationStatus.PLANNING.value, RectificationStatus.IN_PROGRESS.value)


def deadline_moment(deadline: date) -> datetime:
    """A deadline is a day: it passes at the end of that day, county time."""
    return datetime.combine(deadline + timedelta(days=1), time(0, 0), LOCAL).astimezone(ZoneInfo("UTC"))


def _parse_start(payload: dict[str, Any]) -> tuple[list[str], date, str]:
    errors: dict[str, list[str]] = {}
    findings = payload.get("findings")
    if (not isinstance(findings, list) or not findings
            or not all(isinstance(f, str) and f.strip() and len(f) <= 2000 for f in findings)):
        errors["findings"] = ["至少一条问题，每条为不超过2000字的文字"]
    deadline = None
    raw = payload.get("deadline")
    try:
        deadline = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        deadline = None
    if deadline is None:
        errors["deadline"] = ["必须是日期，如 2027-06-30"]
    elif deadline < now().astimezone(LOCAL).date():
        errors["deadline"] = ["整改期限不能早于今天"]
    elif deadline > now().astimezone(LOCAL).date() + timedelta(days=3 * 366):
        errors["deadline"] = ["整改期限不能超过三年"]
    source = payload.get("source")
    if source not in SOURCES:
        errors["source"] = ["只能是 " + "、".join(SOURCES)]
    if errors:
        raise Invalid("整改通知有误", errors)
    assert deadline is not None
    return [f.strip() for f in findings], deadline, source


def check_may_open(actor: User, project_id: int | None) -> Project | None:
    """The API's order of refusals: another's project is not found (404) before a missing role (403)."""
    project = None
    if project_id is not None:
        project = projects.get_project(actor, project_id)
    policy.require(actor, "open_rectification")
    return project


@transactional
def start_rectification(actor: User, project_id: int, payload: dict[str, Any]) -> Rectification:
    project = check_may_open(actor, project_id)
    assert project is not None
    findings, deadline, source = _parse_start(payload)
    due = deadline_moment(deadline)
    remind = due - timedelta(days=int(current_app.config["RECTIFICATION_REMINDER_DAYS"]))
    rectification = Rectification(project_id=project.id, department_id=project.department_id,
                                  fiscal_year=project.fiscal_year, findings=findings, source=source,
                                  deadline=deadline, deadline_at=due, created_by=actor.username)
    db.session.add(rectification)
    db.session.flush()
    started = instances.start_instance_unlocked(actor, RECTIFICATION, {
        "rectification_id": rectification.id,
        # A deadline inside the reminder window: remind at the next timer run rather than never.
        "reminder_at": max(remind, now() + timedelta(seconds=1)).isoformat(),
        "deadline_at": due.isoformat(),
    }, project)
    rectification.instance_id = started.instance.id
    audit.record("rectification_started", actor, instance_id=started.instance.id, object_type="rectification",
                 object_id=rectification.id, after={"findings": findings, "deadline": deadline.isoformat(),
                                                    "source": source})
    return rectification


def for_instance(instance_id: int) -> Rectification | None:
    return db.session.scalars(select(Rectification).where(Rectification.instance_id == instance_id)).first()


def _department_users(department_id: int, role: str) -> list[User]:
    return list(db.session.scalars(select(User).where(User.department_id == department_id, User.active.is_(True),
                                                      User.holding(role)).order_by(User.id)))


def _supervisors() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.holding(Role.SUPERVISOR.value))
                                   .order_by(User.id)))


def mark_overdue(rectification: Rectification, moment: datetime) -> None:
    if rectification.overdue:
        return
    rectification.overdue = True
    rectification.overdue_since = moment
    project = rectification.project
    message = f"整改已逾期：{project.code} {project.name}（期限 {rectification.deadline.isoformat()}）"
    notify(_department_users(rectification.department_id, Role.DEPARTMENT_FILER.value) + _supervisors(),
           "overdue", message, instance_id=rectification.instance_id)
    audit.record("rectification_overdue", None, instance_id=rectification.instance_id,
                 object_type="rectification", object_id=rectification.id, after={"at": moment.isoformat()})


# -- what each step records ------------------------------------------------------------------------
def _submit_plan(c: Completion, rect: Rectification, record: RectificationRecord) -> None:
    record.kind, record.text = "plan", c.form.plan.data.strip()
    record.items = c.form.filled_measures()


def _review_plan(c: Completion, rect: Rectification, record: RectificationRecord) -> None:
    accepted = c.form.accepted.data
    record.kind, record.text = "plan_review", (c.form.opinion.data or "").strip()
    record.decision = "accepted" if accepted else "rejected"
    rect.status = RectificationStatus.IN_PROGRESS.value if accepted else RectificationStatus.PLANNING.value


def _report_progress(c: Completion, rect: Rectification, record: RectificationRecord) -> None:
    record.kind, record.text = "progress", c.form.progress.data.strip()
    record.decision = "done" if c.form.done.data else "continue"
    db.session.add(record)
    db.session.flush()  # the evidence is claimed for this record, by id
    used = attachments.claim_for(c.actor, c.form.evidence_ids(), c.instance.id, f"rectification_record:{record.id}")
    record.attachment_ids = [a.id for a in used]
    if c.form.done.data:
        rect.status = RectificationStatus.AUDITING.value


def _audit(c: Completion, rect: Rectification, record: RectificationRecord) -> None:
    verdict = c.form.verdict.data
    record.kind, record.text, record.decision = "audit", c.form.opinion.data.strip(), verdict
    rect.audit_result = verdict
    if verdict == "return":
        rect.status = RectificationStatus.IN_PROGRESS.value
        moment = now()
        if moment >= rect.deadline_at:
            mark_overdue(rect, moment)  # sent back to reporting after the deadline: late from now on


def _apply_result(c: Completion, rect: Rectification, record: RectificationRecord) -> None:
    form = c.form
    record.kind, record.text = "result", (form.opinion.data or "").strip()
    record.decision = form.budget_decision.data
    record.extra = {"recovered_amount": str(form.recovered_amount.data)}
    rect.budget_decision = form.budget_decision.data
    rect.recovered_amount = form.recovered_amount.data
    rect.status = RectificationStatus.CLOSED.value
    rect.closed_at = now()
    assert c.project is not None
    c.project.budget_decision = form.budget_decision.data


# BPMN task id -> what its completion records (each step of the model has one).
ON_COMPLETE = {
    "submit_plan": _submit_plan,
    "review_plan": _review_plan,
    "report_progress": _report_progress,
    "audit": _audit,
    "apply_result": _apply_result,
}
# Steps whose form checks amounts against the project's budget.
NEEDS_PROJECT_AMOUNT = ("apply_result",)


class RectificationHooks(ProcessHooks):
    def task_due_at(self, instance, run, task_name: str) -> datetime | None:
        if task_name not in DEPARTMENT_TASKS:
            return None
        # The start data names the rectification: it is found before its instance_id is written back.
        rect_id = run.data.get("rectification_id")
        rect = db.session.get(Rectification, rect_id) if isinstance(rect_id, int) else None
        # One second before the deadline passes, so pages show the deadline day itself ("2027-06-30 23:59").
        return rect.deadline_at - timedelta(seconds=1) if rect is not None else None

    def form_context(self, task, project) -> dict[str, Any]:
        if task.name in NEEDS_PROJECT_AMOUNT and project is not None:
            return {"project_amount": project.amount}
        return {}

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        from ..models import Attachment
        rect = for_instance(task.instance_id)
        files = {a.id: a for a in db.session.scalars(select(Attachment).where(
            Attachment.instance_id == task.instance_id))}
        # The reporter picks evidence from the uploads not yet used anywhere.
        unused = list(db.session.scalars(select(Attachment).where(
            Attachment.uploaded_by == viewer.username, Attachment.instance_id.is_(None))))
        return {"rectification": rect, "files": files, "unused_uploads": unused}

    def before_complete(self, c: Completion) -> None:
        rect = for_instance(c.instance.id)
        assert rect is not None
        record = RectificationRecord(rectification_id=rect.id, task_id=c.task.id, author=c.actor.username,
                                     author_name=c.actor.name)
        ON_COMPLETE[c.task.name](c, rect, record)
        db.session.add(record)

    def on_timers(self, instance, fired) -> None:
        rect = for_instance(instance.id)
        if rect is None:
            return
        moment = now()
        for timer in fired:
            if timer.event_id == "deadline_reminder" and rect.reminder_sent_at is None \
                    and rect.status in OPEN_FOR_REPORTING:
                rect.reminder_sent_at = moment
                project = rect.project
                notify(_department_users(rect.department_id, Role.DEPARTMENT_FILER.value), "reminder",
                       f"整改即将到期：{project.code} {project.name}，期限 {rect.deadline.isoformat()}",
                       instance_id=instance.id)
            elif timer.event_id == "deadline_passed" and rect.status in OPEN_FOR_REPORTING:
                mark_overdue(rect, moment)



# -- reading --------------------------------------------------------------------------------------
def visible_clause(actor: User):
    if policy.may(actor, "see_every_rectification"):
        return true()
    if actor.department_id is not None:
        return Rectification.department_id == actor.department_id
    return false()


def get(actor: User, rectification_id: int) -> Rectification:
    rect = db.session.get(Rectification, rectification_id)
    if rect is None or not db.session.scalar(select(func.count()).select_from(Rectification).where(
            Rectification.id == rectification_id, visible_clause(actor))):
        raise NotFound("整改不存在")
    return rect


@dataclass
class Board:
    items: list[Rectification]
    total: int
    per_department: list[tuple[str, int, int]]   # department name, open count, overdue count


def board(actor: User, *, year: int | None = None, department: str | None = None, status: str | None = None,
          overdue: bool | None = None, limit: int = 50, offset: int = 0) -> Board:
    conditions = [visible_clause(actor)]
    if year is not None:
        conditions.append(Rectification.fiscal_year == year)
    if department:
        dept = db.session.scalars(select(Department).where(Department.code == department)).first()
        conditions.append(Rectification.department_id == (dept.id if dept else -1))
    if status:
        if status not in {s.value for s in RectificationStatus}:
            raise Invalid("status 只能是 planning、in_progress、auditing 或 closed", {"status": ["无效"]})
        conditions.append(Rectification.status == status)
    if overdue is not None:
        conditions.append(Rectification.overdue.is_(overdue))
    total = db.session.scalar(select(func.count()).select_from(Rectification).where(*conditions)) or 0
    # The audit queue first, then the overdue, then by deadline.
    order = (case((Rectification.status == RectificationStatus.AUDITING.value, 0), else_=1),
             Rectification.overdue.desc(), Rectification.deadline, Rectification.id)
    items = list(db.session.scalars(select(Rectification).where(*conditions).order_by(*order)
                                    .limit(limit).offset(offset)))
    counts = db.session.execute(
        select(Department.name, func.count(Rectification.id),
               func.sum(case((Rectification.overdue.is_(True), 1), else_=0)))
        .join(Department, Department.id == Rectification.department_id)
        .where(*conditions, Rectification.status != RectificationStatus.CLOSED.value)
        .group_by(Department.name).order_by(Department.name)).all()
    return Board(items, total, [(name, int(n), int(late or 0)) for name, n, late in counts])


def days_left(rect: Rectification, moment: datetime | None = None) -> int:
    """Days until the deadline (negative: days late). A closed one counts to when it closed."""
    end = rect.closed_at if rect.closed_at else (moment or now())
    today = end.astimezone(LOCAL).date()
    return (rect.deadline - today).days


def overdue_days(rect: Rectification, moment: datetime | None = None) -> int:
    return max(0, -days_left(rect, moment)) if rect.overdue or days_left(rect, moment) < 0 else 0
