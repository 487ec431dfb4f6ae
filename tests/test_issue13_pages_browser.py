"""Issue 13, items 12, 15 and 16 in a real browser (Debian chromium driven by Playwright): a read-only task page,
the 转办 and 代理 pickers, searching 项目库 and the inbox. Screenshots go to $SCREENSHOT_DIR when it is set."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from workflow_app.extensions import db
from workflow_app.services.org import create_user
from workflow_app.services.standins import today

from .goal_flow import GoalFlow
from .helpers import RSJ, project_id
from .test_browser import CHROMIUM, live, chromium, login, pytestmark  # noqa: F401 - fixtures and the skip mark


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _colleague(app, username: str, roles: list[str], department: str, name: str) -> None:
    with app.app_context():
        create_user(username, "demo-pass-2026", roles, department, name)
        db.session.commit()


def test_read_only_task_page_and_reassign_picker(app, api, live, chromium):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    finance = next(t["id"] for t in flow.instance()["ready_tasks"] if t["name"] == "finance_review")

    filer = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(filer, live, "rsj_filer")
    filer.goto(f"{live}/tasks/{finance}")
    assert filer.locator("[data-readonly]").is_visible()
    assert "财政业务科室" in filer.inner_text("[data-readonly]")
    assert filer.locator("button", has_text="认领").count() == 0
    assert filer.locator("button", has_text="提交").count() == 0
    assert filer.locator("select[name=grade], textarea[name=opinion]").count() == 0
    _shot(filer, "12-filer-finance-task-read-only")

    jxk = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(jxk, live, "jxk")
    jxk.goto(f"{live}/tasks/{finance}")
    jxk.click("summary:has-text('转办')")
    labels = jxk.locator("form[action$='/reassign'] select option").all_inner_texts()
    assert "社保科 李科员（县财政局社会保障科）" in labels and "农业农村科 赵科员（县财政局农业农村科）" in labels
    _shot(jxk, "15-reassign-picker")
    jxk.select_option("form[action$='/reassign'] select", label="农业农村科 赵科员（县财政局农业农村科）")
    jxk.click("form[action$='/reassign'] button")
    jxk.wait_for_url(f"{live}/tasks*")
    assert "已转办" in jxk.content()
    assert [t["id"] for t in api("nyk").tasks("mine")] == [finance]


def test_stand_in_picker(app, live, chromium):
    _colleague(app, "rsj_head2", ["department_head"], "rsj", "人社局 副局长")
    page = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live, "rsj_head")
    page.goto(f"{live}/me/stand-in")
    assert page.locator("select#username option").all_inner_texts() == [
        "选择代理人", "人社局 副局长（县人力资源和社会保障局）", "人社局 黄副局长（县人力资源和社会保障局）"]
    page.select_option("select#username", label="人社局 副局长（县人力资源和社会保障局）")
    page.fill("#from", today().isoformat())
    page.fill("#until", (today() + timedelta(days=5)).isoformat())
    page.click("button:has-text('设置代理')")
    page.wait_for_selector(".alert-info")
    assert "当前代理人：人社局 副局长（县人力资源和社会保障局）" in page.inner_text(".alert-info")
    _shot(page, "15-stand-in-picker")


def test_search_the_project_library_and_the_inbox(app, api, live, chromium):
    filer_api = api("rsj_filer")
    assert filer_api.post("/api/v1/projects", json={"code": "2028-RSJ-001", "name": "城乡居民就业技能培训补贴",
                                                    "department": "rsj", "fiscal_year": 2028,
                                                    "amount": 10}).status_code == 201
    GoalFlow(api, project_id(app, RSJ)).start()
    page = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live, "jxk")
    page.goto(f"{live}/projects")
    page.fill("input[name=q]", "培训")
    page.select_option("select[name=fiscal_year]", "2028")
    page.click("form[role=search] button")
    page.wait_for_url("**/projects?*q=*")
    assert "fiscal_year=2028" in page.url
    rows = page.locator("table tbody tr").all_inner_texts()
    assert len(rows) == 1 and "2028-RSJ-001" in rows[0]
    assert page.input_value("input[name=q]") == "培训"   # the search stays in the box
    _shot(page, "16-project-search")

    filer = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(filer, live, "rsj_filer")
    filer.goto(f"{live}/tasks?scope=started")
    filer.fill("input[name=project_name]", "饮水")
    filer.click("form[method=get] button:has-text('筛选')")
    filer.wait_for_url("**project_name=*")
    assert "没有任务" in filer.content()
    filer.fill("input[name=project_name]", "培训")
    filer.click("form[method=get] button:has-text('筛选')")
    filer.wait_for_url("**project_name=%E5%9F%B9%E8%AE%AD*")
    assert filer.locator("table tbody tr").count() == 1 and "城乡居民就业技能培训补贴" in filer.inner_text("table")
    _shot(filer, "16-inbox-project-name")
