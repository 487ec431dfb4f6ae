"""The monitoring board of a round (per department and per project, the worst first) and its 监控汇总表."""
from __future__ import annotations

from typing import Any

from flask import request, send_file

from ..json_provider import exact_number
from ..services import monitoring_board
from ..services.monitoring_board import DepartmentFigures, ProjectLine
from . import api_bp
from .auth import current_actor
from .util import jsonify_ok, paging

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figures_json(d: DepartmentFigures) -> dict[str, Any]:
    return {"department": d.code or None, "name": d.name, "projects": d.projects, "budget": exact_number(d.budget),
            "executed": exact_number(d.executed), "rate": exact_number(d.rate), "colours": d.colours,
            "flagged_rows": d.flagged_rows, "flagged_projects": d.flagged_projects, "outcomes": d.outcomes}


def line_json(line: ProjectLine) -> dict[str, Any]:
    return {"report_id": line.report_id, "project_id": line.project_id, "code": line.code, "name": line.name,
            "department": line.department, "budget": exact_number(line.budget),
            "executed": exact_number(line.executed), "rate": exact_number(line.rate), "colour": line.colour,
            "flagged_rows": line.flagged_rows, "outcome": line.outcome, "status": line.status,
            "rectification_id": line.rectification_id}


@api_bp.get("/monitoring-rounds/<int:round_id>/board")
def monitoring_round_board(round_id: int):
    limit, offset = paging()
    result = monitoring_board.board(current_actor(), round_id, department=request.args.get("department") or None,
                                    limit=limit, offset=offset)
    return jsonify_ok({"round_id": result.round.id, "year": result.round.year, "month": result.round.month,
                       "total": figures_json(result.total),
                       "departments": [figures_json(d) for d in result.departments],
                       "projects": {"items": [line_json(p) for p in result.projects], "total": result.project_count}})


@api_bp.get("/monitoring-rounds/<int:round_id>/summary.xlsx")
def monitoring_round_summary(round_id: int):
    buffer, round_ = monitoring_board.summary_xlsx(current_actor(), round_id,
                                                   department=request.args.get("department") or None)
    return send_file(buffer, as_attachment=True, download_name=monitoring_board.summary_filename(round_),
                     mimetype=XLSX, max_age=0)
