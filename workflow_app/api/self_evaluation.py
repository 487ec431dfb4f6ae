"""单位自评 and 财政复核: rounds, the 自评表, the re-check draw and re-scoring, the quality figure per department.

The department's steps (fill_evaluation, evaluation_signoff) are done through the generic task endpoints
(`POST /api/v1/tasks/<id>/complete`)."""
from __future__ import annotations

from typing import Any

import io

from flask import request, send_file

from ..json_provider import exact_number
from ..models.self_evaluation import STATUS_LABELS, EvaluationRound, SelfEvaluation
from ..services import policy, self_evaluation as service, self_evaluation_form
from ..services.errors import Invalid
from ..services.pdf import PDF_MIMETYPE
from . import api_bp
from .auth import current_actor
from .util import int_arg, json_body, jsonify_ok, paging


def round_json(round_: EvaluationRound) -> dict[str, Any]:
    return {"id": round_.id, "fiscal_year": round_.fiscal_year, "min_amount": exact_number(round_.min_amount),
            "projects": round_.projects, "created_by": round_.created_by, "created_at": round_.created_at.isoformat(),
            "sample_seed": round_.sample_seed, "sample_share": exact_number(round_.sample_share),
            "sample_count": round_.sample_count,
            "sampled_at": round_.sampled_at.isoformat() if round_.sampled_at else None}


def evaluation_json(e: SelfEvaluation, full: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": e.id, "round_id": e.round_id, "project_id": e.project_id, "instance_id": e.instance_id,
        "project": {"code": e.project.code, "name": e.project.name}, "department": e.project.department.code,
        "fiscal_year": e.fiscal_year, "status": e.status, "status_label": STATUS_LABELS.get(e.status, e.status),
        "score": exact_number(e.score), "grade": e.grade, "flagged": e.flagged,
        "recheck_reason": e.recheck_reason, "recheck_instance_id": e.recheck_instance_id,
        "recheck_score": exact_number(e.recheck_score),
        "recheck_grade": e.recheck_grade, "score_gap": exact_number(e.score_gap),
        "final_score": exact_number(e.final_score), "final_grade": e.final_grade,
        "rectification_id": e.rectification_id}
    if full:
        body.update({
            "initial_budget": exact_number(e.initial_budget), "annual_budget": exact_number(e.annual_budget),
            "executed": exact_number(e.executed), "executed_from_payments": e.executed_from_payments,
            "overall_goal": e.overall_goal, "overall_actual": e.overall_actual, "problems": e.problems,
            "rows": e.rows, "evidence": e.evidence or [], "breakdown": e.breakdown,
            "submitted_at": e.submitted_at.isoformat() if e.submitted_at else None,
            "recheck_rows": e.recheck_rows, "recheck_executed": exact_number(e.recheck_executed),
            "recheck_breakdown": e.recheck_breakdown, "recheck_opinion": e.recheck_opinion,
            "recheck_findings": e.recheck_findings, "rechecked_by": e.rechecked_by,
            "rechecked_at": e.rechecked_at.isoformat() if e.rechecked_at else None})
    return body


@api_bp.post("/self-evaluation-rounds")
def start_self_evaluation_round():
    body = json_body(required=True)
    round_, added = service.start_round(current_actor(), body.get("fiscal_year"), body.get("min_amount"))
    return jsonify_ok({**round_json(round_), "added": added}, 201)


@api_bp.get("/self-evaluation-rounds")
def list_self_evaluation_rounds():
    items = service.rounds()
    return jsonify_ok({"items": [round_json(r) for r in items], "total": len(items)})


@api_bp.get("/self-evaluation-rounds/<int:round_id>")
def get_self_evaluation_round(round_id: int):
    return jsonify_ok(round_json(service.get_round(current_actor(), round_id)))


@api_bp.post("/self-evaluation-rounds/<int:round_id>/sample")
def draw_recheck_sample(round_id: int):
    draw = service.draw_sample(current_actor(), round_id, json_body(required=True))
    return jsonify_ok({**round_json(draw.round), "sampled": [e.id for e in draw.sampled],
                       "flagged": [e.id for e in draw.flagged]})


def _bool_arg(name: str) -> bool | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value.lower() in {"true", "1"}:
        return True
    if value.lower() in {"false", "0"}:
        return False
    raise Invalid(f"{name} 只能是 true 或 false", {name: ["true|false"]})


@api_bp.get("/self-evaluations")
def list_self_evaluations():
    limit, offset = paging()
    items = service.evaluations(current_actor(), year=int_arg("year"), round_id=int_arg("round_id"),
                                department=request.args.get("department") or None,
                                status=request.args.get("status") or None, recheck=_bool_arg("recheck"))
    return jsonify_ok({"items": [evaluation_json(e) for e in items[offset:offset + limit]], "total": len(items)})


@api_bp.get("/self-evaluations/<int:evaluation_id>")
def get_self_evaluation(evaluation_id: int):
    return jsonify_ok(evaluation_json(service.get(current_actor(), evaluation_id), full=True))


@api_bp.get("/self-evaluations/<int:evaluation_id>/form.pdf")
def self_evaluation_form_pdf(evaluation_id: int):
    """The 项目支出绩效自评表 as printed (草稿 watermark before it is submitted; 409 before it is filled)."""
    evaluation = service.get(current_actor(), evaluation_id)
    return send_file(io.BytesIO(self_evaluation_form.render(evaluation)), as_attachment=True,
                     download_name=self_evaluation_form.filename(evaluation), mimetype=PDF_MIMETYPE, max_age=0)


@api_bp.post("/self-evaluations/<int:evaluation_id>/choose")
def choose_for_recheck(evaluation_id: int):
    return jsonify_ok(evaluation_json(service.choose_for_recheck(current_actor(), evaluation_id)))


@api_bp.post("/self-evaluations/<int:evaluation_id>/recheck")
def recheck_self_evaluation(evaluation_id: int):
    evaluation = service.recheck(current_actor(), evaluation_id, json_body(required=True))
    return jsonify_ok(evaluation_json(evaluation, full=True))


@api_bp.get("/self-evaluation-quality")
def self_evaluation_quality():
    actor = current_actor()
    policy.require(actor, "see_self_evaluation_quality")
    year = int_arg("year")
    if year is None:
        raise Invalid("需要年度 year", {"year": ["必填"]})
    return jsonify_ok({"year": year, "items": [
        {"department": q.department.code, "department_name": q.department.name, "rechecked": q.rechecked,
         "mean_gap": exact_number(q.mean_gap), "mean_abs_gap": exact_number(q.mean_abs_gap), "flagged": q.flagged}
        for q in service.quality(year)]})
