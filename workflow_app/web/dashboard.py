"""The performance section's dashboard: charts (ECharts, fed from data- attributes) and the same numbers as tables."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..labels import process_label, task_label
from ..services import dashboard as service
from ..services import publication

bp = Blueprint("dashboard", __name__)


def _chart(labels: list[str], values: list[float | int], series: str, unit: str = "") -> dict[str, Any]:
    return {"labels": labels, "values": values, "series": series, "unit": unit}


@bp.get("/dashboard")
@login_required
def index():
    board = service.dashboard(current_user._get_current_object())
    no_department = _("（未指定部门）")
    charts = {
        "process": _chart([process_label(r.key, r.label) for r in board.by_process], [r.count for r in board.by_process],
                          _("待办任务")),
        "department": _chart([r.label or no_department for r in board.by_department],
                             [r.count for r in board.by_department], _("待办任务")),
        "steps": _chart([f"{task_label(s.name, s.title)} · {process_label(s.process_key, s.process_name)}" for s in board.step_times],
                        [round(s.average_hours, 1) for s in board.step_times], _("平均用时"), _("小时")),
    }
    # 信息公开: approved documents undecided past DISCLOSURE_WARNING_DAYS are flagged here too.
    late = publication.overdue(current_user._get_current_object())
    return render_template("dashboard.html", board=board, charts=charts, no_department=no_department,
                           disclosure_overdue=late, disclosure_days=publication.warning_days())
