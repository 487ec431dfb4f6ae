"""报送人大材料包: a year's documents bound into one PDF by a background job (run eagerly here; CI's real worker
runs the same job), its progress as JSON, the file kept with its SHA-256 and checked on every download. The package
is built from the publication kinds that say they go to 人大, whichever process declares them."""
from __future__ import annotations

import hashlib
import os
import time
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, Department, NpcPackage
from workflow_app.processes import registry
from workflow_app.processes.registry import PublicationKind, PublishableDocument
from workflow_app.services import npc_package

from .conftest import csrf_from
from .disclosure_flow import approve
from .helpers import RSJ, SLJ


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """The PDF's text (poppler's pdftotext), or None where it is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "package.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_a_year_package_is_built_kept_and_checked(app, api, tmp_path):
    first, second = approve(app, api, RSJ, "rsj"), approve(app, api, SLJ, "slj")
    jxk = api("jxk")
    # 人大 gets the year's documents whether or not they are public
    assert jxk.put(f"/api/v1/publications/goal_table/{second}",
                   json={"published": False, "reason": "涉及饮水工程安全信息"}).status_code == 200
    started = jxk.post("/api/v1/npc-packages", json={"fiscal_year": 2027})
    assert started.status_code == 202, started.get_json()
    package = started.get_json()
    assert (package["status"], package["documents"], package["percent"]) == ("done", 2, 100)
    status = jxk.get(f"/api/v1/npc-packages/{package['id']}").get_json()
    assert status["done_steps"] == status["total_steps"] == 4 and len(status["sha256"]) == 64

    download = api("supervisor").get(f"/api/v1/npc-packages/{package['id']}/file")   # 人大预工委 reads it
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert hashlib.sha256(download.data).hexdigest() == status["sha256"] == download.headers["X-Content-SHA256"]
    assert len(download.data) == status["size"]
    text = pdf_text(download.data, tmp_path)
    if text is not None:
        for words in ("2027年度", "目", "绩效评价结果汇总表", "城乡居民就业技能培训补贴", "农村饮水安全巩固提升工程",
                      "项目绩效目标表", "总体目标"):
            assert words in text, words
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "npc_package")) \
            == "npc_package_requested"

    # a file changed after it was built is refused, not served
    with app.app_context():
        row = db.session.get(NpcPackage, package["id"])
        path = npc_package.package_dir() / row.filename
        db.session.remove()
    path.write_bytes(download.data + b"%tampered")
    refused = jxk.get(f"/api/v1/npc-packages/{package['id']}/file")
    assert refused.status_code == 409 and "SHA-256" in refused.get_json()["message"]


def test_who_may_build_and_read(app, api):
    assert api("rsj_filer").post("/api/v1/npc-packages", json={"fiscal_year": 2027}).status_code == 403
    assert api("supervisor").post("/api/v1/npc-packages", json={"fiscal_year": 2027}).status_code == 403
    assert api("rsj_filer").get("/api/v1/npc-packages").status_code == 403
    assert api().get("/api/v1/npc-packages").status_code == 401
    for bad in ({"fiscal_year": "next"}, {"fiscal_year": 1900}, {}, {"fiscal_year": True}):
        assert api("jxk").post("/api/v1/npc-packages", json=bad).status_code == 422, bad
    with app.app_context():
        assert db.session.scalar(select(NpcPackage.id)) is None
    assert api("jxk").get("/api/v1/npc-packages/999").status_code == 404


def test_an_empty_year_still_gives_a_package(app, api):
    package = api("jxk").post("/api/v1/npc-packages", json={"fiscal_year": 2031}).get_json()
    assert (package["status"], package["documents"]) == ("done", 0)
    assert api("jxk").get(f"/api/v1/npc-packages/{package['id']}/file").data.startswith(b"%PDF-")


def test_the_page_builds_and_polls(app, api, browser):
    approve(app, api, RSJ, "rsj")
    page = browser("jxk")
    listing = page.get("/npc-packages").get_data(as_text=True)
    assert "生成材料包" in listing
    response = page.post("/npc-packages", data={"csrf_token": csrf_from(listing), "fiscal_year": "2027"})
    assert response.status_code == 302
    with app.app_context():
        package = db.session.scalars(select(NpcPackage)).one()
        package_id, sha = package.id, package.sha256
    html = page.get("/npc-packages").get_data(as_text=True)
    assert sha in html and f"/npc-packages/{package_id}/file" in html and "progress-bar" in html
    status = page.get(f"/npc-packages/{package_id}.json").get_json()
    assert (status["status"], status["percent"], status["sha256"]) == ("done", 100, sha)
    assert page.get(f"/npc-packages/{package_id}/file").data.startswith(b"%PDF-")
    refused = page.post("/npc-packages", data={"csrf_token": csrf_from(html), "fiscal_year": "明年"})
    assert refused.status_code == 422
    assert browser("rsj_filer").get("/npc-packages").status_code == 403
    assert browser("rsj_filer").get(f"/npc-packages/{package_id}.json").status_code == 403


@pytest.fixture
def evaluation_kind(app):
    """A second kind as another process declares it (the key evaluation reports wire in the same way)."""
    with app.app_context():
        water = db.session.scalar(select(Department.id).where(Department.code == "slj"))
    report = PublishableDocument(id=7, title="乡村振兴衔接资金重点绩效评价报告", code="2027-PJ-007", department_id=water,
                                 department_name="县水务局", fiscal_year=2027,
                                 approved_at=datetime(2027, 6, 1, tzinfo=timezone.utc), grade="良", score=86.5)
    kind = PublicationKind(
        key="test_evaluation", label="重点绩效评价报告",
        documents=lambda year: [report] if year in (None, 2027) else [],
        html=lambda _id: render_template_string(
            '{% extends "pdf/_base.html" %}{% block body %}<h1>重点绩效评价报告</h1><p>评价结论：良</p>{% endblock %}'),
        in_npc_package=True)
    module = registry.register(registry.ProcessModule(key="test_evaluation_process", publications=(kind,)))
    yield kind
    registry._modules.pop(module.key)


def test_other_kinds_join_the_package_and_the_portal(app, api, evaluation_kind, tmp_path):
    table = approve(app, api, RSJ, "rsj")
    jxk = api("jxk")
    package = jxk.post("/api/v1/npc-packages", json={"fiscal_year": 2027}).get_json()
    assert package["documents"] == 2
    text = pdf_text(jxk.get(f"/api/v1/npc-packages/{package['id']}/file").data, tmp_path)
    if text is not None:
        assert "乡村振兴衔接资金重点绩效评价报告" in text and "86.5" in text and "评价结论：良" in text

    listed = {(i["kind"], i["id"]) for i in jxk.get("/api/v1/publications").get_json()["items"]}
    assert listed == {("goal_table", table), ("test_evaluation", 7)}
    assert api().get("/api/v1/public/documents").get_json()["items"] == []
    assert api().get("/api/v1/public/documents/test_evaluation/7.pdf").status_code == 404
    assert api("slj_filer").put("/api/v1/publications/test_evaluation/7", json={"published": True}).status_code == 200
    public = api().get("/api/v1/public/documents?kind=test_evaluation").get_json()["items"]
    assert [(i["code"], i["department"]) for i in public] == [("2027-PJ-007", "slj")]
    assert api().get("/api/v1/public/documents/test_evaluation/7.pdf").data.startswith(b"%PDF-")
    assert "乡村振兴衔接资金重点绩效评价报告" in app.test_client().get("/public?q=乡村振兴").get_data(as_text=True)



def test_a_failing_document_fails_the_build_visibly_and_frees_the_year(app, api):
    def broken(_id: int) -> str:
        raise RuntimeError("报告模板缺失")
    report = PublishableDocument(id=1, title="坏报告", code="X-1", department_id=1, department_name="县财政局",
                                 fiscal_year=2027, approved_at=None)
    module = registry.register(registry.ProcessModule(key="test_broken_process", publications=(PublicationKind(
        key="test_broken", label="坏报告", documents=lambda year: [report], html=broken, in_npc_package=True),)))
    try:
        failed = api("jxk").post("/api/v1/npc-packages", json={"fiscal_year": 2027})
        assert failed.status_code == 202
        assert (failed.get_json()["status"], failed.get_json()["error"]) == ("failed", "报告模板缺失")
        assert api("jxk").get(f"/api/v1/npc-packages/{failed.get_json()['id']}/file").status_code == 409
    finally:
        registry._modules.pop(module.key)
    again = api("jxk").post("/api/v1/npc-packages", json={"fiscal_year": 2027})
    assert again.status_code == 202 and again.get_json()["status"] == "done"

BROKER = os.environ.get("TEST_CELERY_BROKER_URL")


@pytest.mark.skipif(not BROKER, reason="needs a broker and a running worker (CI starts them)")
def test_the_worker_builds_a_package_sent_through_the_broker(app, api):
    """The job as the real worker runs it (the app's own Celery runs eagerly in the tests)."""
    from celery import Celery

    approve(app, api, RSJ, "rsj")
    with app.app_context():
        package = NpcPackage(fiscal_year=2027, status="queued", requested_by="jxk")
        db.session.add(package)
        db.session.commit()
        package_id = package.id
        db.session.remove()
    Celery("test-sender", broker=BROKER).send_task("workflow_app.build_npc_package", args=[package_id])
    deadline, status = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        with app.app_context():
            row = db.session.get(NpcPackage, package_id)
            status, sha, documents = row.status, row.sha256, row.documents
            db.session.remove()
        if status in ("done", "failed"):
            break
        time.sleep(0.5)
    assert (status, documents) == ("done", 1) and len(sha) == 64
