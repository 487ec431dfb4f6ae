"""单位自评 pages: the year's 自评表 list (with the round start and the re-check draw), one 自评表 with finance's
re-check form, and the departments' self-evaluation quality. The department's own steps are task pages."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ..engine import now
from ..extensions import db
from ..models import Department
from ..models.self_evaluation import EvaluationRound, SelfEvaluation
from ..services import policy, self_evaluation as service, self_evaluation_form
from ..services.errors import Conflict, Forbidden, Invalid
from ..services.evaluation_settings import setting
from ..services.pdf import PDF_MIMETYPE

bp = Blueprint("self_evaluation", __name__)


def actor():
    return current_user._get_current_object()


class ActionForm(FlaskForm):
    """CSRF only: the fields are read from the request and checked by the service."""


def _flash(error: Exception) -> None:
    fields = getattr(error, "fields", {}) or {}
    detail = "；".join(m for ms in fields.values() for m in ms)
    message = getattr(error, "message", str(error))
    flash(message + (f"：{detail}" if detail and detail not in message else ""), "danger")


@bp.app_context_processor
def self_evaluation_globals() -> dict[str, Any]:
    return {"evaluation_for_project": _for_project}


def _for_project(project) -> dict[str, Any]:
    """The project page's 绩效评价 block: its 自评表 and the results recorded for its next budgets."""
    from ..services import result_application
    evaluation = db.session.scalars(select(SelfEvaluation).where(SelfEvaluation.project_id == project.id)
                                    .order_by(SelfEvaluation.id.desc())).first()
    return {"evaluation": evaluation, "results": result_application.for_project(actor(), project),
            "sources": result_application.SOURCES, "labels": result_application.DECISION_LABELS}


def _default_year() -> int:
    """The latest year a round was started for (what the bureau is working on), else last year: in Q1 the
    departments evaluate last year's projects."""
    latest = db.session.scalar(select(func.max(EvaluationRound.fiscal_year)))
    return latest or now().year - 1


@bp.get("/self-evaluations")
@login_required
def index():
    year = request.args.get("year", type=int) or _default_year()
    department = request.args.get("department") or None
    recheck = request.args.get("recheck") or None
    items = service.evaluations(actor(), year=year, department=department,
                                recheck=True if recheck == "true" else None)
    years = sorted(set(db.session.scalars(select(SelfEvaluation.fiscal_year).distinct())) | {year, _default_year()},
                   reverse=True)
    round_ = next((r for r in service.rounds() if r.fiscal_year == year), None)
    return render_template("self_evaluation/index.html", items=items, year=year, years=years, department=department,
                           recheck=recheck, round=round_, form=ActionForm(),
                           departments=list(db.session.scalars(select(Department).order_by(Department.code))),
                           may_manage=policy.may(actor(), "manage_self_evaluation"),
                           min_amount=setting("EVALUATION_MIN_AMOUNT"),
                           default_share=setting("EVALUATION_RECHECK_SHARE"))


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        raise Invalid(_("页面已过期，请刷新后重试"))


def _int_or_text(value: str | None) -> Any:
    value = (value or "").strip()
    return int(value) if value.isdigit() else (value or None)


@bp.post("/self-evaluation-rounds")
@login_required
def start_round():
    try:
        policy.require(actor(), "manage_self_evaluation")
        _check_csrf()
        round_, added = service.start_round(actor(), _int_or_text(request.form.get("fiscal_year")),
                                            request.form.get("min_amount"))
        flash(_("已发起 %(y)s 年度自评：新增 %(n)s 个项目（共 %(t)s 个）", y=round_.fiscal_year, n=added,
                t=round_.projects), "success")
        return redirect(url_for("self_evaluation.index", year=round_.fiscal_year))
    except (Invalid, Forbidden) as error:
        _flash(error)
        return redirect(url_for("self_evaluation.index"))


