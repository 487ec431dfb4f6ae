"""The inbox and the task page."""
from __future__ import annotations

from itertools import count

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import Department, HumanTask, Project
from ..models.org import DEPARTMENT_SCOPED_ROLES
from ..services import attachments, deployment, history, instances, policy, task_actions, tasks
from ..services.errors import Conflict, Forbidden, Invalid
from ..processes import registry

bp = Blueprint("tasks", __name__)
PAGE_SIZE = 20


def actor():
    return current_user._get_current_object()


@bp.get("/tasks")
@login_required
def inbox():
    user = actor()
    scope = request.args.get("scope", "mine")
    if scope not in tasks.SCOPES:
        scope = "mine"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filters = {"process": request.args.get("process") or None,
               "fiscal_year": request.args.get("fiscal_year", type=int),
               "department": request.args.get("department") or None,
               "project_id": request.args.get("project_id", type=int),
               "project_name": (request.args.get("project_name") or "").strip()[:tasks.PROJECT_NAME_LIMIT] or None,
               "due": request.args.get("due") if request.args.get("due") in ("overdue", "week") else None}
    result = tasks.list_tasks(user, scope, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    processes = deployment.latest_definitions()
    filter_args = {k: v for k, v in filters.items() if v}
    # 转办 in bulk (performance section, admins) from the queues they work: a picker of the people eligible
    # for the tasks on this page, grouped by lane and department; each task is still checked on its own.
    bulk_reassign = policy.may(user, "reassign") and scope in ("mine", "group")
    reassign_groups = _reassign_groups(result.items, departments) if bulk_reassign and result.items else []
    return render_template("tasks/inbox.html", scope=scope, page=page, result=result, filters=filters,
                           filter_args=filter_args, bulk_reassign=bulk_reassign, reassign_groups=reassign_groups,
                           departments=departments, processes=processes, now=now(),
                           pages=max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1), action_form=FlaskForm())


def _reassign_groups(rows, departments) -> list[tuple[str, Department | None, list]]:
    """(lane, department, eligible people) for each lane of the page's tasks, department lanes per department."""
    by_code = {d.code: d for d in departments}
    seen: dict[tuple[str, int | None], tuple[str, Department | None, list]] = {}
    for row in rows:
        if not row.lane:
            continue
        department = by_code.get(row.department.code) if row.department else None
        scoped = row.lane in DEPARTMENT_SCOPED_ROLES
        key = (row.lane, department.id if scoped and department else None)
        if key not in seen:
            people = task_actions.lane_people(row.lane, key[1])
            seen[key] = (row.lane, department if scoped else None, people)
    return [group for group in seen.values() if group[2]]


@bp.post("/tasks/bulk-claim")
@login_required
def bulk_claim():
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit()]
    if not ids:
        flash(_("请先勾选任务"), "warning")
        return redirect(url_for("tasks.inbox", scope="group"))
    results = task_actions.bulk(actor(), "claim", ids)
    claimed = sum(1 for r in results.values() if r["status"] == 200)
    flash(_("已认领 %(n)s 项，%(m)s 项未能认领", n=claimed, m=len(ids) - claimed), "info")
    return redirect(url_for("tasks.inbox", scope="mine"))


@bp.post("/tasks/bulk-reassign")
@login_required
def bulk_reassign():
    scope = request.form.get("scope") if request.form.get("scope") in ("mine", "group") else "group"
    back = redirect(url_for("tasks.inbox", scope=scope))
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit() and 0 < int(v) < 2**31]
    if not ids:
        flash(_("请先勾选任务"), "warning")
        return back
    try:
        results = task_actions.bulk(actor(), "reassign", ids, request.form.get("username"))
    except (Forbidden, Invalid) as error:
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        flash(error.message + (f"：{detail}" if detail else ""), "warning")
        return back
    moved = sum(1 for r in results.values() if r["status"] == 200)
    refused = sorted({str(r["message"]) for r in results.values() if r["status"] != 200})
    flash(_("已转办 %(n)s 项，%(m)s 项未能转办", n=moved, m=len(ids) - moved)
          + ("：" + "；".join(refused) if refused else ""), "info" if not refused else "warning")
    return back


def _task_page(task_id: int, form=None, status: int = 200, **extra):
    user = actor()
    task = instances.visible_task(user, task_id)
    project = db.session.get(Project, task.project_id) if task.project_id else None
    # What this viewer may do decides what the page offers: someone who may see the task but not work on it
    # (a filer on an expert's review, a reviewer on a task someone else holds) gets it read-only.
    allowed = {name: policy.may(user, name, task)
               for name in ("complete", "send_back", "claim", "unclaim", "reassign", "urge")}
    if form is None and allowed["complete"]:
        form = instances.build_task_form(task, project, formdata=None)
    view = history.instance_view(user, task.instance_id)
    process = registry.get(task.process_key)
    context = process.hooks.page_context(task, project, user)
    earlier = sorted({(t.name, t.title) for t in db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.state == "completed", HumanTask.name != task.name))})
    department = db.session.get(Department, task.department_id) if task.department_id else None
    return render_template("tasks/task.html", task=task, project=project, form=form if allowed["complete"] else None,
                           view=view, action_form=FlaskForm(), allowed=allowed,
                           send_back_targets=earlier if allowed["send_back"] else [],
                           reassign_people=task_actions.reassign_candidates(task) if allowed["reassign"] else [],
                           task_department=department, page=process.task_page(task.name), **context, **extra), status


