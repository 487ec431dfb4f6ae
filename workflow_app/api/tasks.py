"""Task queues and task actions."""
from __future__ import annotations

from flask import request

from ..services import instances, tasks
from ..services.anonymity import Masker
from ..services.errors import Invalid
from . import api_bp
from .auth import current_actor
from .serialize import instance_summary, task_json
from .util import int_arg, json_body, jsonify_ok, paging


@api_bp.get("/tasks")
def list_tasks():
    limit, offset = paging()
    page = tasks.list_tasks(current_actor(), request.args.get("scope", "mine"),
                            process=request.args.get("process") or None, project_id=int_arg("project_id"),
                            instance_id=int_arg("instance_id"), fiscal_year=int_arg("fiscal_year"),
                            department=request.args.get("department") or None, due=request.args.get("due") or None,
                            project_name=request.args.get("project_name") or None, limit=limit, offset=offset)
    return jsonify_ok({"items": [task_json(t) for t in page.items], "total": page.total})


@api_bp.get("/tasks/<int:task_id>")
def get_task(task_id: int):
    return jsonify_ok(task_json(instances.visible_task(current_actor(), task_id)))


@api_bp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int):
    return jsonify_ok(task_json(instances.claim_task(current_actor(), task_id)))


@api_bp.post("/tasks/<int:task_id>/unclaim")
def unclaim(task_id: int):
    return jsonify_ok(task_json(instances.unclaim_task(current_actor(), task_id)))


@api_bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int):
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise Invalid("data 必须是对象", {"data": ["必须是 JSON 对象"]})
    actor = current_actor()
    done = instances.complete_task(actor, task_id, json=data)
    masker = Masker(actor)
    return jsonify_ok({"instance": instance_summary(done.instance), "task": task_json(done.task),
                       "next_tasks": [task_json(t, masker) for t in done.next_tasks]})
