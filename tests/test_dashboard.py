"""The performance section's dashboard: open tasks by process and department, overdue tasks, time per step."""
from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta

from sqlalchemy import select, update

from workflow_app.extensions import db
from workflow_app.models import HumanTask, User
from workflow_app.services import dashboard as service

from .goal_flow import GoalFlow, goals
from .helpers import RSJ, SLJ, project_id
from .test_timers import _run_timers

RSJ_DEPT, SLJ_DEPT = "县人力资源和社会保障局", "县水务局"


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body, as text."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, f"no table {table_id}"
    return [[html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)]


def stat(page: str, name: str) -> int:
    match = re.search(rf'data-stat="{name}">(\d+)<', page)
    assert match, f"no stat {name}"
    return int(match.group(1))


def start_two_reviews(app, api) -> tuple[GoalFlow, GoalFlow]:
    rsj = GoalFlow(api, project_id(app, RSJ))
    slj = GoalFlow(api, project_id(app, SLJ), filer="slj_filer", head="slj_head", authority="slj_deputy")
    rsj.start()
    slj.start()
    return rsj, slj


def backdate_arrival(app, instance_id: int, name: str, hours: float) -> None:
    """Make a completed task look as if it had waited `hours` before it was done."""
    with app.app_context():
        task = db.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.name == name, HumanTask.state == "completed")).one()
        db.session.execute(update(HumanTask).where(HumanTask.id == task.id)
                           .values(created_at=task.completed_at - timedelta(hours=hours)))
        db.session.commit()


def test_dashboard_counts_open_overdue_and_step_times(app, api, browser):
    rsj, slj = start_two_reviews(app, api)
    rsj.do(rsj.filer, "draft_goals", goals())            # RSJ now waits for its head's sign-off
    backdate_arrival(app, rsj.instance_id, "draft_goals", 5)
    signoff = rsj.head.task_named("dept_signoff", instance_id=rsj.instance_id)
    due = signoff["due_at"]
    assert due is not None
    due_at = datetime.fromisoformat(due)
    _run_timers(app, due_at + timedelta(hours=1))        # the sign-off's deadline warning goes out

    page = browser("jxk").get("/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "绩效管理看板" in html
    assert table_rows(html, "open-by-process") == [["绩效目标二上二下审核", "2"]]
    assert sorted(table_rows(html, "open-by-department")) == [[RSJ_DEPT, "1"], [SLJ_DEPT, "1"]]
    assert (stat(html, "open"), stat(html, "past_due"), stat(html, "notified")) == (2, 0, 1)
    steps = table_rows(html, "step-times")
    assert len(steps) == 1
    assert steps[0][0] == "绩效目标二上二下审核" and "编制绩效目标" in steps[0][1] and steps[0][2:] == ["1", "5.0"]
    # the charts get the same numbers, as JSON in data- attributes (no inline script)
    assert "data-chart=" in html and "<script>" not in html and "echarts.min.js" in html
    assert '"values": [2]' in html

    # seen after the deadline, the sign-off is past due too
    with app.app_context():
        jxk = db.session.scalars(select(User).where(User.username == "jxk")).one()
        board = service.dashboard(jxk, due_at + timedelta(hours=2))
        assert (board.overdue.open, board.overdue.past_due, board.overdue.notified) == (2, 1, 1)


def test_average_time_per_step_is_over_all_completed_tasks(app, api, browser):
    rsj, slj = start_two_reviews(app, api)
    rsj.do(rsj.filer, "draft_goals", goals())
    slj.do(slj.filer, "draft_goals", goals())
    backdate_arrival(app, rsj.instance_id, "draft_goals", 2)
    backdate_arrival(app, slj.instance_id, "draft_goals", 5)
    html = browser("admin").get("/dashboard").get_data(as_text=True)
    assert table_rows(html, "step-times")[0][2:] == ["2", "3.5"]
    assert table_rows(html, "open-by-process") == [["绩效目标二上二下审核", "2"]]


def test_dashboard_is_only_for_the_performance_section(app, browser):
    for username in ("rsj_filer", "sbk", "expert1"):
        response = browser(username).get("/dashboard")
        assert response.status_code == 404, username
        assert "绩效管理看板" not in response.get_data(as_text=True)
    assert app.test_client().get("/dashboard").status_code == 302    # not logged in: to the login page
    empty = browser("jxk").get("/dashboard")
    assert empty.status_code == 200 and "没有待办任务" in empty.get_data(as_text=True)
