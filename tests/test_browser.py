"""A real browser (Debian's chromium driven by Playwright) on the live app: the indicator editor's script,
the goal review journey in the pages, the diagram, and a phone's width. Skipped where chromium is absent."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from .helpers import RSJ, project_id

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "demo-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/tasks*")


def test_filer_drafts_goals_with_the_editor_and_head_signs_off(app, live, chromium):
    errors: list[str] = []
    context = chromium.new_context()
    page = context.new_page()
    # A 422 page is the expected answer to the invalid submission; anything else logged as an error is a bug.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None)
    login(page, live, "rsj_filer")
    page.goto(f"{live}/projects/{project_id(app, RSJ)}")
    page.click("form[action$='/goal-review'] button")
    page.wait_for_selector("textarea[name=overall_goal]")
    page.fill("textarea[name=overall_goal]", "全年培训3000人次")
    rows = [("产出指标", "数量指标", "培训人次", ">=", "3000", "人次", "60"),
            ("效益指标", "社会效益指标", "促进就业", "定性", "明显提升", "", "30")]
    for index, (l1, l2, name, op, target, unit, weight) in enumerate(rows):
        if index > 0:
            page.click("button[data-action=add]")
        prefix = f"indicators-{index}-"
        page.select_option(f"[name={prefix}level1]", l1)
        page.select_option(f"[name={prefix}level2]", l2)
        page.fill(f"[name={prefix}name]", name)
        page.select_option(f"[name={prefix}operator]", op)
        page.fill(f"[name={prefix}target]", target)
        page.fill(f"[name={prefix}unit]", unit)
        page.fill(f"[name={prefix}weight]", weight)
    assert page.inner_text("[data-weight-total]").startswith("90")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    assert "指标权重合计必须为100" in page.content()
    assert page.input_value("[name=indicators-1-name]") == "促进就业"  # nothing typed was lost
    page.fill("[name=indicators-0-weight]", "70")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(f"{live}/tasks*")
    assert "已提交" in page.content()

    head = chromium.new_context().new_page()
    login(head, live, "rsj_head")
    head.goto(f"{live}/tasks?scope=group")
    head.click("table a[href^='/tasks/']")
    head.check("input[name=approved][value=true]")
    head.fill("textarea[name=opinion]", "同意报送")
    head.click("form[novalidate] button[type=submit]")
    head.wait_for_url(f"{live}/tasks*")
    instance = head.goto(f"{live}/tasks?scope=done")
    assert instance.ok and "部门" in head.content()
    assert errors == []


def test_instance_diagram_renders_and_inbox_fits_a_phone(app, api, live, chromium):
    from .goal_flow import GoalFlow
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    page = chromium.new_context(viewport={"width": 375, "height": 800}).new_page()
    login(page, live, "jxk")
    page.goto(f"{live}/instances/{flow.instance_id}")
    page.wait_for_selector(".djs-element.wf-current", timeout=15000)
    assert page.locator("svg .djs-element").count() > 10
    page.goto(f"{live}/tasks?scope=group")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
