"""结果应用 pages: the next-year budget decision list (with the cut of 核减 results) and the departments' ranking."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from ..engine import now
from ..extensions import db
from ..models import Department
from ..models.result_application import ResultApplication
from ..services import policy
from ..services import result_application as results
from ..services.errors import Forbidden, Invalid

bp = Blueprint("result_application", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def actor():
    return current_user._get_current_object()


class ReduceAmountForm(FlaskForm):
    reduce_amount = StringField()
    note = StringField()


def _years(column) -> list[int]:
    years = set(db.session.scalars(select(column).distinct()))
    years.add(now().year if column is ResultApplication.budget_year else now().year - 1)
    return sorted(years, reverse=True)


def _default_budget_year() -> int:
    """The latest budget year a result was recorded for, else next year's budget (being prepared now)."""
    return db.session.scalar(select(func.max(ResultApplication.budget_year))) or now().year + 1


@bp.get("/result-applications")
@login_required
def decisions():
    year = request.args.get("budget_year", type=int) or _default_budget_year()
    department = request.args.get("department") or None
    items = results.decisions(actor(), year, department)
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    return render_template("result_application/decisions.html", items=items, year=year, department=department,
                           departments=departments, years=_years(ResultApplication.budget_year),
                           sources=results.SOURCES, labels=results.DECISION_LABELS, form=ReduceAmountForm(),
                           may_set=policy.may(actor(), "set_reduce_amount"))


@bp.post("/result-applications/<int:result_id>/reduce-amount")
@login_required
def set_reduce_amount(result_id: int):
    form = ReduceAmountForm()
    back = request.form.get("back", "")
    target = back if back.startswith("/") and not back.startswith("//") else url_for("result_application.decisions")
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试"), "danger")
        return redirect(target)
    try:
        row = results.set_reduce_amount(actor(), result_id, (form.reduce_amount.data or "").strip(), form.note.data)
    except Invalid as error:
        flash(error.message + "：" + "；".join(m for ms in error.fields.values() for m in ms), "danger")
        return redirect(target)
    except Forbidden as error:   # may see the result but not set its cut: back, with the reason
        flash(error.message, "danger")
        return redirect(target)
    flash(_("已核定核减金额：%(code)s %(amount)s 万元", code=row.project.code, amount=row.reduce_amount), "success")
    return redirect(target)


@bp.get("/result-applications.xlsx")
@login_required
def decisions_export():
    year = request.args.get("budget_year", type=int) or _default_budget_year()
    content = results.decisions_workbook(actor(), year, request.args.get("department") or None)
    return send_file(content, as_attachment=True, download_name=f"结果应用清单-{year}.xlsx", mimetype=XLSX)


@bp.get("/evaluation-ranking")
@login_required
def ranking():
    year = request.args.get("year", type=int) or now().year - 1
    items = results.ranking(actor(), year)
    return render_template("result_application/ranking.html", items=items, year=year,
                           years=_years(ResultApplication.evaluated_year))


@bp.get("/evaluation-ranking.xlsx")
@login_required
def ranking_export():
    year = request.args.get("year", type=int) or now().year - 1
    content = results.ranking_workbook(actor(), year)
    return send_file(content, as_attachment=True, download_name=f"部门绩效评价排名-{year}.xlsx", mimetype=XLSX)
