"""绩效运行监控 in a real browser (Debian chromium + Playwright): the performance section picks the year and the
cut-off month and starts a round; the department fills the prefilled 监控表 and sees the computed warnings."""
from __future__ import annotations

import pytest

from .helpers import RSJ, project_id
from .monitoring_flow import YEAR, approve_goals
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def test_start_a_round_with_the_picker_and_fill_the_table(app, api, live, chromium):
    approve_goals(api, project_id(app, RSJ), RSJ, 300)
    page = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live, "jxk")
    page.goto(f"{live}/monitoring")
    page.fill("#round-year", str(YEAR))
    page.select_option("#round-month", "7")
    page.click("form.monitoring-start button[type=submit]")
    page.wait_for_url(f"{live}/monitoring/rounds/*")
    assert "已启动 1 / 1 个项目" in page.inner_text("body")
    round_id = int(page.url.rsplit("/", 1)[1])
    report = api("jxk").get(f"/api/v1/monitoring-rounds/{round_id}").get_json()["reports"][0]
    task = api("rsj_filer").task_named("fill_report", instance_id=report["instance_id"])

    filer = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(filer, live, "rsj_filer")
    filer.goto(f"{live}/tasks/{task['id']}")
    filer.wait_for_selector("table.monitoring-fill")
    assert filer.input_value("[data-budget]") == "300.00"
    filer.fill("input[name=executed]", "60")
    filer.fill("input[name=forecast]", "280")
    filer.fill("textarea[name=overall_progress]", "已培训800人次")
    progress = ["800", "92", "已帮助300人就业", "93"]
    for i, value in enumerate(progress):
        filer.fill(f"input[name=indicators-{i}-progress]", value)
        filer.fill(f"input[name=indicators-{i}-forecast]", value)
        filer.select_option(f"select[name=indicators-{i}-likelihood]", "certain")
    filer.select_option("select[name=indicators-0-likelihood]", "possible")
    filer.click("form[action*=\"/tasks/\"] > button.btn-primary[type=submit]")
    # A likely miss needs its cause and measures: the page comes back with everything typed.
    filer.wait_for_selector(".invalid-feedback")
    assert filer.input_value("input[name=indicators-0-progress]") == "800"
    filer.select_option("select[name=indicators-0-cause]", "funding")
    filer.fill("textarea[name=indicators-0-measures]", "下半年加快培训进度")
    filer.click("form[action*=\"/tasks/\"] > button.btn-primary[type=submit]")
    filer.wait_for_url(f"{live}/tasks*")
    filer.goto(f"{live}/monitoring/reports/{report['id']}")
    text = filer.inner_text("body")
    assert "红色预警" in text and "1项指标偏离" in text and "下半年加快培训进度" in text
