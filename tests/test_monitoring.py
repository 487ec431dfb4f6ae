"""绩效运行监控 (in-year monitoring) through the API: a round over the projects with approved goals (idempotent),
the 监控表 prefilled from the approved goals, computed warnings, refused input with nothing saved, the review
outcomes (纠偏 reports again; 调整预算 writes a new goal version), a rectification in one click, and who may do what."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import GoalVersion, MonitoringReport, MonitoringRound, ProcessInstance

from .helpers import RSJ, project_id
from .monitoring_flow import YEAR, MonitoringFlow, approve_goals, report_data, rows

TJJ = "2027-TJJ-001"


@pytest.fixture
def approved(app, api):
    """RSJ (300 万元) and TJJ (90 万元) with approved goals; the other demo projects have none."""
    ids = {RSJ: project_id(app, RSJ), TJJ: project_id(app, TJJ)}
    approve_goals(api, ids[RSJ], RSJ, 300)
    approve_goals(api, ids[TJJ], TJJ, 90)
    return ids


def start_round(api, month: int = 7, expect: int = 201):
    response = api("jxk").post("/api/v1/monitoring-rounds", json={"year": YEAR, "month": month})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def report_of(round_body, pid: int):
    return next(r for r in round_body["reports"] if r["project_id"] == pid)


def test_a_round_starts_one_report_per_project_with_approved_goals(app, api, approved):
    body = start_round(api)
    assert body["created"] is True and body["period"] == "1-7月"
    assert body["progress"] == {"total": 2, "started": 2, "submitted": 0, "concluded": 0}
    assert body["status"] == "running"
    assert sorted(r["project_id"] for r in body["reports"]) == sorted(approved.values())
    assert {r["status"] for r in body["reports"]} == {"filling"}
    report = api("jxk").get(f"/api/v1/monitoring-reports/{report_of(body, approved[RSJ])['id']}").get_json()
    assert report["budget"] == 300.0 and report["header"]["implementing_unit"] == "县人力资源和社会保障局"
    assert [i["name"] for i in report["indicators"]] == ["培训人次", "培训合格率", "促进城乡劳动者就业", "学员满意度"]
    assert report["indicators"][0]["target"] == "3000" and report["overall_goal"].startswith("全年开展")
    # The department finds the table in its queue.
    task = api("rsj_filer").task_named("fill_report", instance_id=report["instance_id"])
    assert task["lane"] == "department_filer" and task["due_at"] is not None
