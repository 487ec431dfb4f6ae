"""The supervisor board, a rectification's whole chain on one page, the ledger, and evidence uploads."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..extensions import db
from ..models import Attachment, Department, RectificationStatus
from ..services import attachments, ledger, rectification
from ..services.errors import Invalid

bp = Blueprint("rectifications", __name__)


def actor():
    return current_user._get_current_object()


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
                           days_left=rectification.days_left, args=request.args)


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
    year = request.args.get("year", type=int)
    if year is None:
        abort(400)
    return send_file(ledger.build(actor(), year), as_attachment=True, download_name=f"整改台账-{year}.xlsx",
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
