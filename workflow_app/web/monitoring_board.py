"""The monitoring board (监控看板) of a round and its 监控汇总表 download. The figures are computed by
services/monitoring_board.py; the charts (static/js/monitoring-board.js) draw the same numbers as the tables."""
from __future__ import annotations

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Department
from ..services import monitoring_board, monitoring_warnings
from ..services.monitoring_board import BOARD_COLOUR_LABELS, COLOUR_ORDER, STATUS_LABELS

bp = Blueprint("monitoring_board", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def actor():
    return current_user._get_current_object()


@bp.get("/monitoring/rounds/<int:round_id>/board")
@login_required
def board(round_id: int):
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    department = request.args.get("department") or None
    size = monitoring_board.PAGE_SIZE
    result = monitoring_board.board(actor(), round_id, department=department, limit=size, offset=(page - 1) * size)
    # The filter lists the departments of the board itself (a department sees only its own).
    departments = [(d.code, d.name) for d in sorted(result.departments, key=lambda d: d.code)]
    if department and department not in {code for code, _ in departments}:
        name = db.session.scalar(select(Department.name).where(Department.code == department))
        departments.append((department, name or department))
    return render_template("monitoring_board/board.html", board=result, charts=monitoring_board.chart_data(result),
                           colour_order=COLOUR_ORDER, colour_labels=BOARD_COLOUR_LABELS, status_labels=STATUS_LABELS,
                           departments=departments, department=department, page=page,
                           pages=max((result.project_count + size - 1) // size, 1),
                           elapsed=monitoring_board.elapsed(result.round.month),
                           thresholds=monitoring_warnings.thresholds())


@bp.get("/monitoring/rounds/<int:round_id>/summary.xlsx")
@login_required
def summary(round_id: int):
    buffer, round_ = monitoring_board.summary_xlsx(actor(), round_id, department=request.args.get("department") or None)
    return send_file(buffer, as_attachment=True, download_name=monitoring_board.summary_filename(round_),
                     mimetype=XLSX, max_age=0)
