"""Pages of the 财政重点评价: the list (重点评价), the selection and commissioning page of the performance section,
one evaluation (indicator tree, editable until the agency scores; result; report; rectification), the marks and
the PDF report. The steps' own pages are the generic task pages with templates/processes/key_evaluation/."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..extensions import db
from ..models import Department, HumanTask, TaskState
from ..models.key_evaluation import DIMENSIONS, STATUS_LABELS, KeyEvaluationStatus
from ..services import key_evaluation, key_evaluation_report, policy
from ..services.errors import Conflict, Forbidden, Invalid
from ..services.pdf import PDF_MIMETYPE

bp = Blueprint("key_evaluation", __name__)
PAGE_SIZE = 30
FILTERS = ("fiscal_year", "min_amount", "department", "fund_source", "approved_goals", "public_concern",
           "wide_coverage")


def actor():
    return current_user._get_current_object()


# The tables of models/key_evaluation.py and key_evaluation_report.py as pages show them (msgid = the label).
STATUSES = {"scoring": _l("第三方评价中"), "reviewing": _l("绩效科审核中"), "feedback": _l("部门反馈中"),
            "finalising": _l("绩效科定稿中"), "finished": _l("已完成")}
FUND_SOURCE_LABELS = {"general": _l("一般公共预算"), "fund": _l("政府性基金预算"), "state_capital": _l("国有资本经营预算")}
assert STATUSES.keys() == STATUS_LABELS.keys() and FUND_SOURCE_LABELS.keys() == key_evaluation_report.FUND_SOURCES.keys()


@bp.app_context_processor
def key_evaluation_globals() -> dict[str, Any]:
    return {"KEY_EVALUATION": {"statuses": STATUSES, "dimensions": DIMENSIONS, "fund_sources": FUND_SOURCE_LABELS},
            "key_evaluations_for_project": _for_project}


def _for_project(project) -> list:
    """The project page's 重点评价 block: the project's evaluations this user may see, newest first."""
    return key_evaluation.for_project(actor(), project.id)


def _message(error) -> str:
    detail = "；".join(m for ms in error.fields.values() for m in ms)
    return error.message + (f"（{detail}）" if detail else "")


@bp.get("/key-evaluations")
@login_required
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    result = key_evaluation.list_evaluations(actor(), year=request.args.get("year", type=int),
                                             department=request.args.get("department") or None, status=status,
                                             limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("processes/key_evaluation/index.html", result=result, args=request.args, page=page,
                           pages=max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           may_commission=policy.may(actor(), "commission_key_evaluation"))


def _select_page(status: int = 200, tree: list[dict[str, Any]] | None = None):
    user = actor()
    policy.require(user, "commission_key_evaluation")
    filters = {k: request.values.get(k) for k in FILTERS if request.values.get(k)}
    try:
        found = key_evaluation.candidates(user, filters)
    except Invalid as error:
        flash(_message(error), "danger")
        found, status = [], 422
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    return render_template("processes/key_evaluation/select.html", candidates=found, filters=filters,
                           departments=departments, agencies=key_evaluation.agencies(),
                           tree=tree or key_evaluation.default_tree(), action_form=FlaskForm(),
                           chosen={int(i) for i in request.form.getlist("project_ids") if i.isdigit()}), status


@bp.get("/key-evaluations/select")
@login_required
def select_projects():
    try:
        return _select_page()
    except Forbidden as error:
        flash(error.message, "warning")
        return redirect(url_for("key_evaluation.index"))


def _tree_from_form() -> list[dict[str, Any]]:
    """The indicator table of a form: rows `rows-<i>-dimension|level2|name|points|standard`, blank rows skipped."""
    rows = []
    for index in range(key_evaluation.MAX_INDICATORS + 20):
        prefix = f"rows-{index}-"
        values = {k: request.form.get(prefix + k, "") for k in ("dimension", "level2", "name", "points", "standard")}
        if not any(v.strip() for k, v in values.items() if k != "dimension"):
            continue
        rows.append(values)
    return rows


@bp.post("/key-evaluations")
@login_required
def commission():
    ids = [int(i) for i in request.form.getlist("project_ids") if i.isdigit()]
    tree = _tree_from_form()
    try:
        started = key_evaluation.commission(actor(), {"project_ids": ids, "agency": request.form.get("agency"),
                                                      "indicators": tree or None})
    except Forbidden as error:
        flash(error.message, "warning")
        return redirect(url_for("key_evaluation.index"))
    except (Invalid, Conflict) as error:
        flash(_("未委托：%(reason)s", reason=_message(error)), "danger")
        return _select_page(422 if isinstance(error, Invalid) else 409, tree=tree or None)
    flash(_("已委托第三方机构开展重点评价：%(n)s 个项目", n=len(started)), "success")
    return redirect(url_for("key_evaluation.index"))


@bp.post("/projects/<int:project_id>/key-evaluation-marks")
@login_required
def marks(project_id: int):
    payload = {k: request.form.get(k) == "1" for k in ("public_concern", "wide_coverage") if k in request.form}
    try:
        key_evaluation.set_marks(actor(), project_id, payload)
        flash(_("已更新项目标记"), "success")
    except (Invalid, Forbidden) as error:
        flash(_message(error), "warning")
    back = request.form.get("back") or ""
    # Back to the selection page as it was filtered; only a path of this site (never another host).
    return redirect(back if back.startswith("/") and not back.startswith("//") else
                    url_for("key_evaluation.select_projects"))


def _detail(evaluation_id: int, status: int = 200, tree: list[dict[str, Any]] | None = None):
    user = actor()
    e = key_evaluation.get(user, evaluation_id)
    editable = (policy.may(user, "commission_key_evaluation") and e.status == KeyEvaluationStatus.SCORING.value
                and e.agency_score is None)
    ready = list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id == e.instance_id,
                                                             HumanTask.state == TaskState.READY.value)))
    return render_template("processes/key_evaluation/detail.html", e=e, hide_work=not key_evaluation.work_visible(user, e),
                           table=key_evaluation_report.dimension_table(e), editable=editable,
                           tree=tree or e.indicators, ready_tasks=ready,
                           report_files=key_evaluation.report_files(e), action_form=FlaskForm(),
                           may_rectify=(policy.may(user, "open_rectification") and e.rectification_id is None
                                        and e.status == KeyEvaluationStatus.FINISHED.value and bool(e.findings))), status


@bp.get("/key-evaluations/<int:evaluation_id>")
@login_required
def detail(evaluation_id: int):
    return _detail(evaluation_id)


@bp.post("/key-evaluations/<int:evaluation_id>/indicators")
@login_required
def indicators(evaluation_id: int):
    key_evaluation.get(actor(), evaluation_id)   # another's: 404 first
    tree = _tree_from_form()
    try:
        key_evaluation.update_indicators(actor(), evaluation_id, tree)
    except Invalid as error:
        flash(_("未保存：%(reason)s", reason=_message(error)), "danger")
        return _detail(evaluation_id, 422, tree=tree)
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
        return redirect(url_for("key_evaluation.detail", evaluation_id=evaluation_id))
    flash(_("评价指标已保存"), "success")
    return redirect(url_for("key_evaluation.detail", evaluation_id=evaluation_id))


@bp.post("/key-evaluations/<int:evaluation_id>/rectification")
@login_required
def rectification(evaluation_id: int):
    key_evaluation.get(actor(), evaluation_id)
    try:
        rect = key_evaluation.open_rectification(actor(), evaluation_id, {"deadline": request.form.get("deadline")})
    except (Invalid, Conflict, Forbidden) as error:
        flash(_("未下达整改：%(reason)s", reason=_message(error)), "danger")
        return redirect(url_for("key_evaluation.detail", evaluation_id=evaluation_id))
    flash(_("已下达整改通知（%(n)s 条问题）", n=len(rect.findings)), "success")
    return redirect(url_for("key_evaluation.detail", evaluation_id=evaluation_id))


@bp.get("/key-evaluations/<int:evaluation_id>/report.pdf")
@login_required
def report(evaluation_id: int):
    e = key_evaluation.get(actor(), evaluation_id)
    try:
        key_evaluation.check_report_readable(actor(), e)
    except Conflict as error:
        flash(error.message, "warning")
        return redirect(url_for("key_evaluation.detail", evaluation_id=evaluation_id))
    return send_file(io.BytesIO(key_evaluation_report.render(e)), as_attachment=True,
                     download_name=key_evaluation_report.filename(e), mimetype=PDF_MIMETYPE, max_age=0)
