"""Processes and instances."""
from __future__ import annotations

from ..services import deployment, instances, history
from . import api_bp
from .auth import current_actor
from .serialize import instance_json, instance_summary
from .util import MAX_ID, json_body, jsonify_ok
from ..services.errors import Invalid


@api_bp.get("/processes")
def list_processes():
    items = [{"key": d.key, "name": d.name, "version": d.version} for d in deployment.latest_definitions()]
    return jsonify_ok({"items": items, "total": len(items)})


@api_bp.post("/processes/<key>/instances")
def start_process(key: str):
    body = json_body()
    project_id = body.get("project_id")
    if project_id is not None and (not isinstance(project_id, int) or isinstance(project_id, bool)
                                   or not 0 < project_id <= MAX_ID):
        raise Invalid("project_id 必须是正整数", {"project_id": ["必须是正整数"]})
    started = instances.start_instance(current_actor(), key, body.get("data", {}), project_id)
    return jsonify_ok(instance_summary(started.instance), 201)


@api_bp.get("/instances/<int:instance_id>")
def get_instance(instance_id: int):
    actor = current_actor()
    view = history.instance_view(actor, instance_id)
    data = instances.load_run(view.instance).data if view.show_data else None
    return jsonify_ok(instance_json(view, data))
