"""The pages people work in. Views are thin: they call the same services as the API."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ..extensions import db, login_manager
from ..models import User
from ..services.errors import DomainError, NotFound


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except ValueError:
        return None


def _same_site_referrer() -> str | None:
    """The path of the page that sent the request, if it is one of ours (never an open redirect)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def register_web(app: Flask) -> None:
    from ..processes import registry
    from . import auth, dashboard, disclosure, execution, filters, instances, me, projects, tasks

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    app.register_blueprint(auth.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(instances.bp)
    app.register_blueprint(projects.bp)
    app.register_blueprint(me.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(disclosure.bp)
    app.register_blueprint(execution.bp)
    for blueprint in registry.web_blueprints():  # each process's own pages (its board, its records)
        app.register_blueprint(blueprint)
    filters.register(app)

    @app.before_request
    def _refuse_nul_characters():
        """No database text column can hold NUL: a path or query with one is a client error, never a 500."""
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            if request.path.startswith("/api/"):
                return jsonify({"error": "validation_failed", "message": "请求中不能含有 NUL 字符",
                                "fields": {"query": ["不能含有 NUL 字符"]}}), 422
            return render_template("error.html", status=400, message=_("请求中不能含有 NUL 字符")), 400
        return None

    @app.context_processor
    def _navigation_counts():
        """The numbers in the navigation: three indexed counts per page."""
        from flask_login import current_user
        if not getattr(current_user, "is_authenticated", False) or request.path.startswith(("/api/", "/static/")):
            return {"nav_counts": {}}
        from ..services import notifications, tasks
        user = current_user._get_current_object()
        return {"nav_counts": {"mine": tasks.count_tasks(user, "mine"),
                               "group": tasks.count_tasks(user, "group"),
                               "unread": notifications.unread_count(user)}}

    @app.context_processor
    def _process_navigation():
        """The links the processes add to the navigation bar (their boards), as this user sees them."""
        from flask_login import current_user
        from ..processes import registry
        if not getattr(current_user, "is_authenticated", False):
            return {"process_nav": []}
        return {"process_nav": registry.nav_entries(current_user.has_role)}

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except OperationalError:
            db.session.rollback()
            return jsonify({"status": "unavailable", "message": "database unreachable"}), 503
        return jsonify({"status": "ok"})

    @app.get("/")
    def index():
        return redirect(url_for("tasks.inbox"))

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound):
        if request.path.startswith("/api/"):
            return jsonify({"error": error.code, "message": error.message}), 404
        return render_template("error.html", status=404, message=error.message), 404

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        if request.path.startswith("/api/"):
            return jsonify({"error": error.code, "message": error.message, "fields": error.fields}), error.status
        return render_template("error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(404)
    def _page_not_found(_error):
        if request.path.startswith("/api/"):
            return jsonify({"error": "not_found", "message": "no such resource"}), 404
        return render_template("error.html", status=404, message=_("页面不存在")), 404

    @app.errorhandler(CSRFError)
    def _page_expired(_error: CSRFError):
        """A form posted without a valid CSRF token (an old tab, a session that ended): say so in the
        page's language and offer the way back to the page the form came from, where a reload gets a fresh token."""
        return render_template("error.html", status=400, message=_("页面已过期，请刷新后重试"),
                               back=_same_site_referrer(), back_label=_("返回上一页并刷新")), 400

    @app.errorhandler(429)
    def _too_many(_error):
        if request.path.startswith("/api/"):
            return jsonify({"error": "too_many_requests", "message": "尝试次数过多，请一分钟后再试"}), 429
        return render_template("error.html", status=429, message=_("尝试次数过多，请一分钟后再试")), 429

    @app.errorhandler(OperationalError)
    def _database_down(_error):
        db.session.rollback()
        if request.path.startswith("/api/"):
            return jsonify({"error": "unavailable", "message": "数据库暂时不可用，请稍后再试"}), 503
        return render_template("error.html", status=503, message=_("数据库暂时不可用，请稍后再试")), 503

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
        return response

