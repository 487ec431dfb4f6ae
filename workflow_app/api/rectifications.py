"""Rectification tracking and attachments."""
from __future__ import annotations

from flask import request, send_file

from ..json_provider import exact_number
from ..services import attachments, ledger, rectification
from ..services.errors import Invalid
from . import api_bp
from .auth import current_actor
from .util import int_arg, json_body, jsonify_ok, paging


def rectification_json(rect) -> dict:
    return {
        "id": rect.id, "project_id": rect.project_id, "instance_id": rect.instance_id,
        "department": rect.project.department.code, "fiscal_year": rect.fiscal_year,
        "findings": rect.findings, "source": rect.source, "deadline": rect.deadline.isoformat(),
        "status": rect.status, "overdue": rect.overdue,
        "overdue_since": rect.overdue_since.isoformat() if rect.overdue_since else None,
        "days_left": rectification.days_left(rect), "audit_result": rect.audit_result,
        "budget_decision": rect.budget_decision,
        "recovered_amount": exact_number(rect.recovered_amount),
    }


def _bool_arg(name: str) -> bool | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value.lower() in {"true", "1", "yes"}:
        return True
    if value.lower() in {"false", "0", "no"}:
        return False
    raise Invalid(f"{name} 只能是 true 或 false", {name: ["true|false"]})


@api_bp.post("/projects/<int:project_id>/rectifications")
def start_rectification(project_id: int):
    rect = rectification.start_rectification(current_actor(), project_id, json_body(required=True))
    return jsonify_ok({"id": rect.id, "instance_id": rect.instance_id, **rectification_json(rect)}, 201)


@api_bp.get("/rectifications")
def list_rectifications():
    limit, offset = paging()
    result = rectification.board(current_actor(), year=int_arg("year"), department=request.args.get("department"),
                                 status=request.args.get("status") or None, overdue=_bool_arg("overdue"),
                                 limit=limit, offset=offset)
    return jsonify_ok({"items": [rectification_json(r) for r in result.items], "total": result.total})


@api_bp.get("/rectifications/<int:rectification_id>")
def get_rectification(rectification_id: int):
    return jsonify_ok(rectification_json(rectification.get(current_actor(), rectification_id)))


@api_bp.get("/rectifications/ledger.xlsx")
def rectification_ledger():
    year = int_arg("year")
    if year is None:
        raise Invalid("需要年度 year", {"year": ["必填"]})
    content = ledger.build(current_actor(), year)
    return send_file(content, as_attachment=True, download_name=f"整改台账-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@api_bp.post("/attachments")
def upload_attachment():
    upload = request.files.get("file")
    attachment = attachments.save_upload(current_actor(), upload.stream if upload else None,
                                         upload.filename if upload else None)
    return jsonify_ok({"id": attachment.id, "filename": attachment.filename, "size": attachment.size,
                       "sha256": attachment.sha256, "content_type": attachment.content_type}, 201)


@api_bp.get("/attachments/<int:attachment_id>")
def download_attachment(attachment_id: int):
    attachment, path = attachments.downloadable(current_actor(), attachment_id)
    return send_file(path, as_attachment=True, download_name=attachment.filename,
                     mimetype=attachment.content_type, max_age=0)
