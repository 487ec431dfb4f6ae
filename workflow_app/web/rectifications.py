"""The supervisor board, a rectification's whole chain on one page, the ledger, and evidence uploads."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FieldList, SelectField, StringField, TextAreaField

from ..engine import now
from ..extensions import db
from ..models import Attachment, Department, Project, Rectification, RectificationStatus
from ..services import attachments, ledger, policy, projects, rectification
from ..services.errors import Invalid

bp = Blueprint("rectifications", __name__)


def actor():
    return current_user._get_current_object()


SOURCE_CHOICES = [("evaluation", _l("绩效评价")), ("monitoring", _l("运行监控")), ("audit", _l("审计"))]


class OpenRectificationForm(FlaskForm):
    """The page's 整改通知: the same fields as the API's POST /projects/<id>/rectifications (the service checks them)."""

    project_id = SelectField(_l("项目"), coerce=str)
    findings = FieldList(TextAreaField(_l("问题")),
                         min_entries=1, max_entries=50)
    deadline = StringField(_l("整改期限"))
    source = SelectField(_l("问题来源"), choices=SOURCE_CHOICES)


def _open_form(formdata=None, project_id: int | None = None) -> OpenRectificationForm:
    form = OpenRectificationForm(formdata=formdata)
    visible = projects.list_projects(actor(), limit=1000).items
    form.project_id.choices = [("", _("请选择项目"))] + [
        (str(p.id), f"{p.code} {p.name}（{p.department.name}，{p.fiscal_year}）") for p in visible]
    if formdata is None and project_id is not None:
        form.project_id.data = str(project_id)
    return form


def _payload(form: OpenRectificationForm) -> dict[str, Any]:
    findings = [f.strip() for f in (form.findings.data or []) if f and f.strip()]
    return {"findings": findings, "deadline": (form.deadline.data or "").strip(), "source": form.source.data}


def _render_open(form: OpenRectificationForm, status: int = 200):
    project = None
    if (form.project_id.data or "").isdigit():
        project = db.session.get(Project, int(form.project_id.data))
    return render_template("rectifications/new.html", form=form, project=project,
                           today=now().astimezone(rectification.LOCAL).date().isoformat()), status


@bp.get("/rectifications/new")
@login_required
def open_form():
    project_id = request.args.get("project_id", type=int)
    rectification.check_may_open(actor(), project_id)
    return _render_open(_open_form(project_id=project_id))


@bp.post("/rectifications/new")
@login_required
def open_rectification():
    raw = request.form.get("project_id", "")
    project_id = int(raw) if raw.isdigit() else None
    rectification.check_may_open(actor(), project_id)
    form = _open_form(formdata=request.form)
    try:
        if project_id is None:
            raise Invalid(_("请选择项目"), {"project_id": [_("请选择项目")]})
        # The service checks findings, deadline and source, exactly as for the API.
        rect = rectification.start_rectification(actor(), project_id, _payload(form))
    except Invalid as error:
        for name, messages in error.fields.items():
            field = form._fields.get(name)
            if field is not None:
                field.errors = list(messages)
        flash(error.message, "danger")
        return _render_open(form, 422)
    flash(_("已下达整改通知：%(code)s %(name)s，整改期限 %(deadline)s", code=rect.project.code,
            name=rect.project.name, deadline=rect.deadline.isoformat()), "success")
    return redirect(url_for("rectifications.detail", rectification_id=rect.id))


def _years() -> list[int]:
    """The years that have rectifications this user may see, newest first (the board's year filter)."""
    return list(db.session.scalars(select(Rectification.fiscal_year).distinct()
                                   .where(rectification.visible_clause(actor()))
                                   .order_by(Rectification.fiscal_year.desc())))


@bp.get("/rectifications")
@login_required
def board():
    overdue = {"true": True, "false": False}.get(request.args.get("overdue", ""))
    status = request.args.get("status") or None
    if status not in {s.value for s in RectificationStatus} | {None}:
        status = None
    result = rectification.board(actor(), year=request.args.get("year", type=int),
                                 department=request.args.get("department") or None, status=status,
                                 overdue=overdue, limit=200)
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    return render_template("rectifications/board.html", result=result, departments=departments,
                           days_left=rectification.days_left, args=request.args, years=_years(),
                           may_open=policy.may(actor(), "open_rectification"))


@bp.get("/rectifications/<int:rectification_id>")
@login_required
def detail(rectification_id: int):
    rect = rectification.get(actor(), rectification_id)
    files = {a.id: a for a in db.session.scalars(select(Attachment).where(
        Attachment.instance_id == rect.instance_id))}
    return render_template("rectifications/detail.html", rectification=rect, files=files,
                           days_left=rectification.days_left(rect))


@bp.get("/rectifications/ledger.xlsx")
@login_required
def ledger_export():
    # No year chosen: every year in one ledger, so the button works without typing a year first.
    year = request.args.get("year", type=int)
    name = f"整改台账-{year}.xlsx" if year is not None else f"整改台账-全部年度-{now().astimezone(rectification.LOCAL):%Y%m%d}.xlsx"
    return send_file(ledger.build(actor(), year), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/attachments")
@login_required
def upload():
    back = request.form.get("back", "")
    target = back if back.startswith("/") and not back.startswith("//") else url_for("tasks.inbox")
    file = request.files.get("file")
    try:
        saved = attachments.save_upload(actor(), file.stream if file else None, file.filename if file else None)
        flash(_("已上传：%(name)s", name=saved.filename), "success")
    except Invalid as error:
        flash(error.message + "：" + "；".join(m for ms in error.fields.values() for m in ms), "danger")
    return redirect(target)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment, path = attachments.downloadable(actor(), attachment_id)
    return send_file(path, as_attachment=True, download_name=attachment.filename, mimetype=attachment.content_type,
                     max_age=0)
