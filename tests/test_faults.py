"""Faults: an error between the engine step and the commit leaves nothing behind; a database that goes
away gives 503 with a message, and the app recovers by itself when it returns."""
from __future__ import annotations

import os
import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from workflow_app import create_app
from workflow_app.extensions import db
from workflow_app.models import AuditEvent, GoalVersion, HumanTask, ProcessInstance, User
from workflow_app.services import audit, instances

from .goal_flow import GoalFlow, goals
from .helpers import RSJ, project_id


def test_an_exception_after_the_engine_step_leaves_no_partial_state(app, api, monkeypatch):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    task = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    with app.app_context():
        before = db.session.get(ProcessInstance, flow.instance_id)
        state, version = before.state, before.lock_version
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))

    real_record = audit.record

    def failing_record(action, *args, **kwargs):
        if action == "complete":
            raise RuntimeError("injected fault between the engine step and the commit")
        return real_record(action, *args, **kwargs)

    monkeypatch.setattr(instances.audit, "record", failing_record)
    with app.test_request_context():
        actor = db.session.scalars(select(User).where(User.username == "rsj_filer")).one()
        with pytest.raises(RuntimeError):
            instances.complete_task(actor, task["id"], json=goals())
    monkeypatch.setattr(instances.audit, "record", real_record)

    with app.app_context():
        db.session.remove()
        after = db.session.get(ProcessInstance, flow.instance_id)
        assert after.state == state and after.lock_version == version
        assert db.session.get(HumanTask, task["id"]).state == "ready"
        assert db.session.scalar(select(func.count()).select_from(GoalVersion)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    # and the task can still be done
    flow.do(flow.filer, "draft_goals", goals())


def test_database_away_gives_503_and_the_app_recovers(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder}/bureau.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "CELERY_EAGER": True,
                      "SECRET_KEY": "t", "BPMN_DIRS": [str(tmp_path)]})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200

    moved = tmp_path / "away"
    shutil.move(str(folder), str(moved))     # the database disappears
    with app.app_context():
        db.engine.dispose()                  # connections die with it
    down = client.get("/healthz")
    assert down.status_code == 503
    api_down = client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
    assert api_down.status_code == 503 and api_down.get_json()["error"] == "unavailable"
    page_down = client.get("/login")
    assert page_down.status_code in (200, 503)  # the login form needs no database

    shutil.move(str(moved), str(folder))     # it comes back: no restart needed
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code == 401
    assert os.path.exists(folder / "bureau.sqlite")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs PostgreSQL (the SQLite case is the test above)")
def test_postgresql_going_away_gives_503_and_the_app_recovers(app, api):
    """The server refuses connections and drops the open ones (as a restart or failover does): requests
    get 503 with a message, and the first request after it is back succeeds, without a restart."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = url.database
    admin = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname="postgres",
                            autocommit=True)
    jxk = api("jxk")
    assert jxk.get("/api/v1/me").status_code == 200
    try:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        for path in ("/api/v1/me", "/api/v1/tasks?scope=group"):
            down = jxk.get(path)
            assert down.status_code == 503, down.get_data(as_text=True)[:300]
            assert down.get_json() == {"error": "unavailable", "message": "数据库暂时不可用，请稍后再试"}
        start_down = jxk.post("/api/v1/processes/test_approval/instances", json={"data": {}})
        assert start_down.status_code == 503
    finally:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
    assert jxk.get("/api/v1/me").status_code == 200
    assert jxk.post("/api/v1/processes/test_approval/instances",
                    json={"data": {}, "project_id": project_id(app, RSJ)}).status_code == 201
