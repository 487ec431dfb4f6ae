"""The inbox and the task page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..extensions import db
from ..models import Project
from ..services import history, instances, tasks
from ..services.errors import Conflict, Forbidden, Invalid
from ..services.hooks import hooks_for

bp = Blueprint("tasks", __name__)
PAGE_SIZE = 20


def actor():
    return current_user._get_current_object()


@bp.get("/tasks")
@login_required
def inbox():
    scope = request.args.get("scope", "mine")
    if scope not in tasks.SCOPES:
        scope = "mine"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    result = tasks.list_tasks(actor(), scope, process=request.args.get("process") or None,
                              limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    counts = {s: tasks.list_tasks(actor(), s, limit=1).total for s in ("mine", "group")}
    return render_template("tasks/inbox.html", scope=scope, page=page, result=result, counts=counts,
                           pages=max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1), action_form=FlaskForm())


def _task_page(task_id: int, form=None, status: int = 200):
    task = instances.visible_task(actor(), task_id)
    project = db.session.get(Project, task.project_id) if task.project_id else None
    if form is None and task.state == "ready":
        form = instances.build_task_form(task, project, formdata=None)
    view = history.instance_view(actor(), task.instance_id)
    context = hooks_for(task.process_key).page_context(task, project, actor())
    return render_template("tasks/task.html", task=task, project=project, form=form, view=view,
                           action_form=FlaskForm(), **context), status


@bp.get("/tasks/<int:task_id>")
@login_required
def task_page(task_id: int):
    return _task_page(task_id)


@bp.post("/tasks/<int:task_id>")
@login_required
def complete(task_id: int):
    try:
        done = instances.complete_task(actor(), task_id, formdata=request.form)
    except Invalid as error:
        task = instances.visible_task(actor(), task_id)
        project = db.session.get(Project, task.project_id) if task.project_id else None
        form = instances.build_task_form(task, project, formdata=request.form)
        form.validate()
        for name, messages in error.fields.items():
            field = form._fields.get(name.split(".")[0])
            if field is not None and name == field.name and not field.errors:
                field.errors = list(messages)
        flash(error.message, "danger")
        return _task_page(task_id, form=form, status=422)
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
        return redirect(url_for("tasks.task_page", task_id=task_id))
    flash(_("已提交：%(title)s", title=done.task.title), "success")
    mine = [t for t in done.next_tasks if t.owner == actor().username or
            (t.owner is None and instances.policy.is_candidate(actor(), t))]
    if mine:
        return redirect(url_for("tasks.task_page", task_id=mine[0].id))
    return redirect(url_for("tasks.inbox"))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    if not FlaskForm().validate_on_submit():
        flash(_("页面已过期，请重试"), "warning")
        return redirect(url_for("tasks.inbox", scope="group"))
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
