"""部门整体自评 in a real browser: the live score breakdown (evaluation-scoring.js with this process's category
points) follows what is typed, a 定性 indicator's 完成程度 included. Skipped where chromium is absent."""
from __future__ import annotations

import pytest

from .department_performance_flow import DepartmentFlow, evaluation
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def test_the_self_evaluation_page_scores_live(app, api, live, chromium):  # noqa: F811
    flow = DepartmentFlow(api)
    flow.start(["rsj"])
    flow.approve_goals()
    flow.year_over(app)
    task = flow.filer.task_named("dept_self_evaluate", instance_id=flow.case["instance_id"])
    errors: list[str] = []
    page = chromium.new_context().new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live, "rsj_filer")
    page.goto(f"{live}/tasks/{task['id']}")
    page.wait_for_selector("[data-evaluation-form]")
    for n, row in enumerate(evaluation()["results"]):
        page.fill(f"[name=results-{n}-actual]", row["actual"])
        if "achievement" in row:
            page.fill(f"[name=results-{n}-achievement]", str(row["achievement"]))
    assert page.inner_text("[data-eval-out=total]") == "96.00"
    assert page.inner_text("[data-eval-out=grade]") == "优"
    rows = page.query_selector_all("[data-eval-row]")
    assert rows[1].inner_text().count("17.50") == 1 and "14.00" in rows[1].inner_text()
    page.fill("[name=results-8-achievement]", "50")      # 未达成: half of 资产管理's 5 points
    assert page.inner_text("[data-eval-out=total]") == "94.00"
    assert not errors, errors
