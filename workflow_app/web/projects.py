"""The project library pages."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..services import projects

bp = Blueprint("projects", __name__)


@bp.get("/projects")
@login_required
def index():
    page = projects.list_projects(current_user._get_current_object(),
                                  fiscal_year=request.args.get("fiscal_year", type=int), limit=200)
    return render_template("projects/index.html", page=page)


@bp.get("/projects/<int:project_id>")
@login_required
def detail(project_id: int):
    project = projects.get_project(current_user._get_current_object(), project_id)
    return render_template("projects/detail.html", project=project)
