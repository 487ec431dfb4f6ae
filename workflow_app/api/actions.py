"""Task queue actions of API.md: send back, withdraw, reassign, bulk, urge, stand-in, comments, notifications."""
from __future__ import annotations

from flask import request

from ..services import comments, notifications, standins, task_actions
from ..services.anonymity import Masker
from . import api_bp
from .auth import current_actor
from .serialize import iso, task_json
from .util import json_body, jsonify_ok, paging


def _moved(moved) -> dict:
    masker = Masker(current_actor())
    return {"instance": {"id": moved.instance_id, "process": moved.process, "status": moved.status},
            "next_tasks": [task_json(t, masker) for t in moved.ready]}


@api_bp.post("/tasks/<int:task_id>/send-back")
def send_back(task_id: int):
    body = json_body(required=True)
    return jsonify_ok(_moved(task_actions.send_back(current_actor(), task_id, body.get("to"), body.get("reason"))))


@api_bp.post("/instances/<int:instance_id>/withdraw")
def withdraw(instance_id: int):
    body = json_body()
    return jsonify_ok(_moved(task_actions.withdraw(current_actor(), instance_id, body.get("reason"))))


@api_bp.post("/tasks/<int:task_id>/reassign")
def reassign(task_id: int):
    body = json_body(required=True)
    return jsonify_ok(task_json(task_actions.reassign(current_actor(), task_id, body.get("username"))))


@api_bp.post("/tasks/bulk")
def bulk():
    body = json_body(required=True)
    results = task_actions.bulk(current_actor(), body.get("action"), body.get("ids"), body.get("username"))
    return jsonify_ok({"results": {str(k): v for k, v in results.items()}})


@api_bp.post("/tasks/<int:task_id>/urge")
def urge(task_id: int):
    body = json_body()
    return jsonify_ok({"notified": task_actions.urge(current_actor(), task_id, body.get("message"))})


def _stand_in_json(record) -> dict:
    return {"username": record.stand_in.username, "name": record.stand_in.name,
            "from": record.starts_on.isoformat(), "until": record.ends_on.isoformat()}


@api_bp.get("/me/stand-in")
def get_stand_in():
    record = standins.current(current_actor())
    return jsonify_ok(_stand_in_json(record) if record else {"username": None})


@api_bp.put("/me/stand-in")
def put_stand_in():
    body = json_body(required=True)
    record = standins.name_stand_in(current_actor(), body.get("username"), body.get("from"), body.get("until"))
    return jsonify_ok(_stand_in_json(record))


@api_bp.delete("/me/stand-in")
def delete_stand_in():
    standins.end_stand_in(current_actor())
    return jsonify_ok({"ended": True})


def _comment_json(comment, masker: Masker | None = None) -> dict:
    author, author_name = comment.author, comment.author_name
    if masker is not None and masker.person(comment.instance_id, author) != author:
        author = author_name = masker.person(comment.instance_id, author)  # an expert, to a department
    return {"id": comment.id, "author": author, "author_name": author_name, "text": comment.text,
            "attachments": comment.attachment_ids or [], "created_at": iso(comment.created_at)}


@api_bp.get("/instances/<int:instance_id>/comments")
def list_comments(instance_id: int):
    actor = current_actor()
    items = comments.list_comments(actor, instance_id)
    masker = Masker(actor)
    return jsonify_ok({"items": [_comment_json(c, masker) for c in items], "total": len(items)})


@api_bp.post("/instances/<int:instance_id>/comments")
def add_comment(instance_id: int):
    body = json_body(required=True)
    comment = comments.add_comment(current_actor(), instance_id, body.get("text"), body.get("attachments"))
    return jsonify_ok(_comment_json(comment), 201)


@api_bp.get("/notifications")
def list_notifications():
    limit, offset = paging()
    unread = request.args.get("unread", "").lower() in {"true", "1", "yes"}
    items, total = notifications.list_for(current_actor(), unread, limit, offset)
    return jsonify_ok({"items": [{"id": n.id, "kind": n.kind, "message": n.message, "instance_id": n.instance_id,
                                  "task_id": n.task_id, "created_at": iso(n.created_at), "read": n.read_at is not None}
                                 for n in items], "total": total})


@api_bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    note = notifications.mark_read(current_actor(), notification_id)
    return jsonify_ok({"id": note.id, "read": True})
