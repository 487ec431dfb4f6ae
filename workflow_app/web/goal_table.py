"""The goal table (绩效目标表) pages: a project's table as PDF and Excel, and importing a table from Excel into
the indicator editor of a draft task (the rows are shown for review; nothing is stored until it is submitted)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import goal_table, projects
from ..services.errors import Conflict, Forbidden, Invalid
from .tasks import _redisplay, _task_page

bp = Blueprint("goal_table", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(project_id: int) -> goal_table.GoalTable:
    return goal_table.project_table(projects.get_project(current_user._get_current_object(), project_id))


@bp.get("/projects/<int:project_id>/goal-table.pdf")
@login_required
def goal_table_pdf(project_id: int):
    table = _table(project_id)
    return send_file(goal_table.pdf_stream(table), mimetype="application/pdf", as_attachment=True,
                     download_name=goal_table.filename(table, "pdf"), max_age=0)


@bp.get("/projects/<int:project_id>/goal-table.xlsx")
@login_required
def goal_table_xlsx(project_id: int):
    table = _table(project_id)
    return send_file(goal_table.to_xlsx(table), mimetype=XLSX, as_attachment=True,
                     download_name=goal_table.filename(table, "xlsx"), max_age=0)


@bp.post("/tasks/<int:task_id>/goal-import")
@login_required
def goal_import(task_id: int):
    upload = request.files.get("file")
    try:
        _task, goals = goal_table.import_into_task(current_user._get_current_object(), task_id,
                                                   upload.stream if upload and upload.filename else None)
    except Invalid as error:
        flash(_("未导入：%(reason)s", reason=error.message), "danger")
        return _task_page(task_id, status=422, import_errors=error.fields)
    except (Conflict, Forbidden) as error:      # a task one may see but not do: back to it, with the reason
        flash(error.message, "warning")
        return redirect(url_for("tasks.task_page", task_id=task_id))
    flash(_("已从 Excel 读入 %(n)s 个指标：请核对后点“提交”（提交前不会保存）。", n=len(goals.indicators)), "success")
    return _redisplay(task_id, goals.formdata(), 200)
