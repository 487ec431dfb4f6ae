"""The goal table (绩效目标表) of a project as PDF and Excel, and importing one from Excel into a draft task."""
from __future__ import annotations

from flask import request, send_file

from ..services import goal_table, projects
from . import api_bp
from .auth import current_actor
from .util import jsonify_ok

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(project_id: int) -> goal_table.GoalTable:
    return goal_table.project_table(projects.get_project(current_actor(), project_id))


@api_bp.get("/projects/<int:project_id>/goal-table.pdf")
def goal_table_pdf(project_id: int):
    table = _table(project_id)
    return send_file(goal_table.pdf_stream(table), mimetype="application/pdf", as_attachment=True,
                     download_name=goal_table.filename(table, "pdf"), max_age=0)


@api_bp.get("/projects/<int:project_id>/goal-table.xlsx")
def goal_table_xlsx(project_id: int):
    table = _table(project_id)
    return send_file(goal_table.to_xlsx(table), mimetype=XLSX, as_attachment=True,
                     download_name=goal_table.filename(table, "xlsx"), max_age=0)


@api_bp.post("/tasks/<int:task_id>/goal-import")
def goal_import(task_id: int):
    """Read the file (multipart `file`) and answer the rows as `complete` takes them; nothing is stored."""
    upload = request.files.get("file")
    _task, goals = goal_table.import_into_task(current_actor(), task_id, upload.stream if upload else None)
    return jsonify_ok(goal_table.imported_json(goals))
