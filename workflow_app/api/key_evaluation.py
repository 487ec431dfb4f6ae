"""财政重点评价 (key evaluation): selection, marks, commissioning, the indicator tree, reading, the findings'
rectification and the PDF report. The steps themselves are done through the generic task endpoints
(`POST /api/v1/tasks/<id>/complete`)."""
from __future__ import annotations

import io
from typing import Any

from flask import request, send_file

from ..models.key_evaluation import STATUS_LABELS, KeyEvaluation
from ..services import key_evaluation, key_evaluation_report
from ..services.pdf import PDF_MIMETYPE
from . import api_bp
from .auth import current_actor
from .util import int_arg, json_body, jsonify_ok, paging


def _num(value) -> float | None:
    return float(value) if value is not None else None


def evaluation_json(e: KeyEvaluation, viewer) -> dict[str, Any]:
    project = e.project
    shown = key_evaluation.work_visible(viewer, e)
    body = {
        "id": e.id, "project_id": e.project_id, "instance_id": e.instance_id,
        "project": {"code": project.code, "name": project.name, "amount": float(project.amount)},
        "department": project.department.code, "fiscal_year": e.fiscal_year,
        "agency": e.agency, "agency_name": e.agency_name,
        "status": e.status, "status_label": STATUS_LABELS.get(e.status),
        "indicators": e.indicators,
        "dimension_points": {k: float(v) for k, v in e.dimension_totals("points").items()},
        "agency_score": _num(e.agency_score), "score": _num(e.score), "grade": e.grade,
        "adjust_reason": e.adjust_reason or None, "reduce_amount": _num(e.reduce_amount),
        "method": e.method, "findings": e.findings or [], "conclusion": e.conclusion, "experience": e.experience,
        "suggestions": e.suggestions, "report_attachments": e.report_attachment_ids or [],
        "objection": e.objection, "objection_text": e.objection_text or None,
        "opinions": [{"kind": o.kind, "decision": o.decision, "text": o.text, "by": o.author_name,
                      "at": o.created_at.isoformat()} for o in e.opinions],
        "rectification_id": e.rectification_id,
        "created_at": e.created_at.isoformat(),
        "finished_at": e.finished_at.isoformat() if e.finished_at else None,
        "work_visible": shown,
    }
    if not shown:
        # The agency's draft (not yet accepted by the performance section): the tree, no scores, no findings.
        body.update(indicators=[{k: v for k, v in r.items() if k not in ("score", "comment")} for r in e.indicators],
                    agency_score=None, method="", findings=[], conclusion="", experience="", suggestions="",
                    report_attachments=[], opinions=[o for o in body["opinions"] if o["kind"] != "review"])
    return body


@api_bp.get("/key-evaluations/candidates")
def key_evaluation_candidates():
    found = key_evaluation.candidates(current_actor(), request.args.to_dict())
    return jsonify_ok({"items": [{
        "project_id": c.project.id, "code": c.project.code, "name": c.project.name,
        "department": c.project.department.code, "fiscal_year": c.project.fiscal_year,
        "amount": float(c.project.amount), "fund_source": c.project.fund_source,
        "goal_status": c.project.goal_status,
        "public_concern": bool(c.mark and c.mark.public_concern), "wide_coverage": bool(c.mark and c.mark.wide_coverage),
        "running_evaluation_id": c.running.id if c.running else None} for c in found], "total": len(found)})


@api_bp.put("/projects/<int:project_id>/key-evaluation-marks")
def put_key_evaluation_marks(project_id: int):
    mark = key_evaluation.set_marks(current_actor(), project_id, json_body(required=True))
    return jsonify_ok({"project_id": project_id, "public_concern": mark.public_concern,
                       "wide_coverage": mark.wide_coverage})


@api_bp.get("/key-evaluations/default-indicators")
def key_evaluation_default_indicators():
    current_actor()
    rows = key_evaluation.default_tree()
    return jsonify_ok({"items": rows, "total": len(rows)})


@api_bp.post("/key-evaluations")
def commission_key_evaluations():
    started = key_evaluation.commission(current_actor(), json_body(required=True))
    return jsonify_ok({"items": [evaluation_json(e, current_actor()) for e in started], "total": len(started)}, 201)


@api_bp.get("/key-evaluations")
def list_key_evaluations():
    limit, offset = paging()
    result = key_evaluation.list_evaluations(current_actor(), year=int_arg("year"),
                                             department=request.args.get("department") or None,
                                             status=request.args.get("status") or None, limit=limit, offset=offset)
    return jsonify_ok({"items": [evaluation_json(e, current_actor()) for e in result.items], "total": result.total})


@api_bp.get("/key-evaluations/<int:evaluation_id>")
def get_key_evaluation(evaluation_id: int):
    actor = current_actor()
    return jsonify_ok(evaluation_json(key_evaluation.get(actor, evaluation_id), actor))


@api_bp.put("/key-evaluations/<int:evaluation_id>/indicators")
def put_key_evaluation_indicators(evaluation_id: int):
    body = json_body(required=True)
    e = key_evaluation.update_indicators(current_actor(), evaluation_id, body.get("indicators"))
    return jsonify_ok(evaluation_json(e, current_actor()))


@api_bp.post("/key-evaluations/<int:evaluation_id>/rectification")
def open_key_evaluation_rectification(evaluation_id: int):
    rect = key_evaluation.open_rectification(current_actor(), evaluation_id, json_body(required=True))
    return jsonify_ok({"id": rect.id, "instance_id": rect.instance_id, "findings": rect.findings,
                       "source": rect.source, "deadline": rect.deadline.isoformat()}, 201)


@api_bp.get("/key-evaluations/<int:evaluation_id>/report.pdf")
def key_evaluation_report_pdf(evaluation_id: int):
    e = key_evaluation.get(current_actor(), evaluation_id)
    key_evaluation.check_report_readable(current_actor(), e)
    return send_file(io.BytesIO(key_evaluation_report.render(e)), as_attachment=True,
                     download_name=key_evaluation_report.filename(e), mimetype=PDF_MIMETYPE, max_age=0)
