"""The project library pages, starting a goal review, and the public goals page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..extensions import db
from ..models import InstanceStatus, ProcessInstance
from ..services import goal_review, goals, policy, projects, public
from ..services.errors import Conflict, Forbidden, Invalid

bp = Blueprint("projects", __name__)


def actor():
    return current_user._get_current_object()


PAGE_SIZE = 50


@bp.get("/projects")
@login_required
def index():
    user = actor()
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    query = {"q": (request.args.get("q") or "").strip()[:projects.SEARCH_LIMIT] or None,
             "department": request.args.get("department") or None,
             "fiscal_year": request.args.get("fiscal_year", type=int)}
    page = projects.list_projects(user, **query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    departments, years = projects.search_choices(user)
    return render_template("projects/index.html", page=page, query=query, departments=departments, years=years,
                           query_args={k: v for k, v in query.items() if v}, page_number=number,
                           pages=max((page.total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


@bp.get("/projects/<int:project_id>")
@login_required
def detail(project_id: int):
    user = actor()
    project = projects.get_project(user, project_id)
    versions = goals.versions_of(project.id)
    by_number = {v.number: v for v in versions}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a is None and b is None and len(versions) > 1:
        a, b = versions[1].number, versions[0].number
    diff = goals.diff(by_number[a], by_number[b]) if a in by_number and b in by_number and a != b else None
    instances = list(db.session.scalars(select(ProcessInstance).where(ProcessInstance.project_id == project.id)
                                        .order_by(ProcessInstance.id.desc())))
    can_start = (policy.may(user, "start_goal_review", project)
                 and project.goal_status != "approved"
                 and not any(i.process_key == goal_review.GOAL_REVIEW and i.status == InstanceStatus.RUNNING.value
                             for i in instances))
    return render_template("projects/goals.html", project=project, goal_versions=versions, diff=diff,
                           selected_a=a, selected_b=b, instances=instances, can_start_review=can_start,
                           approved=goal_review.approved_version(project), action_form=FlaskForm(),
                           can_open_rectification=policy.may(user, "open_rectification"))


@bp.post("/projects/<int:project_id>/goal-review")
@login_required
def start_goal_review(project_id: int):
    try:
        # The ex-ante gate (services/ex_ante.py) may ask for the 部分支持 conditions to be acknowledged.
        options = {"acknowledge_conditions": request.form.get("acknowledge_conditions") == "true"}
        instance = goal_review.start_goal_review(actor(), project_id, options)
    except (Conflict, Forbidden, Invalid) as error:
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        flash(error.message + (f"：{detail}" if detail else ""), "warning")
        return redirect(url_for("projects.detail", project_id=project_id))
    flash(_("已发起绩效目标审核"), "success")
    first = db.session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance.id)).one()
    from ..services import tasks
    # The starter holds the first task when they may do it (我的待办); otherwise it may wait in their group queue.
    mine = (tasks.list_tasks(actor(), "mine", instance_id=first.id, limit=1).items
            or tasks.list_tasks(actor(), "group", instance_id=first.id, limit=1).items)
    if mine:
        return redirect(url_for("tasks.task_page", task_id=mine[0].id))
    return redirect(url_for("instances.detail", instance_id=instance.id))


@bp.get("/public/goals")
def public_goals():
    year = request.args.get("year", type=int)
    department = request.args.get("department") or None
    listing = public.approved_goals(year, department)
    departments = public.published_departments()
    return render_template("public/goals.html", years=public.published_years(), departments=departments,
                           selected_year=year, selected_department=department, projects=listing)
