"""部门整体绩效 (whole-department performance): start a year's cases, list, read (goal versions, diff, score),
the self-evaluation report PDF, and the annual goals as 部门整体支出绩效目标表 (PDF, Excel, importing the sheet into
the goal editor step). The steps themselves go through the generic task endpoints
(`POST /api/v1/tasks/<id>/complete`)."""
from __future__ import annotations

from typing import Any

from flask import Response, request, send_file

from ..json_provider import exact_number
from ..models.department_performance import STATUS_LABELS, CaseStatus, DepartmentPerformance
from ..services import department_performance as dp
from ..services import department_performance_goal_table as goal_table
from ..services.errors import Conflict
from . import api_bp
from .auth import current_actor
from .util import int_arg, json_body, jsonify_ok, paging


def _diff_json(diff) -> dict[str, Any]:
    def row(i) -> dict[str, Any]:
        return {"level1": i.level1, "level2": i.level2, "name": i.name, "operator": i.operator,
                "target": i.target, "unit": i.unit, "weight": exact_number(i.weight)}
    return {"old": diff.old.number, "new": diff.new.number, "overall_changed": diff.overall_changed,
            "amount_changed": diff.old.amount != diff.new.amount,
            "added": [row(i) for i in diff.added], "removed": [row(i) for i in diff.removed],
            "changed": [{"old": row(o), "new": row(n), "fields": fields} for o, n, fields in diff.changed]}


def case_json(case: DepartmentPerformance, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": case.id, "instance_id": case.instance_id, "department": case.department.code,
        "department_name": case.department.name, "year": case.year, "status": case.status,
        "status_label": STATUS_LABELS.get(case.status), "current_version": case.current_version,
        "approved_version": case.approved_version,
        "score": exact_number(case.score), "grade": case.grade,
        "created_at": case.created_at.isoformat(),
        "finished_at": case.finished_at.isoformat() if case.finished_at else None,
    }
    if full:
        data.update({
            "goal_versions": [dp.version_json(v) for v in case.versions],
            "diffs": [_diff_json(d) for d in dp.version_diffs(case)],
            "self_evaluation": None if case.results is None else {
                "overall_actual": case.overall_actual, "executed_amount": exact_number(case.executed_amount),
                "results": case.results, "analysis": case.analysis, "problems": case.problems,
                "improvements": case.improvements, "evidence": case.evidence or []},
            "breakdown": case.breakdown,
            "opinions": [{"kind": o.kind, "author": o.author_name, "decision": o.decision, "text": o.text,
                          "at": o.created_at.isoformat()} for o in case.opinions],
        })
    return data


@api_bp.post("/department-performance")
def start_department_performance():
    body = json_body(required=True)
    result = dp.start_year(current_actor(), body.get("year"), body.get("departments"))
    return jsonify_ok({"items": [case_json(c) for c in result.started], "total": len(result.started),
                       "skipped": result.skipped}, 201)


@api_bp.get("/department-performance")
def list_department_performance():
    limit, offset = paging()
    result = dp.list_cases(current_actor(), year=int_arg("year"), department=request.args.get("department") or None,
                           status=request.args.get("status") or None, limit=limit, offset=offset)
    return jsonify_ok({"items": [case_json(c) for c in result.items], "total": result.total})


@api_bp.get("/department-performance/<int:case_id>")
def get_department_performance(case_id: int):
    return jsonify_ok(case_json(dp.get(current_actor(), case_id), full=True))


@api_bp.get("/department-performance/<int:case_id>/report.pdf")
def department_performance_report(case_id: int):
    case = dp.get(current_actor(), case_id)
    if case.status != CaseStatus.FINISHED.value:
        raise Conflict("自评尚未经绩效科确认，还没有自评报告")
    return Response(dp.report_pdf(case), mimetype="application/pdf", headers={
        "Content-Disposition": _attachment(dp.report_filename(case))})


def _attachment(filename: str) -> str:
    from urllib.parse import quote
    return f"attachment; filename=\"report.pdf\"; filename*=UTF-8''{quote(filename)}"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@api_bp.get("/department-performance/<int:case_id>/goal-table.pdf")
def department_goal_table_pdf(case_id: int):
    table = goal_table.case_table(current_actor(), case_id)
    return send_file(goal_table.pdf_stream(table), mimetype="application/pdf", as_attachment=True,
                     download_name=goal_table.filename(table, "pdf"), max_age=0)


@api_bp.get("/department-performance/<int:case_id>/goal-table.xlsx")
def department_goal_table_xlsx(case_id: int):
    table = goal_table.case_table(current_actor(), case_id)
    return send_file(goal_table.to_xlsx(table), mimetype=XLSX, as_attachment=True,
                     download_name=goal_table.filename(table, "xlsx"), max_age=0)


@api_bp.post("/department-performance/<int:case_id>/goal-import")
def department_goal_import(case_id: int):
    """Read the file (multipart `file`) and answer the rows as `complete` takes them for draft_dept_goals;
    nothing is stored."""
    upload = request.files.get("file")
    _task, goals = goal_table.import_into_case(current_actor(), case_id, upload.stream if upload else None)
    return jsonify_ok(goal_table.imported_json(goals))