@bp.post("/self-evaluation-rounds/<int:round_id>/sample")
@login_required
def draw_sample(round_id: int):
    round_ = service.get_round(actor(), round_id)
    back = redirect(url_for("self_evaluation.index", year=round_.fiscal_year, recheck="true"))
    try:
        policy.require(actor(), "manage_self_evaluation")
        _check_csrf()
        payload = {"seed": request.form.get("seed", ""), "share": request.form.get("share") or None,
                   "count": _int_or_text(request.form.get("count"))}
        draw = service.draw_sample(actor(), round_id, payload)
        flash(_("已抽取 %(n)s 份随机样本，另有 %(f)s 份满分无问题的自评表列入复核", n=len(draw.sampled),
                f=len(draw.flagged)), "success")
    except (Invalid, Conflict, Forbidden) as error:
        _flash(error)
    return back


@bp.get("/self-evaluations/<int:evaluation_id>")
@login_required
def detail(evaluation_id: int, posted: MultiDict | None = None, errs: dict | None = None, status: int = 200):
    evaluation = service.get(actor(), evaluation_id)
    return render_template("self_evaluation/detail.html", ev=evaluation, form=ActionForm(), posted=posted,
                           errs=errs or {}, scoring_page=service.page_settings(),
                           may_manage=policy.may(actor(), "manage_self_evaluation")), status


@bp.get("/self-evaluations/<int:evaluation_id>/form.pdf")
@login_required
def form_pdf(evaluation_id: int):
    evaluation = service.get(actor(), evaluation_id)   # another department's: 404
    try:
        data = self_evaluation_form.render(evaluation)
    except Conflict as error:   # not filled yet: back to the table with the reason
        flash(error.message, "warning")
        return redirect(url_for("self_evaluation.detail", evaluation_id=evaluation_id))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=self_evaluation_form.filename(evaluation),
                     mimetype=PDF_MIMETYPE, max_age=0)


@bp.post("/self-evaluations/<int:evaluation_id>/choose")
@login_required
def choose(evaluation_id: int):
    service.get(actor(), evaluation_id)   # another department's: 404
    try:
        _check_csrf()
        service.choose_for_recheck(actor(), evaluation_id)
        flash(_("已列入财政复核"), "success")
    except (Invalid, Conflict, Forbidden) as error:
        _flash(error)
    return redirect(url_for("self_evaluation.detail", evaluation_id=evaluation_id))


def _recheck_payload(form: MultiDict, rows: int) -> dict[str, Any]:
    findings = [line.strip() for line in (form.get("findings") or "").splitlines() if line.strip()]
    return {"executed": (form.get("executed") or "").strip() or None,
            "rows": [{k: form.get(f"rows-{i}-{k}", "") for k in ("actual", "level", "share", "cause")}
                     for i in range(rows)],
            "opinion": form.get("opinion", ""), "findings": findings,
            "deadline": (form.get("deadline") or "").strip() or None,
            "reduce_amount": (form.get("reduce_amount") or "").strip() or None}


@bp.post("/self-evaluations/<int:evaluation_id>/recheck")
@login_required
def recheck(evaluation_id: int):
    evaluation = service.get(actor(), evaluation_id)   # another department's: 404
    try:
        policy.require(actor(), "manage_self_evaluation")
        _check_csrf()
        service.recheck(actor(), evaluation_id, _recheck_payload(request.form, len(evaluation.rows)))
    except Invalid as error:
        _flash(error)
        return detail(evaluation_id, posted=request.form, errs=error.fields, status=422)
    except (Conflict, Forbidden) as error:
        _flash(error)
        return redirect(url_for("self_evaluation.detail", evaluation_id=evaluation_id))
    flash(_("复核结果已保存，已通知部门"), "success")
    return redirect(url_for("self_evaluation.detail", evaluation_id=evaluation_id))


@bp.get("/self-evaluation-quality")
@login_required
def quality():
    policy.require(actor(), "see_self_evaluation_quality")
    year = request.args.get("year", type=int) or _default_year()
    return render_template("self_evaluation/quality.html", items=service.quality(year), year=year)
