"""Pages of 预算执行 (budget execution): the import of the payment system's export (支付数据导入), with the
table of every bad row when a file is refused, and the project page's execution block."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import Project
from ..services import execution, policy
from ..services.errors import Invalid, NotFound
from ..services.execution import PaymentFileRejected

bp = Blueprint("execution", __name__)


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def execution_globals() -> dict[str, Any]:
    return {"execution_for_project": _for_project}


def _for_project(project: Project) -> dict[str, Any]:
    """The project page's block: the months of its fiscal year, the total to the last month reported."""
    months = execution.monthly_execution(project)
    executed = months[-1].cumulative if months else None
    return {"months": months, "executed": executed,
            "rate": execution.execution_rate(executed, project.amount) if months else None}


def _page(status: int = 200, rejected: PaymentFileRejected | None = None, year: str = ""):
    if not policy.may(actor(), "import_payments"):
        raise NotFound(_("页面不存在"))
    return render_template("execution/payments.html", imports=execution.recent_imports(), rejected=rejected,
                           year=year), status


@bp.get("/payments")
@login_required
def payments():
    return _page()


@bp.post("/payments")
@login_required
def upload():
    upload = request.files.get("file")
    year = request.form.get("year", "")
    if not policy.may(actor(), "import_payments"):
        raise NotFound(_("页面不存在"))
    try:
        result = execution.import_payments(actor(), upload.stream if upload else None,
                                           upload.filename if upload else None, year)
    except PaymentFileRejected as error:
        return _page(422, error, year)
    except Invalid as error:
        flash(error.message, "warning")
        return _page(422, None, year)
    flash(_("已导入 %(rows)s 条月度支付记录（%(projects)s 个项目），其中替换原有记录 %(replaced)s 条。",
            rows=result.rows, projects=result.projects, replaced=result.replaced), "success")
    return redirect(url_for("execution.payments"))
