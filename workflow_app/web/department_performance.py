"""Pages of 部门整体绩效: the list of a year's cases (the performance section sees every department's, a
department its own) with the start of the year's cases, one case (goal versions and their diff, the score
breakdown, the opinions) and its self-evaluation report PDF; the annual goals as 部门整体支出绩效目标表 (PDF, Excel)
and importing that sheet into the goal editor step. The steps' own pages are the generic task pages
with this process's templates (templates/processes/department_performance/)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import LazyString, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Department, HumanTask, TaskState
from ..models.department_performance import LEVELS, STATUS_LABELS, CaseStatus
from ..services import department_performance as dp, policy
from ..services import department_performance_goal_table as goal_table
from ..services.department_performance_scoring import category_points
from ..services.errors import Conflict, Forbidden, Invalid
from .tasks import _redisplay, _task_page

bp = Blueprint("department_performance", __name__)
PAGE_SIZE = 50


def actor():
    return current_user._get_current_object()


# The statuses of models/department_performance.STATUS_LABELS in the page's language (msgids written out).
STATUS_DISPLAY: dict[str, LazyString] = {
    CaseStatus.GOALS.value: _l("部门编制目标"), CaseStatus.GOALS_REVIEW.value: _l("绩效科审核目标"),
    CaseStatus.GOALS_APPROVED.value: _l("目标已批复"), CaseStatus.EVALUATING.value: _l("部门自评"),
    CaseStatus.EVALUATION_REVIEW.value: _l("绩效科确认自评"), CaseStatus.FINISHED.value: _l("已完成"),
}


@bp.app_context_processor
def department_performance_globals() -> dict[str, Any]:
    return {"DP": {"statuses": STATUS_DISPLAY, "levels": LEVELS}}


@bp.app_template_filter("dp_status")
def dp_status(status: str | None) -> LazyString | str:
    return STATUS_DISPLAY.get(status or "", status or "")


@bp.get("/department-performance")
@login_required
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    years = dp.years(actor())
    year = request.args.get("year", type=int)
    department = request.args.get("department") or None
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    result = dp.list_cases(actor(), year=year, department=department, status=status,
                           limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    departments = list(db.session.scalars(select(Department).order_by(Department.code))) \
        if policy.may(actor(), "see_every_department_performance") else []
    return render_template("processes/department_performance/index.html", result=result, years=years,
                           departments=departments, args=request.args, page=page,
                           pages=max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           may_start=policy.may(actor(), "start_department_performance"),
                           default_departments=dp.default_departments()
                           if policy.may(actor(), "start_department_performance") else [])


@bp.post("/department-performance/start")
@login_required
def start():
    year = request.form.get("year", type=int)
    try:
        result = dp.start_year(actor(), year if year is not None else request.form.get("year"))
    except (Invalid, Conflict, Forbidden) as error:
        flash(error.message, "danger" if isinstance(error, Invalid) else "warning")
        return redirect(url_for("department_performance.index"))
    flash(_("已发起 %(year)s 年度部门整体绩效 %(n)s 个部门（已有 %(skipped)s 个，未重复发起）",
            year=year, n=len(result.started), skipped=len(result.skipped)), "success")
    return redirect(url_for("department_performance.index", year=year))


@bp.get("/department-performance/<int:case_id>")
@login_required
def detail(case_id: int):
    case = dp.get(actor(), case_id)
    # The current step, linked for those who may open it (the business sections follow the case, not its tasks).
    ready = [t for t in db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY.value))
        if policy.may(actor(), "see_task", t)]
    version = dp.approved_version(case) or dp.current_version(case)
    points = [r["points"] for r in dp.indicator_rows(version)] if version and version.indicators else []
    return render_template("processes/department_performance/detail.html", case=case, version=version,
                           points=points, diffs=dp.version_diffs(case), ready=ready,
                           report=dp.report_context(case), category_points=category_points(),
                           finished=case.status == CaseStatus.FINISHED.value)


@bp.get("/department-performance/<int:case_id>/report.pdf")
@login_required
def report(case_id: int):
    case = dp.get(actor(), case_id)
    if case.status != CaseStatus.FINISHED.value:
        flash(_("自评尚未经绩效科确认，还没有自评报告"), "warning")
        return redirect(url_for("department_performance.detail", case_id=case.id))
    from urllib.parse import quote
    return Response(dp.report_pdf(case), mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=\"report.pdf\"; filename*=UTF-8''{quote(dp.report_filename(case))}"})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/department-performance/<int:case_id>/goal-table.pdf")
@login_required
def goal_table_pdf(case_id: int):
    table = goal_table.case_table(actor(), case_id)
    return send_file(goal_table.pdf_stream(table), mimetype="application/pdf", as_attachment=True,
                     download_name=goal_table.filename(table, "pdf"), max_age=0)


@bp.get("/department-performance/<int:case_id>/goal-table.xlsx")
@login_required
def goal_table_xlsx(case_id: int):
    table = goal_table.case_table(actor(), case_id)
    return send_file(goal_table.to_xlsx(table), mimetype=XLSX, as_attachment=True,
                     download_name=goal_table.filename(table, "xlsx"), max_age=0)


@bp.post("/department-performance/<int:case_id>/goal-import")
@login_required
def goal_import(case_id: int):
    """The sheet into the goal editor: its rows shown for review (nothing stored until the editor is submitted),
    or the editor again with every bad row listed."""
    try:
        task = goal_table.draft_task(actor(), case_id)
    except (Conflict, Forbidden) as error:      # a case one may see but not draft: back to it, with the reason
        flash(error.message, "warning")
        return redirect(url_for("department_performance.detail", case_id=case_id))
    upload = request.files.get("file")
    try:
        _task, goals = goal_table.import_into_case(actor(), case_id,
                                                   upload.stream if upload and upload.filename else None)
    except Invalid as error:
        flash(_("未导入：%(reason)s", reason=error.message), "danger")
        return _task_page(task.id, status=422, import_errors=error.fields)
    flash(_("已从 Excel 读入 %(n)s 个指标：请核对后点“提交”（提交前不会保存）。", n=len(goals.indicators)), "success")
    return _redisplay(task.id, goals.formdata(), 200)
