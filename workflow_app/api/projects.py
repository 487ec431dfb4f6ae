"""The project library."""
from __future__ import annotations

from flask import request

from ..services import goal_review, projects
from . import api_bp
from .auth import current_actor
from .serialize import project_json
from .util import int_arg, json_body, jsonify_ok, paging


@api_bp.post("/projects")
def create_project():
    project = projects.create_project(current_actor(), json_body(required=True))
    return jsonify_ok(project_json(project), 201)


@api_bp.get("/projects")
def list_projects():
    limit, offset = paging()
    page = projects.list_projects(current_actor(), fiscal_year=int_arg("fiscal_year"),
                                  department=request.args.get("department") or None,
                                  q=request.args.get("q") or None, limit=limit, offset=offset)
    return jsonify_ok({"items": [project_json(p) for p in page.items], "total": page.total})


@api_bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    return jsonify_ok(project_json(projects.get_project(current_actor(), project_id), detail=True))


@api_bp.post("/projects/<int:project_id>/goal-review")
def start_goal_review(project_id: int):
    # Optional options: {"acknowledge_conditions": true} when the ex-ante conclusion is 部分支持.
    instance = goal_review.start_goal_review(current_actor(), project_id, json_body())
    return jsonify_ok({"instance_id": instance.id, "id": instance.id, "process": instance.process_key,
                       "status": instance.status}, 201)
