"""Budget performance management workflows (预算绩效管理) for a county finance bureau."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from .config import build_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .json_provider import OrjsonProvider


MAX_ID = 2**31 - 1  # the smallest integer range of the databases we run on (PostgreSQL INTEGER)


class DatabaseId(IntegerConverter):
    """`<int:...>` in a URL: an id beyond any database integer is a 404 like any id that does not exist."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0  # ids start at 1: id 0 is never found


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite as a real embedded database: WAL so readers never wait, a busy timeout so writers queue."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def select_locale() -> str:
    # A Celery job (a PDF package, a mail) renders with an app context but no request: Chinese, the default.
    if not has_request_context():
        return "zh_CN"
    chosen = request.cookies.get("lang")
    if chosen in {"zh_CN", "en"}:
        return chosen
    return "zh_CN"


def create_app(overrides: dict[str, object] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.json = OrjsonProvider(app)
    app.url_map.converters["int"] = DatabaseId
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(build_config(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # one line per task state change otherwise

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            db.engine.dispose()  # reconnect so the pragmas apply to every pooled connection

    from . import models  # noqa: F401  (register the tables)
    from .api import api_bp
    from .web import register_web
    from .cli import register_cli
    from .services.deployment import register_deployment
    from .processes import load_all, registry

    load_all()  # every process module registers itself (workflow_app/processes/)
    registry.import_api_views()  # ... and its API routes join api_bp before it is registered
    # Deadlines per step, "<process>:<task>" -> days, from each process's declared settings (DUE_DAYS_*).
    app.config.setdefault("TASK_DUE_DAYS", registry.due_days())

    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with the session cookie
    app.register_blueprint(api_bp)
    register_web(app)
    register_cli(app)
    # Not here and now: `flask db upgrade` creates the tables with this very app. Before the first request.
    register_deployment(app)

    from .worker import init_celery
    init_celery(app)
    return app
