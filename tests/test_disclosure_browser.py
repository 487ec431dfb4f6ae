"""In a real browser (chromium, Playwright): importing a goal table from Excel into the indicator editor and
submitting it, and the 人大 package page's progress bar (its width set by script under the strict CSP)."""
from __future__ import annotations

from .disclosure_flow import approve
from .helpers import RSJ, SLJ, project_id
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 (fixtures)

import pytest

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def test_filer_imports_the_goal_table_and_submits_it(app, api, live, chromium, tmp_path):  # noqa: F811
    approve(app, api, RSJ, "rsj")
    workbook = tmp_path / "绩效目标表.xlsx"
    workbook.write_bytes(api("rsj_filer").get(f"/api/v1/projects/{project_id(app, RSJ)}/goal-table.xlsx").data)
    filer = api("slj_filer")
    instance = filer.post(f"/api/v1/projects/{project_id(app, SLJ)}/goal-review").get_json()["instance_id"]
    task = filer.task_named("draft_goals", instance_id=instance)

    errors: list[str] = []
    page = chromium.new_context().new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live, "slj_filer")
    page.goto(f"{live}/tasks/{task['id']}")
    page.click("details.goal-import summary")
    page.set_input_files("details.goal-import input[name=file]", str(workbook))
    page.click("details.goal-import button")
    page.wait_for_selector(".alert-success")
    assert "已从 Excel 读入 4 个指标" in page.content()
    assert page.input_value("[name=indicators-3-name]") == "学员满意度"
    assert page.input_value("textarea[name=overall_goal]").startswith("全年开展就业技能培训3000人次")
    assert page.inner_text("[data-weight-total]").startswith("100")    # the editor's script counts the rows
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(f"{live}/tasks*")
    assert "已提交" in page.content()
    assert not errors, errors
    goal = api("jxk").get(f"/api/v1/projects/{project_id(app, SLJ)}").get_json()["goal"]
    assert [i["name"] for i in goal["indicators"]] == ["培训人次", "培训合格率", "促进城乡劳动者就业", "学员满意度"]


def test_package_page_builds_and_shows_the_bar(app, api, live, chromium):  # noqa: F811
    approve(app, api, RSJ, "rsj")
    page = chromium.new_context().new_page()
    login(page, live, "jxk")
    page.goto(f"{live}/npc-packages")
    page.fill("#npc-year", "2027")
    page.click("form[action$='/npc-packages'] button")
    page.wait_for_selector("tr.npc-package a[data-download]:not(.d-none)")
    bar_width, track_width = page.evaluate(
        "() => { const b = document.querySelector('[data-bar]'); "
        "return [b.getBoundingClientRect().width, b.parentNode.getBoundingClientRect().width]; }")
    assert track_width > 0 and abs(bar_width - track_width) < 1        # done: a full bar
    assert len(page.inner_text("[data-sha]").strip()) == 64
