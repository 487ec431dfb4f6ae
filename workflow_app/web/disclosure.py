"""信息公开 pages: the public portal (no login) of published documents, the bureau's list of everything
publishable with its state (公开 / 不公开 with the reason), and the 报送人大 package with its progress bar.

Generic: the documents are the publication kinds the processes declare (services/publication.py)."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..extensions import db
from ..models import Department
from ..processes import registry
from ..services import npc_package, policy, publication
from ..services.errors import Conflict, Forbidden, Invalid

bp = Blueprint("disclosure", __name__)
STATES = publication.STATES


def actor():
    return current_user._get_current_object()


def _year_arg() -> int | None:
    year = request.args.get("year", type=int)
    return year if year is not None and 1900 <= year <= 2200 else None


# -- public ----------------------------------------------------------------------------------------------------------
@bp.get("/public")
def portal():
    year, kind = _year_arg(), request.args.get("kind") or None
    department = request.args.get("department") or None
    query = (request.args.get("q") or "").strip()[:publication.SEARCH_MAX]
    items = publication.public_items(year=year, department_code=department, kind=kind, query=query or None)
    return render_template("public/portal.html", items=items, years=publication.public_years(),
                           departments=publication.public_departments(), kinds=registry.publication_kinds(),
                           selected={"year": year, "department": department, "kind": kind, "q": query})


@bp.get("/public/<kind>/<int:object_id>.pdf")
def public_pdf(kind: str, object_id: int):
    found_kind, document = publication.public_document(kind, object_id)
    return send_file(BytesIO(publication.document_pdf(found_kind, document)), mimetype="application/pdf",
                     as_attachment=True, download_name=publication.pdf_filename(found_kind, document), max_age=0)


# -- the bureau's list -------------------------------------------------------------------------------------------------
def _list_page(status: int = 200, failed: dict | None = None):
    """The list with the query's filters (after a refused decision: everything, the failed row marked)."""
    user = actor()
    policy.require(user, "see_publications")
    args = request.args if failed is None else {}
    year = _year_arg() if failed is None else None
    kind = args.get("kind") or None
    state = args.get("state") if args.get("state") in STATES else None
    department = request.args.get("department", type=int) if failed is None else None
    everything = publication.entries(user)
    entries = publication.entries(user, year=year, kind=kind, department_id=department, state=state) \
        if (year or kind or state or department) else everything
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    return render_template("disclosure/index.html", entries=entries, kinds=registry.publication_kinds(),
                           departments=departments, form=FlaskForm(), warning_days=publication.warning_days(),
                           overdue=[e for e in everything if e.overdue], failed=failed or {},
                           selected={"year": year, "kind": kind, "state": state, "department": department}), status


@bp.get("/disclosure")
@login_required
def index():
    return _list_page()


@bp.post("/disclosure/<kind>/<int:object_id>")
@login_required
def set_disclosure(kind: str, object_id: int):
    publish = {"1": True, "0": False}.get(request.form.get("published") or "")
    back = request.form.get("next") or url_for("disclosure.index")
    if not back.startswith("/") or back.startswith(("//", "/\\")):   # our own pages only, never another site
        back = url_for("disclosure.index")
    try:
        publication.set_disclosure(actor(), kind, object_id, publish, request.form.get("reason"))
    except Invalid as error:
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        flash(_("未保存：%(reason)s", reason=error.message + (f"（{detail}）" if detail else "")), "danger")
        return _list_page(422, {"kind": kind, "id": object_id, "reason": request.form.get("reason") or ""})
    except Forbidden as error:
        flash(error.message, "warning")
        return redirect(back)
    flash(_("已公开") if publish else _("已标记为不公开"), "success")
    return redirect(back)


# -- 报送人大材料包 ----------------------------------------------------------------------------------------------------
@bp.get("/npc-packages")
@login_required
def npc_packages():
    user = actor()
    return render_template("disclosure/npc_packages.html", packages=npc_package.packages(user), form=FlaskForm(),
                           may_build=policy.may(user, "build_npc_package"), years=_package_years())


def _package_years() -> list[int]:
    """The years that have documents for 人大, latest first (the form proposes the latest)."""
    return sorted({d.fiscal_year for k in registry.publication_kinds() if k.in_npc_package
                   for d in k.documents(None)}, reverse=True)


@bp.post("/npc-packages")
@login_required
def build_npc_package():
    try:
        package = npc_package.request_package(actor(), request.form.get("fiscal_year"))
    except Invalid as error:
        flash(error.message, "danger")
        return render_template("disclosure/npc_packages.html", packages=npc_package.packages(actor()),
                               form=FlaskForm(), may_build=True, years=_package_years()), 422
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
        return redirect(url_for("disclosure.npc_packages"))
    flash(_("已开始生成 %(y)s 年度材料包", y=package.fiscal_year), "success")
    return redirect(url_for("disclosure.npc_packages", watch=package.id))


@bp.get("/npc-packages/<int:package_id>.json")
@login_required
def npc_package_status(package_id: int):
    return jsonify(npc_package.package_json(npc_package.get(actor(), package_id)))


@bp.get("/npc-packages/<int:package_id>/file")
@login_required
def npc_package_file(package_id: int):
    try:
        data, filename = npc_package.read_file(actor(), package_id)
    except Conflict as error:
        flash(error.message, "danger")
        return redirect(url_for("disclosure.npc_packages"))
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0)
