"""Pages of 部门整体绩效: the list of a year's cases (the performance section sees every department's, a
department its own) with the start of the year's cases, one case (goal versions and their diff, the score
breakdown, the opinions) and its self-evaluation report PDF. The steps' own pages are the generic task pages
with this process's templates (templates/processes/department_performance/)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import LazyString, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Department, HumanTask, TaskState
from ..models.department_performance import LEVELS, STATUS_LABELS, CaseStatus
from ..services import department_performance as dp, policy
from ..services.department_performance_scoring import category_points
from ..services.errors import Conflict, Forbidden, Invalid

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
