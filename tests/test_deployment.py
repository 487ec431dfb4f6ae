"""Deploying BPMN: versions by content, broken files left out, running instances kept on their version."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import delete, select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from workflow_app.services import deployment

from .conftest import TESTS
from .helpers import start


def _versions(key: str) -> list[int]:
    return list(db.session.scalars(select(ProcessDefinition.version).where(ProcessDefinition.key == key)
                                   .order_by(ProcessDefinition.version)))


def test_same_content_is_deployed_once_and_a_change_makes_a_new_version(app, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(TESTS / "bpmn" / "test_approval.bpmn", folder / "test_approval.bpmn")
    with app.app_context():
        assert deployment.deploy([str(folder)]) == []
        assert deployment.deploy([str(folder)], force=True) == []
        assert _versions("test_approval") == [1]
        path = folder / "test_approval.bpmn"
        path.write_text(path.read_text(encoding="utf-8").replace('"P2D"', '"P3D"'), encoding="utf-8")
        deployment.deploy([str(folder)])          # a running process does not re-read files per request
        assert _versions("test_approval") == [1]
        deployment.deploy([str(folder)], force=True)   # `flask processes deploy`, or the next start
        assert _versions("test_approval") == [1, 2]


def test_a_broken_file_is_reported_and_the_last_good_version_keeps_serving(app, tmp_path, api):
    folder = tmp_path / "models"
    folder.mkdir()
    good = (TESTS / "bpmn" / "test_approval.bpmn").read_text(encoding="utf-8")
    (folder / "test_approval.bpmn").write_text(good, encoding="utf-8")
    with app.app_context():
        deployment.deploy([str(folder)])
        broken = good.replace('"P2D"', '"P2D')  # an unterminated string in the timer
        (folder / "test_approval.bpmn").write_text(broken, encoding="utf-8")
        (folder / "garbage.bpmn").write_text("<definitions", encoding="utf-8")
        problems = deployment.deploy([str(folder)], force=True)
        files = sorted(Path(p.file).name for p in problems)
        assert files == ["garbage.bpmn", "test_approval.bpmn"]
        assert _versions("test_approval") == [1]
    assert start(api("jxk"), "test_approval").status_code == 201


def test_processes_check_names_the_file(app, tmp_path, monkeypatch):
    (tmp_path / "bad.bpmn").write_text("<definitions", encoding="utf-8")
    app.config["BPMN_DIRS"].append(str(tmp_path))
    try:
        result = app.test_cli_runner().invoke(args=["processes", "check"])
    finally:
        app.config["BPMN_DIRS"].remove(str(tmp_path))
    assert result.exit_code == 1
    assert "bad.bpmn" in result.output


def test_naming_the_shipped_folder_again_in_bpmn_dirs_deploys_it_once(monkeypatch, tmp_path):
    from workflow_app.config import PROJECT_ROOT, build_config
    monkeypatch.setenv("BPMN_DIRS", f"{PROJECT_ROOT / 'bpmn'}/{os.pathsep}{TESTS / 'bpmn'}")
    dirs = build_config(tmp_path)["BPMN_DIRS"]
    assert [Path(d).resolve() for d in dirs] == [(PROJECT_ROOT / "bpmn").resolve(), (TESTS / "bpmn").resolve()]


def test_a_first_deployment_never_commits_half_of_a_unit_of_work(app):
    """The first start in a process deploys (and commits) the definitions: that must not commit the
    caller's unfinished writes along with them, or an error after it would leave half a change behind."""
    from workflow_app.models import Department
    from workflow_app.services.errors import Invalid
    from workflow_app.services.transaction import transactional

    @transactional
    def add_then_fail() -> None:
        db.session.add(Department(code="half", name="半途"))
        db.session.flush()
        deployment.latest_definition("test_approval")  # the first use of a process in this worker
        raise Invalid("late failure")

    with app.app_context():
        deployment.forget_deployments()
        try:
            add_then_fail()
        except Invalid:
            pass
        db.session.remove()
        assert db.session.scalars(select(Department).where(Department.code == "half")).first() is None
        assert _versions("test_approval") == [1]


def test_definitions_emptied_under_a_running_worker_are_deployed_again(app, api):
    """A worker that deployed once keeps that in memory; if the database is emptied or restored under it
    (as CI's test database is, between tests, under its long-lived Celery worker) the next start must
    deploy again rather than answer that the process does not exist."""
    jxk = api("jxk")
    assert start(jxk, "test_approval", {}).status_code == 201
    with app.app_context():
        db.session.execute(delete(HumanTask))
        db.session.execute(delete(AuditEvent))
        db.session.execute(delete(ProcessInstance))
        db.session.execute(delete(ProcessDefinition))
        db.session.commit()
    assert start(jxk, "test_approval", {}).status_code == 201
    assert start(jxk, "no_such_process", {}).status_code == 404
    with app.app_context():
        assert _versions("test_approval") == [1]
