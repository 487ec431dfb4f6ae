"""事前绩效评估 (ex-ante assessment): start, list, read, material uploads and the report file.

The steps themselves are done through the generic task endpoints (`POST /api/v1/tasks/<id>/complete`)."""
from __future__ import annotations

from typing import Any

from flask import request, send_file

from ..models.ex_ante import CONCLUSION_LABELS, MATERIALS, ExAnteAssessment
from ..services import ex_ante, ex_ante_report
from . import api_bp
from .auth import current_actor
from .util import int_arg, jsonify_ok, paging

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assessment_json(assessment: ExAnteAssessment) -> dict[str, Any]:
    project = assessment.project
    pack = ex_ante.current_materials(assessment)
    return {
        "id": assessment.id, "project_id": assessment.project_id, "instance_id": assessment.instance_id,
        "project": {"code": project.code, "name": project.name}, "department": project.department.code,
        "fiscal_year": assessment.fiscal_year, "item_kind": assessment.item_kind, "basis": assessment.basis,
        "status": assessment.status, "use_third_party": assessment.use_third_party,
        "score": float(assessment.score) if assessment.score is not None else None,
        "dimension_scores": {k: float(v) for k, v in (assessment.dimension_scores or {}).items()},
        "conclusion": assessment.conclusion,
        "conclusion_label": CONCLUSION_LABELS.get(assessment.conclusion) if assessment.conclusion else None,
        "conditions": assessment.conditions,
        "materials": [{"kind": kind, "label": MATERIALS[kind], "attachment_id": files[0].attachment_id,
                       "filename": files[0].attachment.filename} for kind, files in pack.items() if files],
        "missing_materials": ex_ante.missing_materials(assessment),
        "created_at": assessment.created_at.isoformat(),
        "concluded_at": assessment.concluded_at.isoformat() if assessment.concluded_at else None,
    }


@api_bp.post("/projects/<int:project_id>/ex-ante")
def start_ex_ante(project_id: int):
    assessment = ex_ante.start_assessment(current_actor(), project_id)
    return jsonify_ok(assessment_json(assessment), 201)


@api_bp.get("/ex-ante")
def list_ex_ante():
    limit, offset = paging()
    result = ex_ante.list_assessments(current_actor(), year=int_arg("year"),
                                      department=request.args.get("department") or None,
                                      conclusion=request.args.get("conclusion") or None, limit=limit, offset=offset)
    return jsonify_ok({"items": [assessment_json(a) for a in result.items], "total": result.total})


@api_bp.get("/ex-ante/<int:assessment_id>")
def get_ex_ante(assessment_id: int):
    return jsonify_ok(assessment_json(ex_ante.get(current_actor(), assessment_id)))


@api_bp.post("/ex-ante/<int:assessment_id>/materials")
def upload_ex_ante_material(assessment_id: int):
    upload = request.files.get("file")
    material = ex_ante.add_material(current_actor(), assessment_id, request.form.get("kind"),
                                    upload.stream if upload else None, upload.filename if upload else None)
    return jsonify_ok({"id": material.id, "kind": material.kind, "attachment_id": material.attachment_id,
                       "filename": material.attachment.filename}, 201)


@api_bp.get("/ex-ante/<int:assessment_id>/report.xlsx")
def ex_ante_report_file(assessment_id: int):
    actor = current_actor()
    assessment = ex_ante.get(actor, assessment_id)
    return send_file(ex_ante_report.build(actor, assessment), as_attachment=True,
                     download_name=ex_ante_report.filename(assessment), mimetype=XLSX, max_age=0)
