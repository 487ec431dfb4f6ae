"""The 自评表 in a real browser (Debian's chromium through Playwright): the breakdown follows what the filer types,
before anything is sent, and the server stores the same total. Skipped where chromium is absent."""
from __future__ import annotations

from .helpers import RSJ, project_id
from .self_evaluation_flow import SelfEvaluationFlow, approve_goals
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 - fixtures

import pytest

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def test_the_breakdown_is_live_and_the_server_agrees(app, api, live, chromium):  # noqa: F811
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    task_id = flow.filer.task_named("fill_evaluation", project_id=rsj)["id"]
    errors: list[str] = []
    page = chromium.new_context().new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live, "rsj_filer")
    page.goto(f"{live}/tasks/{task_id}")
    page.fill("[name=executed]", "285")
    assert page.inner_text("[data-eval-out=execution-score]") == "9.50"
    page.fill("[name=rows-0-actual]", "2800")
    page.fill("[name=rows-1-actual]", "92")
    page.select_option("[name=rows-2-level]", "达成")
    page.fill("[name=rows-2-share]", "90")
    page.fill("[name=rows-3-actual]", "95")
    assert page.inner_text("[data-eval-row]:nth-child(1) [data-eval-out=score]") == "31.11"
    assert page.inner_text("[data-eval-out=total]") == "94.28"
    assert page.inner_text("[data-eval-out=grade]") == "优"
    # The row that missed its target is marked for its deviation cause.
    assert "table-warning" in page.get_attribute("[data-eval-row]:nth-child(1)", "class")
    assert "table-warning" not in (page.get_attribute("[data-eval-row]:nth-child(2)", "class") or "")
    page.fill("[name=rows-0-cause]", "两个乡镇延期开班")
    page.fill("[name=overall_actual]", "完成培训2800人次")
    page.click("form[novalidate] button[type=submit]:not([name=upload])")
    page.wait_for_url(f"{live}/tasks*")
    assert flow.evaluation(rsj)["score"] == 94.28
    assert errors == []