def _task_action(task_id: int, action, success: str):
    try:
        action()
        flash(success, "success")
    except (Conflict, Forbidden, Invalid) as error:
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        flash(error.message + (f"：{detail}" if detail else ""), "warning")
        return redirect(url_for("tasks.task_page", task_id=task_id))
    return redirect(url_for("tasks.inbox"))


@bp.post("/tasks/<int:task_id>/send-back")
@login_required
def send_back(task_id: int):
    return _task_action(task_id, lambda: task_actions.send_back(actor(), task_id, request.form.get("to"),
                                                                 request.form.get("reason")), _("已退回"))


@bp.post("/tasks/<int:task_id>/reassign")
@login_required
def reassign(task_id: int):
    return _task_action(task_id, lambda: task_actions.reassign(actor(), task_id, request.form.get("username")),
                        _("已转办"))


@bp.post("/tasks/<int:task_id>/urge")
@login_required
def urge(task_id: int):
    try:
        n = task_actions.urge(actor(), task_id, request.form.get("message"))
        flash(_("已催办，通知 %(n)s 人", n=n), "success")
    except (Conflict, Forbidden, Invalid) as error:
        flash(error.message, "warning")
    return redirect(url_for("tasks.task_page", task_id=task_id))


@bp.get("/tasks/<int:task_id>")
@login_required
def task_page(task_id: int):
    return _task_page(task_id)


def _chosen_evidence(formdata: MultiDict) -> set[str]:
    """The evidence boxes ticked in a submitted report (the page shows them ticked again, and only them)."""
    return {v for k, v in formdata.items(multi=True) if k.startswith("evidence-")}


def _save_evidence(formdata: MultiDict) -> tuple[MultiDict, str | None]:
    """A file chosen on the report page is saved and ticked as evidence, whichever button was pressed.
    Raises Invalid (nothing saved) for a missing, empty, too large or unsupported file."""
    file = request.files.get("file")
    if (file is None or not file.filename) and not formdata.get("upload"):
        return formdata, None
    saved = attachments.save_upload(actor(), file.stream if file and file.filename else None,
                                    file.filename if file else None)
    data = MultiDict(formdata.items(multi=True))
    index = next(i for i in count() if f"evidence-{i}" not in data)
    data.add(f"evidence-{index}", str(saved.id))
    return data, saved.filename


def _field_at(form, path: str):
    """The field a service error names ("executed", or "rows.2.cause" inside a FieldList of FormFields)."""
    parts = path.split(".")
    field = form._fields.get(parts[0])
    for part in parts[1:]:
        if field is None:
            return None
        if part.isdigit() and hasattr(field, "entries"):
            field = field.entries[int(part)] if int(part) < len(field.entries) else None
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):
            field = field.form._fields.get(part)
        else:
            return None
    return field


def _redisplay(task_id: int, formdata: MultiDict, status: int):
    """The task page again with everything as typed (no validation: nothing was submitted)."""
    task = instances.visible_task(actor(), task_id)
    project = db.session.get(Project, task.project_id) if task.project_id else None
    form = instances.build_task_form(task, project, formdata=formdata) if task.state == "ready" else None
    return _task_page(task_id, form=form, status=status, evidence_checked=_chosen_evidence(formdata))


@bp.post("/tasks/<int:task_id>")
@login_required
def complete(task_id: int):
    formdata: MultiDict = request.form
    task = instances.visible_task(actor(), task_id)   # another's task: 404 before any file is kept
    if registry.get(task.process_key).task_page(task.name).uploads:
        # The page carries an evidence upload (上传佐证材料) inside the task form: the file is saved first.
        try:
            formdata, uploaded = _save_evidence(request.form)
        except Invalid as error:
            detail = "；".join(m for ms in error.fields.values() for m in ms)
            flash(_("未上传：%(reason)s", reason=error.message + (f"（{detail}）" if detail else "")), "danger")
            return _redisplay(task_id, request.form, 422)
        if request.form.get("upload"):
            flash(_("已上传并勾选：%(name)s。填写完毕后请点“提交”。", name=uploaded), "success")
            return _redisplay(task_id, formdata, 200)
    try:
        done = instances.complete_task(actor(), task_id, formdata=formdata)
    except Invalid as error:
        task = instances.visible_task(actor(), task_id)
        project = db.session.get(Project, task.project_id) if task.project_id else None
        form = instances.build_task_form(task, project, formdata=formdata)
        form.validate()
        for name, messages in error.fields.items():
            field = _field_at(form, name)
            if field is not None and not field.errors:
                field.errors = list(messages)
        flash(error.message, "danger")
        return _task_page(task_id, form=form, status=422, evidence_checked=_chosen_evidence(formdata))
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
        return redirect(url_for("tasks.task_page", task_id=task_id))
    flash(_("已提交：%(title)s", title=done.task.title), "success")
    mine = [t for t in done.next_tasks if t.owner == actor().username or
            (t.owner is None and policy.may(actor(), "work_on_task", t))]
    if mine:
        return redirect(url_for("tasks.task_page", task_id=mine[0].id))
    return redirect(url_for("tasks.inbox"))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    try:
        instances.claim_task(actor(), task_id)
        flash(_("已认领"), "success")
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
    return redirect(url_for("tasks.task_page", task_id=task_id))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    try:
        instances.unclaim_task(actor(), task_id)
        flash(_("已放回待认领"), "info")
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
    return redirect(url_for("tasks.inbox", scope="group"))
