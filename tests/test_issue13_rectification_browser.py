"""Issue 13, rectification items in a real browser (Debian chromium + Playwright): the 下达整改通知 page with
"添加一行", the plan's measures after a refused submit, the report page's upload keeping the typed text, and the
due dates in the inbox. Screenshots go to $SCREENSHOT_DIR (default: pytest's tmp dir) for a person to look at."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from .helpers import RSJ, project_id
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 (fixtures)
from .test_rectification import PDF, Rect, today

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _page(chromium, errors: list[str]):  # noqa: F811
    page = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    # 422 answers are expected (refused submits); any other console error (e.g. CSP) is a bug
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None)
    return page


def test_performance_section_opens_a_rectification_in_the_browser(app, live, chromium, shots):  # noqa: F811
    errors: list[str] = []
    page = _page(chromium, errors)
    login(page, live, "jxk")
    page.goto(f"{live}/projects/{project_id(app, RSJ)}")
    page.click("text=下达整改通知")
    page.wait_for_selector("textarea[name=findings-0]")
    assert page.locator("[data-repeat-row]").count() == 3
    page.fill("textarea[name=findings-0]", "绩效目标未细化量化，产出指标缺少数量")
    page.fill("textarea[name=findings-1]", "资金支付进度滞后，截至9月仅支付42%")
    page.fill("textarea[name=findings-2]", "项目验收资料不全")
    page.click("[data-repeat-add]")                      # the script adds a fourth row
    assert page.locator("[data-repeat-row]").count() == 4
    page.fill("textarea[name=findings-3]", "绩效自评报告未公开")
    page.fill("input[name=deadline]", (today() - timedelta(days=1)).isoformat())
    page.select_option("select[name=source]", "audit")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_selector(".alert-danger")
    assert "整改期限不能早于今天" in page.content()
    assert page.input_value("textarea[name=findings-3]") == "绩效自评报告未公开"   # nothing typed lost
    assert page.locator("[data-repeat-row]").count() == 5  # four kept + one spare, no more
    shots(page, "rect-new-refused")
    page.fill("input[name=deadline]", (today() + timedelta(days=45)).isoformat())
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(f"{live}/rectifications/*")
    assert "已下达整改通知" in page.content() and "绩效自评报告未公开" in page.content()
    shots(page, "rect-opened")
    page.goto(f"{live}/rectifications")
    assert page.locator("a:has-text('导出整改台账')").count() == 1
    shots(page, "rect-board")
    assert errors == []


def test_plan_measures_and_report_upload_keep_what_is_typed(app, api, live, chromium, shots, tmp_path):  # noqa: F811
    rect = Rect(app, api, days=12)
    errors: list[str] = []
    page = _page(chromium, errors)
    login(page, live, "rsj_filer")
    page.goto(f"{live}/tasks?scope=group")
    deadline = (today() + timedelta(days=12)).isoformat()
    assert f"{deadline} 23:59" in page.inner_text("table")      # 截止 in the inbox
    shots(page, "rect-inbox-due")
    page.click("table a:has-text('制定整改方案')")
    page.wait_for_selector("input[name=measures-0]")
    assert f"截止 {deadline} 23:59" in page.inner_text("main")
    assert page.locator("input[name^=measures-]").count() == 4
    for index, text in enumerate(["细化产出指标", "加快资金支付", "补齐验收资料"]):
        page.fill(f"input[name=measures-{index}]", text)
    page.click("[data-repeat-add]")
    assert page.locator("input[name^=measures-]").count() == 5
    page.click("form[novalidate] button[type=submit]")  # the plan text is still empty: refused
    page.wait_for_selector(".alert-danger")
    assert page.locator("input[name^=measures-]").count() == 4  # three kept + one spare: the list does not grow
    assert page.input_value("input[name=measures-2]") == "补齐验收资料"
    assert "措施 4 必填" not in page.content()
    shots(page, "rect-plan-refused")
    page.fill("textarea[name=plan]", "按问题清单逐项整改，11月底前完成")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(f"{live}/tasks*")
    assert "已提交" in page.content()
    rect.do(rect.jxk, "review_plan", {"accepted": True, "opinion": "同意"})

    for scope in ("mine", "group"):   # unclaimed today; in 我的待办 once a task returns to its last actor
        page.goto(f"{live}/tasks?scope={scope}")
        if page.locator("table a:has-text('报送整改进展')").count():
            break
    page.click("table a:has-text('报送整改进展')")
    page.wait_for_selector("textarea[name=progress]")
    page.fill("textarea[name=progress]", "已细化产出指标3项，资金支付进度达到85%")
    page.check("input[name=done][value=false]")
    evidence = tmp_path / "验收报告.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("input[name=file]", str(evidence))
    page.click("button[name=upload]")
    page.wait_for_selector(".alert-success")
    assert page.input_value("textarea[name=progress]") == "已细化产出指标3项，资金支付进度达到85%"
    assert page.is_checked("input[name=done][value=false]")
    assert page.is_checked("input[name=evidence-0]") and "验收报告.pdf" in page.inner_text("main")
    shots(page, "rect-report-uploaded")
    page.click("form[novalidate] button[type=submit]:not([name=upload])")
    page.wait_for_selector(".alert-success:has-text('已提交')")   # not finished yet: the next report is due
    assert errors == []
