"""The 部门整体支出绩效目标表 import in a real browser: the editor step shows the import form; a file with bad rows
brings the editor back with the form opened and every bad row listed in Chinese; a good file fills the editor.
Skipped where chromium is absent."""
from __future__ import annotations

import pytest

from .department_performance_flow import DepartmentFlow
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 - fixtures
from .test_department_goal_table_io import FIRST_ROW, _bad_workbook, exported

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_importing_the_goal_table_in_the_editor(app, api, live, chromium):  # noqa: F811
    rsj, slj = DepartmentFlow(api, "rsj"), DepartmentFlow(api, "slj")
    rsj.start(["rsj", "slj"])
    slj.case = api("jxk").get(f"/api/v1/department-performance?year={rsj.year}&department=slj").get_json()["items"][0]
    rsj.approve_goals()
    good = exported(api, rsj.case["id"])
    task = slj.filer.task_named("draft_dept_goals", instance_id=slj.case["instance_id"])
    errors: list[str] = []
    page = chromium.new_context().new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live, "slj_filer")
    page.goto(f"{live}/tasks/{task['id']}")
    page.click("details.goal-import summary")
    assert page.is_visible("details.goal-import input[type=file]")

    page.set_input_files("details.goal-import input[type=file]",
                         {"name": "目标表.xlsx", "mimeType": XLSX, "buffer": _bad_workbook(good)})
    page.click("details.goal-import button")
    page.wait_for_selector("[data-import-errors]")
    listed = page.inner_text("[data-import-errors]")
    assert page.is_visible("[data-import-errors]")          # the form is open on the errors
    for row, text in ((FIRST_ROW, "不属于“履职效能”"), (FIRST_ROW + 1, "定量指标的指标值必须是数字"),
                      (FIRST_ROW + 3, "权重：不是有效的小数"), (FIRST_ROW + 4, "运算符：")):
        assert f"第{row}行" in listed and text in listed, (row, listed)
    assert "未导入" in page.inner_text(".alert-danger")

    page.set_input_files("details.goal-import input[type=file]",
                         {"name": "目标表.xlsx", "mimeType": XLSX, "buffer": good})
    page.click("details.goal-import button")
    page.wait_for_selector(".alert-success")
    assert "已从 Excel 读入 9 个指标" in page.inner_text(".alert-success")
    assert page.input_value("[name=indicators-0-name]") == "城镇新增就业人数"
    assert page.input_value("[name=amount]") == "5230.5"
    assert not errors, errors
