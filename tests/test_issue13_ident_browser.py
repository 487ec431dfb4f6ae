"""Issue 13, items 4, 13, 14 in a real browser (Debian chromium): at the joint review the department sees
专家1…3 and Chinese lane names on the instance page, the performance section sees the experts; a filer marks
all notifications read. Screenshots go to $SCREENSHOT_DIR when set (else the test's tmp folder)."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import User

from .goal_flow import GoalFlow
from .helpers import RSJ, project_id
from .test_browser import chromium, live, login, pytestmark  # noqa: F401 - fixtures and the chromium skip

EXPERT_NAMES = ("林教授", "高会计师", "罗工程师", "梁研究员", "宋审计师")


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _open_instance(context, live_url: str, username: str, instance_id: int):
    page = context.new_page()
    login(page, live_url, username)
    page.goto(f"{live_url}/instances/{instance_id}")
    page.wait_for_selector(".djs-element.wf-current", timeout=15000)
    return page


def test_joint_review_instance_page_as_department_and_performance_section(app, api, live, chromium, tmp_path):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    experts = flow.experts()
    context = chromium.new_context(viewport={"width": 1366, "height": 900})

    filer = _open_instance(context, live, "rsj_filer", flow.instance_id)
    text = filer.inner_text("main")
    for alias in ("专家1", "专家2", "专家3"):
        assert alias in text
    for username in experts:
        assert username not in text
    assert not any(name in text for name in EXPERT_NAMES)
    assert "流程数据" not in text and "goal_version_id" not in text
    # The diagram's lanes are drawn with their Chinese names.
    lanes = filer.locator(".djs-element[data-element-id^='lane_'] text").evaluate_all(
        "nodes => nodes.map(n => n.textContent.trim())")
    assert {"部门填报人", "部门负责人", "绩效科"} <= set(lanes), lanes
    # An expert's review is listed but not a link, and its page is closed to the department.
    assert filer.locator("main a", has_text="专家评审").count() == 0
    expert_task = next(t for t in flow.instance()["ready_tasks"] if t["name"] == "expert_review")
    assert filer.goto(f"{live}/tasks/{expert_task['id']}").status == 404
    filer.goto(f"{live}/instances/{flow.instance_id}")
    filer.wait_for_selector(".djs-element.wf-current", timeout=15000)
    _shot(filer, tmp_path, "instance-rsj_filer")
    filer.locator("figure[data-diagram]").nth(1).locator("[data-zoom=in]").click()
    filer.locator("figure[data-diagram]").nth(1).locator("[data-zoom=in]").click()
    filer.locator("figure[data-diagram]").nth(1).screenshot(
        path=str(Path(os.environ.get("SCREENSHOT_DIR") or tmp_path) / "joint-review-lanes.png"))

    section = _open_instance(chromium.new_context(viewport={"width": 1366, "height": 900}), live, "jxk",
                             flow.instance_id)
    text = section.inner_text("main")
    with app.app_context():  # the performance section sees who the experts are, by name (never by login)
        names = {u.username: u.name for u in db.session.scalars(select(User).where(User.username.in_(experts)))}
    for username in experts:
        assert names[username] in text and username not in text
    assert "performance_section" not in text and "finance_business" not in text
    _shot(section, tmp_path, "instance-jxk")


def test_filer_marks_all_notifications_read(app, api, live, chromium, tmp_path):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    page = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(page, live, "rsj_head")
    page.goto(f"{live}/notifications")
    first = page.inner_text("main .list-group-item >> nth=0")
    assert "城乡居民就业技能培训补贴" in first and "：" in first
    assert page.locator("nav .badge.bg-danger").count() == 1
    _shot(page, tmp_path, "notifications-before")
    page.click("#mark-all-read")
    page.wait_for_selector(".alert")
    assert "标为已读" in page.inner_text(".alert")
    assert page.locator("#mark-all-read").count() == 0
    assert page.locator("nav .badge.bg-danger").count() == 0
    _shot(page, tmp_path, "notifications-after")
