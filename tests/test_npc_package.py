"""报送人大材料包 (issue 17): for a year, one PDF of cover, contents, the key evaluation reports, the whole-department
self-evaluation reports and the summary table of grades, built by a background job (run eagerly here; CI's real
worker runs the same job), its progress as JSON, the file kept with its SHA-256 and checked on every download.
Goal tables are not in it (they go to 人大 with the budget)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, NpcPackage
from workflow_app.processes import registry
from workflow_app.processes.registry import PublicationKind, PublishableDocument
from workflow_app.services import npc_package

from .conftest import csrf_from
from .department_performance_flow import LAST_YEAR
from .disclosure_flow import (DEPARTMENT_TITLE, EVALUATED, EVALUATED_NAME, EVALUATION_TITLE, OBJECTION,
                              confirmed_department_report, finished_key_evaluation)


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """The PDF's text (poppler's pdftotext), or None where it is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "package.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture
def front_matter(monkeypatch) -> list[str]:
    """The package's own pages as the job renders them, last rendering last: the front matter (cover, contents)
    and the closing summary table of grades (prefixed "SUMMARY:")."""
    rendered: list[str] = []
    original = npc_package.render_template

    def recording(template: str, **context) -> str:
        html = original(template, **context)
        if template == "pdf/npc_package.html":
            rendered.append(html)
        elif template == "pdf/npc_package_summary.html":
            rendered.append("SUMMARY:" + html)
        return html
    monkeypatch.setattr(npc_package, "render_template", recording)
    return rendered


def test_a_year_package_is_built_kept_and_checked(app, api, tmp_path, front_matter):
    evaluation = finished_key_evaluation(app, api, with_goal_table=True)   # the year has a goal table too
    case = confirmed_department_report(app, api)
    jxk = api("jxk")
    # 人大 gets the year's reports whether or not they are public
    assert jxk.put(f"/api/v1/publications/key_evaluation_report/{evaluation}",
                   json={"published": False, "reason": "评价涉及个人补助信息"}).status_code == 200
    started = jxk.post("/api/v1/npc-packages", json={"fiscal_year": LAST_YEAR})
    assert started.status_code == 202, started.get_json()
    package = started.get_json()
    assert (package["status"], package["documents"], package["percent"]) == ("done", 2, 100)   # no goal table
    status = jxk.get(f"/api/v1/npc-packages/{package['id']}").get_json()
    assert status["done_steps"] == status["total_steps"] == 4 and len(status["sha256"]) == 64

    # the contents: key evaluation reports first, then the whole-department reports, the summary of grades last
    contents = front_matter[-1]
    summary = next(html for html in front_matter if html.startswith("SUMMARY:"))
    assert "项目绩效目标表" not in contents and "总体目标" not in contents
    first, second = contents.index("、重点绩效评价报告（1 份）"), contents.index("、部门整体绩效自评报告（1 份）")
    assert first < contents.index(EVALUATION_TITLE) < second < contents.index(DEPARTMENT_TITLE) \
        < contents.index("三、绩效评价结果汇总表")
    assert "绩效评价结果汇总表</h1>" not in contents
    assert f"{EVALUATION_TITLE}（{EVALUATED}）" in summary and "92.5" in summary
    assert f"{DEPARTMENT_TITLE}（rsj）" in summary and f"{case['score']:.1f}" in summary
    rows = [summary[summary.index(EVALUATION_TITLE):summary.index(DEPARTMENT_TITLE)],
            summary[summary.index(DEPARTMENT_TITLE):]]
    assert '<td style="text-align: center">优</td>' in rows[0]
    assert f'<td style="text-align: center">{case["grade"]}</td>' in rows[1]

    download = api("supervisor").get(f"/api/v1/npc-packages/{package['id']}/file")   # 人大预工委 reads it
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert hashlib.sha256(download.data).hexdigest() == status["sha256"] == download.headers["X-Content-SHA256"]
    assert len(download.data) == status["size"]
    text = pdf_text(download.data, tmp_path)
    if text is not None:
        for words in (f"{LAST_YEAR}年度", "绩效评价结果汇总表", "重点绩效评价报告", "部门整体绩效自评报告"):
            assert words in text, words
        # each report starts on the page the contents give for it, in the contents' order
        pages = text.split("\f")
        evaluation_page, department_page = (int(n) for n in re.findall(r'<td class="page">(\d+)</td>', contents))
        assert 3 <= evaluation_page < department_page   # after the cover and the contents
        assert EVALUATED_NAME in pages[evaluation_page - 1] and "重点绩效评价报告" in pages[evaluation_page - 1]
        assert "部门整体绩效自评报告" in pages[department_page - 1]
        assert "县人力资源和社会保障局" in pages[department_page - 1]
        # the summary table closes the bundle, on the page the contents give for it
        summary_page = int(re.search(r'<td class="section page">(\d+)</td>', contents).group(1))
        assert summary_page > department_page and "绩效评价结果汇总表" in pages[summary_page - 1]
        assert not "".join(pages[summary_page:]).strip()   # nothing after it
        assert OBJECTION not in text            # the key evaluation is bound as published: without section 七
        assert "项目绩效目标表" not in text
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


