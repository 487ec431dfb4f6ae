"""Login and logout pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..services import audit, auth as auth_service
from ..extensions import db, limiter, login_attempt_key

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce the user to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("tasks.inbox")


def _login_failed(response) -> bool:
    return response.status_code in (401, 422)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURE_LIMIT"], key_func=login_attempt_key,
               methods=["POST"], deduct_when=_login_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = auth_service.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("用户名或密码错误"))
        else:
            session.clear()  # a new session on login: nothing from before survives
            login_user(user)
            audit.record("login", user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    audit.record("logout", current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.get("/logout")
def logout_page():
    """A GET shows a confirm button: logging out changes state, so it takes a POST with the CSRF token."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("logout.html")


@bp.get("/lang/<code>")
def switch_language(code: str):
    response = redirect(_safe_next(request.args.get("next")))
    if code in {"zh_CN", "en"}:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
