"""The unit of work only commits or rolls back: deployment happens outside it, mail jobs are queued after its
commit, and the services never import the worker (no services ↔ worker cycle)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from workflow_app.celery_app import SEND_NOTIFICATION_MAIL, celery_app
from workflow_app.extensions import db
from workflow_app.models import Department, Notification, ProcessDefinition, User
from workflow_app.services import deployment, instances, notifications
from workflow_app.services.errors import Invalid
from workflow_app.services.transaction import after_commit, transactional

SERVICES = Path(__file__).resolve().parent.parent / "workflow_app" / "services"


def _worker_imports(path: Path) -> list[str]:
    """Every import of workflow_app.worker in a module, at its top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names = [alias.name for alias in node.names]
            if module.endswith("worker") or (module.strip(".") in {"", "workflow_app"} and "worker" in names):
                found.append(f"{path.name}:{node.lineno}")
        elif isinstance(node, ast.Import) and any(a.name == "workflow_app.worker" for a in node.names):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_service_imports_the_worker() -> None:
    offending = [hit for path in sorted(SERVICES.glob("*.py")) for hit in _worker_imports(path)]
    assert offending == []


def test_importing_every_service_leaves_the_worker_unimported() -> None:
    modules = sorted(f"workflow_app.services.{p.stem}" for p in SERVICES.glob("*.py") if p.stem != "__init__")
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "assert 'workflow_app.worker' not in sys.modules, 'a service imported the worker'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=SERVICES.parent.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def _commits_of_the_unit_session() -> tuple[list[int], object]:
    """Count commits of the request/service session (db.session), not of deployment's own session."""
    commits: list[int] = []
    unit_session = db.session()

    def counted(session: Session) -> None:
        if session is unit_session:
            commits.append(1)
    event.listen(Session, "after_commit", counted)
    return commits, counted


def test_a_first_start_commits_once_and_deploys_on_its_own_session(app) -> None:
    with app.app_context():
        deployment.forget_deployments()
        assert db.session.scalars(select(ProcessDefinition)).first() is None  # a fresh database
        jxk = db.session.scalars(select(User).where(User.username == "jxk")).one()
        commits, listener = _commits_of_the_unit_session()
        try:
            started = instances.start_instance(jxk, "test_approval", {})
        finally:
            event.remove(Session, "after_commit", listener)
        assert started.instance.id is not None
        assert commits == [1]  # the unit's own commit; the definitions were committed by deployment's session
        assert db.session.scalars(select(ProcessDefinition.key).where(
            ProcessDefinition.key == "test_approval")).all() == ["test_approval"]
        db.session.remove()


def test_a_request_deploys_before_its_view_runs(app, api) -> None:
    with app.app_context():
        deployment.forget_deployments()
    response = api("jxk").get("/api/v1/processes")  # a read: it lists what the first request deployed
    assert response.status_code == 200
    assert "test_approval" in {item["key"] for item in response.get_json()["items"]}


def test_after_commit_callbacks_run_after_the_commit_and_never_after_a_rollback(app) -> None:
    seen: list[str] = []

    def committed_elsewhere(code: str) -> bool:
        with Session(db.engine) as other:  # another connection sees only committed rows
            return other.scalars(select(Department).where(Department.code == code)).first() is not None

    @transactional
    def add(code: str, fail: bool) -> None:
        db.session.add(Department(code=code, name=code))
        db.session.flush()
        after_commit(lambda: seen.append(f"{code}:{committed_elsewhere(code)}"))
        if fail:
            raise Invalid("late failure")

    with app.app_context():
        with pytest.raises(Invalid):
            add("uow-bad", True)
        add("uow-good", False)
        db.session.remove()
    assert seen == ["uow-good:True"]


def test_mail_is_queued_after_the_commit_and_not_for_a_rolled_back_unit(app, monkeypatch) -> None:
    queued: list[int] = []
    job = celery_app.tasks[SEND_NOTIFICATION_MAIL]
    monkeypatch.setattr(job, "delay", lambda notification_id: queued.append(notification_id))
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")

    @transactional
    def notify_then(fail: bool) -> list[int]:
        user = db.session.scalars(select(User).where(User.username == "slj_filer")).one()
        created = notifications.notify([user], "urge", "催办：测试")
        db.session.flush()
        assert queued == []  # nothing queued before the commit
        if fail:
            raise Invalid("late failure")
        return [n.id for n in created]

    with app.app_context():
        with pytest.raises(Invalid):
            notify_then(True)
        assert queued == []
        ids = notify_then(False)
        assert queued == ids
        assert db.session.scalars(select(Notification.id).where(Notification.id.in_(ids))).all() == ids
        db.session.remove()
