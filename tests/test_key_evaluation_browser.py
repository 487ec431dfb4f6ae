"""The page that matters most to the agency, in a real browser (Debian's chromium driven by Playwright): it scores
every indicator, lists a finding, uploads its report and submits; the performance section then sees the score.
Skipped where chromium is absent. KE_SHOTS=<dir> keeps screenshots of the pages for a look."""
from __future__ import annotations

import os

import pytest

from .helpers import RSJ, project_id
from .key_evaluation_flow import PDF, KeyEvaluationFlow
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def _shot(page, name: str) -> None:
    folder = os.environ.get("KE_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_the_agency_scores_and_uploads_its_report_in_the_browser(app, api, live, chromium, tmp_path):  # noqa: F811
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    task_id = flow.agency.task_named("agency_score", instance_id=flow.instance_id)["id"]
    report = tmp_path / "重点评价报告.pdf"
    report.write_bytes(PDF)

    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(page, live, "thirdparty")
    page.goto(f"{live}/tasks/{task_id}")
    rows = flow.state()["indicators"]
    for i, r in enumerate(rows):
        page.fill(f"#scores-{i}-score", str(r["points"] - (2 if r["name"] == "资金到位率" else 0)))
        page.fill(f"#scores-{i}-comment", "资金拨付滞后两个月" if r["name"] == "资金到位率" else "符合要求")
    page.fill("#method", "资料核查、现场勘查、问卷调查")
    page.fill("#conclusion", "项目总体实施较好")
    page.fill("#findings-0", "资金拨付滞后")
    page.fill("#suggestions", "加快资金拨付")
    page.set_input_files("#evidence-file", str(report))
    _shot(page, "agency_score")
    page.click("button.btn-primary[type=submit]:not([name=upload])")
    page.wait_for_url(f"{live}/tasks*")
    state = flow.state()
    assert state["status"] == "reviewing" and state["agency_score"] == 98
    assert state["findings"] == ["资金拨付滞后"] and len(state["report_attachments"]) == 1

    jxk = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(jxk, live, "jxk")
    jxk.goto(f"{live}/key-evaluations/{flow.id}")
    assert "资金拨付滞后两个月" in jxk.content() and "98.00" in jxk.content()
    _shot(jxk, "detail")
    jxk.goto(f"{live}/key-evaluations/select?fiscal_year=2027")
    _shot(jxk, "select")
