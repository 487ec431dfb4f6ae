"""A person's own pages: notifications and the stand-in while away."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..extensions import db
from ..services import audit, notifications, standins
from ..services.errors import Invalid, NotFound

bp = Blueprint("me", __name__)


def actor():
    return current_user._get_current_object()


@bp.get("/notifications")
@login_required
def notification_list():
    items, total = notifications.list_for(actor(), request.args.get("unread") == "true", limit=100)
    return render_template("me/notifications.html", items=items, total=total, action_form=FlaskForm(),
                           unread=notifications.unread_count(actor()))


@bp.post("/notifications/read-all")
@login_required
def notification_read_all():
    """全部标为已读 (the form carries the CSRF token; CSRFProtect refuses a post without it)."""
    count = notifications.mark_all_read(actor())
    audit.record("notifications_read", actor(), object_type="notification", after={"count": count})
    db.session.commit()
    flash(_("已将 %(n)s 条通知标为已读", n=count) if count else _("没有未读通知"), "success" if count else "info")
    return redirect(url_for("me.notification_list"))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id: int):
    note = notifications.mark_read(actor(), notification_id)
    if note.task_id:
        return redirect(url_for("tasks.task_page", task_id=note.task_id))
    if note.instance_id:
        return redirect(url_for("instances.detail", instance_id=note.instance_id))
    return redirect(url_for("me.notification_list"))


@bp.route("/me/stand-in", methods=["GET", "POST"])
@login_required
def stand_in():
    errors: dict[str, list[str]] = {}
    if request.method == "POST":  # CSRFProtect has already refused a POST without a valid token
        try:
            if request.form.get("action") == "end":
                standins.end_stand_in(actor())
                flash(_("代理已结束"), "info")
            else:
                standins.name_stand_in(actor(), request.form.get("username"), request.form.get("from"),
                                       request.form.get("until"))
                flash(_("代理已设置"), "success")
            return redirect(url_for("me.stand_in"))
        except Invalid as error:
            errors = error.fields
        except NotFound as error:
            flash(error.message, "warning")
    return render_template("me/stand_in.html", current=standins.current(actor()), errors=errors,
                           people=standins.stand_in_candidates(actor()),
                           form_values=request.form, action_form=FlaskForm()), (422 if errors else 200)
