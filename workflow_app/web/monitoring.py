"""Pages of the 绩效运行监控: the rounds (运行监控, with the performance section's start form: year + cut-off
month), one round's progress and per-project summary, one report (监控表) read-only, and the one-click
rectification from a report. The steps' own pages are the generic task pages with this process's templates
(templates/processes/monitoring/)."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..models.monitoring import CAUSES, COLOURS, LIKELIHOODS, OUTCOMES, ReportStatus, RoundStatus
from ..services import monitoring, policy
from ..services.errors import Conflict, Forbidden, Invalid

bp = Blueprint("monitoring", __name__)

# The labels of models/monitoring.py's tables in the page's language (the msgid is the Chinese label).
LABELS: dict[str, Any] = {
    "causes": {"funding": _l("经费保障"), "institution": _l("制度保障"), "staffing": _l("人员保障"),
               "hardware": _l("硬件条件保障"), "other": _l("其他")},
    "likelihoods": {"certain": _l("确定能"), "possible": _l("有可能"), "impossible": _l("完全不可能")},
    "outcomes": {"continue": _l("继续执行"), "correct": _l("纠偏"), "adjust": _l("调整预算"),
                 "suspend": _l("暂缓拨款"), "stop": _l("停止拨款")},
    "colours": {"red": _l("红色预警"), "yellow": _l("黄色预警"), "green": _l("正常")},
    "report_statuses": {ReportStatus.PENDING.value: _l("待启动"), ReportStatus.FILLING.value: _l("部门填报"),
                        ReportStatus.SIGNOFF.value: _l("部门负责人审核"),
                        ReportStatus.BUSINESS_REVIEW.value: _l("业务科室审核"),
                        ReportStatus.DECISION.value: _l("绩效科审定"), ReportStatus.CONCLUDED.value: _l("已办结")},
    "round_statuses": {RoundStatus.STARTING.value: _l("正在启动"), RoundStatus.RUNNING.value: _l("监控中"),
                       RoundStatus.COMPLETED.value: _l("已完成")},
}
assert set(LABELS["causes"]) == set(CAUSES) and set(LABELS["likelihoods"]) == set(LIKELIHOODS)
assert set(LABELS["outcomes"]) == set(OUTCOMES) and set(LABELS["colours"]) == set(COLOURS)
COLOUR_CLASSES = {"red": "bg-danger", "yellow": "bg-warning text-dark", "green": "bg-success"}


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def monitoring_globals() -> dict[str, Any]:
    return {"MONITORING": {**LABELS, "colour_classes": COLOUR_CLASSES}}


@bp.get("/monitoring")
@login_required
def index():
    rounds = monitoring.list_rounds(actor())
    figures = {r.id: monitoring.progress(r.id, actor()) for r in rounds}
    today = date.today()
    return render_template("processes/monitoring/index.html", rounds=rounds, figures=figures,
                           may_start=policy.may(actor(), "start_monitoring_round"), form=FlaskForm(),
                           year=today.year, month=max(today.month - 1, 1), error=None)


@bp.post("/monitoring/rounds")
@login_required
def start():
    policy.require(actor(), "see_monitoring")
    if not policy.may(actor(), "start_monitoring_round"):
        flash(_("只有绩效科可以发起绩效运行监控"), "warning")
        return redirect(url_for("monitoring.index"))
    form = FlaskForm()
    year, month = request.form.get("year", ""), request.form.get("month", "")
    try:
        if not form.validate_on_submit():
            raise Invalid(_("页面已过期，请刷新后重试"), {})
        payload = {"year": int(year) if year.strip().isdigit() else year,
                   "month": int(month) if month.strip().isdigit() else month}
        started = monitoring.start_round(actor(), payload)
    except Invalid as error:
        rounds = monitoring.list_rounds(actor())
        figures = {r.id: monitoring.progress(r.id, actor()) for r in rounds}
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        return render_template("processes/monitoring/index.html", rounds=rounds, figures=figures, may_start=True,
                               form=form, year=year, month=month,
                               error=error.message + (f"（{detail}）" if detail else "")), 422
    if started.created:
        flash(_("已发起%(year)s年1-%(month)s月绩效运行监控，共%(n)s个项目", year=started.round.year,
                month=started.round.month, n=started.added), "success")
    else:
        flash(_("该轮监控已经发起，本次新增%(n)s个项目", n=started.added), "info")
    return redirect(url_for("monitoring.round_page", round_id=started.round.id))


@bp.get("/monitoring/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    round_ = monitoring.get_round(actor(), round_id)
    return render_template("processes/monitoring/round.html", round=round_,
                           figures=monitoring.progress(round_.id, actor()),
                           reports=monitoring.reports_of(actor(), round_.id))


@bp.get("/monitoring/reports/<int:report_id>")
@login_required
def report_page(report_id: int):
    report = monitoring.get_report(actor(), report_id)
    return render_template("processes/monitoring/report.html", report=report,
                           may_open_rectification=policy.may(actor(), "open_rectification"),
                           proposed_findings=monitoring.proposed_findings(report),
                           rectification_deadline=monitoring.default_rectification_deadline())


@bp.post("/monitoring/reports/<int:report_id>/rectification")
@login_required
def open_rectification(report_id: int):
    """整改 in one click from the decision page (or the report page): the findings as shown (one a line)."""
    report = monitoring.get_report(actor(), report_id)   # another department's report: 404 first
    back = request.form.get("back") or url_for("monitoring.report_page", report_id=report.id)
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("monitoring.report_page", report_id=report.id)
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重试"), "warning")
        return redirect(back)
    findings = [line.strip() for line in (request.form.get("findings") or "").splitlines() if line.strip()]
    payload = {"findings": findings, "deadline": request.form.get("deadline") or None}
    try:
        rect = monitoring.open_rectification(actor(), report.id, {k: v for k, v in payload.items() if v})
    except (Conflict, Forbidden, Invalid) as error:
        detail = "；".join(m for ms in getattr(error, "fields", {}).values() for m in ms)
        flash(_("未下达整改：%(reason)s", reason=error.message + (f"（{detail}）" if detail else "")), "danger")
        return redirect(back)
    flash(_("已下达整改通知（来源：运行监控）"), "success")
    return redirect(url_for("rectifications.detail", rectification_id=rect.id))