def test_the_sections_follow_their_declared_order(app):
    """Key evaluation reports, then whole-department reports: by `npc_order`, not by import order."""
    with app.app_context():
        keys = [kind.key for kind, _documents in npc_package.contents_of(LAST_YEAR)]
    assert keys == ["key_evaluation_report", "department_performance_report"]
    assert registry.publication_kind("goal_table").in_npc_package is False
    late = PublicationKind(key="test_early", label="先列的", documents=lambda year: [], html=lambda _id: "",
                           in_npc_package=True, npc_order=1)
    module = registry.register(registry.ProcessModule(key="test_early_process", publications=(late,)))
    try:
        with app.app_context():
            keys = [kind.key for kind, _documents in npc_package.contents_of(LAST_YEAR)]
        assert keys == ["test_early", "key_evaluation_report", "department_performance_report"]
    finally:
        registry._modules.pop(module.key)


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


def test_an_empty_year_still_gives_a_package(app, api, tmp_path):
    package = api("jxk").post("/api/v1/npc-packages", json={"fiscal_year": 2031}).get_json()
    assert (package["status"], package["documents"]) == ("done", 0)
    data = api("jxk").get(f"/api/v1/npc-packages/{package['id']}/file").data
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert "本年度没有可报送的文件" in text


def test_the_page_builds_and_polls(app, api, browser):
    confirmed_department_report(app, api)
    page = browser("jxk")
    listing = page.get("/npc-packages").get_data(as_text=True)
    assert "生成材料包" in listing
    response = page.post("/npc-packages", data={"csrf_token": csrf_from(listing), "fiscal_year": str(LAST_YEAR)})
    assert response.status_code == 302
    with app.app_context():
        package = db.session.scalars(select(NpcPackage)).one()
        package_id, sha, documents = package.id, package.sha256, package.documents
    assert documents == 1
    html = page.get("/npc-packages").get_data(as_text=True)
    assert sha in html and f"/npc-packages/{package_id}/file" in html and "progress-bar" in html
    status = page.get(f"/npc-packages/{package_id}.json").get_json()
    assert (status["status"], status["percent"], status["sha256"]) == ("done", 100, sha)
    assert page.get(f"/npc-packages/{package_id}/file").data.startswith(b"%PDF-")
    refused = page.post("/npc-packages", data={"csrf_token": csrf_from(html), "fiscal_year": "明年"})
    assert refused.status_code == 422
    assert browser("rsj_filer").get("/npc-packages").status_code == 403
    assert browser("rsj_filer").get(f"/npc-packages/{package_id}.json").status_code == 403


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


def test_the_job_builds_outside_any_request_as_a_worker_runs_it(app, api, tmp_path):
    """A worker has an app context but no request: the reports' translated labels must still render
    (the locale selector read the request's cookie and the real worker's build failed)."""
    confirmed_department_report(app, api)
    with app.app_context():
        package = NpcPackage(fiscal_year=LAST_YEAR, status="queued", requested_by="jxk")
        db.session.add(package)
        db.session.commit()
        package_id = package.id
        digest = npc_package.build(package_id)
        row = db.session.get(NpcPackage, package_id)
        assert (row.status, row.error, row.documents) == ("done", None, 1)
        assert digest == row.sha256 and len(digest) == 64
        data = (npc_package.package_dir() / row.filename).read_bytes()
        db.session.remove()
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert DEPARTMENT_TITLE in re.sub(r"\s", "", text)   # the title wraps in the PDF


@pytest.mark.skipif(not BROKER, reason="needs a broker and a running worker (CI starts them)")
def test_the_worker_builds_a_package_sent_through_the_broker(app, api):
    """The job as the real worker runs it (the app's own Celery runs eagerly in the tests)."""
    from celery import Celery

    confirmed_department_report(app, api)
    with app.app_context():
        package = NpcPackage(fiscal_year=LAST_YEAR, status="queued", requested_by="jxk")
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
