"""结果应用: the next-year budget decision list, its Excel export, the departments' ranking, and the cut of a
核减 result. Results are recorded by the evaluations themselves (services/result_application.record)."""
from __future__ import annotations

from typing import Any

from flask import request, send_file

from ..json_provider import exact_number
from ..models.result_application import ResultApplication
from ..services import result_application as results
from ..services.errors import Invalid
from . import api_bp
from .auth import current_actor
from .util import int_arg, json_body, jsonify_ok, paging

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def result_json(row: ResultApplication) -> dict[str, Any]:
    return {"id": row.id, "project_id": row.project_id, "project": {"code": row.project.code, "name": row.project.name},
            "department": row.project.department.code, "evaluated_year": row.evaluated_year,
            "budget_year": row.budget_year, "source": row.source, "score": exact_number(row.score),
            "grade": row.grade, "decision": row.decision, "reduce_amount": exact_number(row.reduce_amount),
            "note": row.note, "decided_by": row.decided_by, "decided_at": row.decided_at.isoformat()}


def _year(name: str) -> int:
    year = int_arg(name)
    if year is None:
        raise Invalid(f"需要年度 {name}", {name: ["必填"]})
    return year


@api_bp.get("/result-applications")
def list_result_applications():
    limit, offset = paging()
    items = results.decisions(current_actor(), _year("budget_year"), request.args.get("department") or None)
    return jsonify_ok({"items": [{**result_json(d.result), "suggested_amount": exact_number(d.suggested_amount),
                                  "superseded": [result_json(r) for r in d.superseded]}
                                 for d in items[offset:offset + limit]], "total": len(items)})


@api_bp.get("/result-applications.xlsx")
def export_result_applications():
    year = _year("budget_year")
    content = results.decisions_workbook(current_actor(), year, request.args.get("department") or None)
    return send_file(content, as_attachment=True, download_name=f"结果应用清单-{year}.xlsx", mimetype=XLSX)


@api_bp.post("/result-applications/<int:result_id>/reduce-amount")
def set_reduce_amount(result_id: int):
    body = json_body(required=True)
    note = body.get("note")
    row = results.set_reduce_amount(current_actor(), result_id, body.get("reduce_amount"),
                                    note if isinstance(note, str) else None)
    return jsonify_ok(result_json(row))


def ranking_json(row: results.RankingRow) -> dict[str, Any]:
    return {"rank": row.rank, "department": row.department.code, "department_name": row.department.name,
            "projects": row.projects, "average": exact_number(row.average), "grades": row.grades,
            "recheck_gap": exact_number(row.recheck_gap)}


@api_bp.get("/evaluation-ranking")
def evaluation_ranking():
    year = _year("year")
    return jsonify_ok({"year": year, "items": [ranking_json(r) for r in results.ranking(current_actor(), year)]})


@api_bp.get("/evaluation-ranking.xlsx")
def export_evaluation_ranking():
    year = _year("year")
    content = results.ranking_workbook(current_actor(), year)
    return send_file(content, as_attachment=True, download_name=f"部门绩效评价排名-{year}.xlsx", mimetype=XLSX)
