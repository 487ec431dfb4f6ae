"""Rectification tracking through the API: plan, progress with evidence, supervisor audit, result, deadlines."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import Notification, Rectification, RectificationRecord, User

from .helpers import RSJ, SLJ, project_id

LOCAL = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today() -> date:
    return datetime.now(LOCAL).date()


class Rect:
    def __init__(self, app, api, code: str = RSJ, filer: str = "rsj_filer", days: int = 10,
                 findings: list[str] | None = None) -> None:
        self.app, self.api = app, api
        self.jxk, self.filer, self.supervisor = api("jxk"), api(filer), api("supervisor")
        self.project_id = project_id(app, code)
        response = self.jxk.post(f"/api/v1/projects/{self.project_id}/rectifications", json={
            "findings": findings or ["绩效目标未细化量化", "资金支付进度滞后"],
            "deadline": (today() + timedelta(days=days)).isoformat(), "source": "evaluation"})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        self.id, self.instance_id = body["id"], body["instance_id"]

    def do(self, client, name: str, data: dict, expect: int = 200):
        task = client.task_named(name, instance_id=self.instance_id)
        response = client.complete(task["id"], data)
        assert response.status_code == expect, response.get_json()
        return response

    def upload(self, client, content: bytes = PDF, filename: str = "证明材料.pdf") -> int:
        response = client.client.post("/api/v1/attachments", headers=client._headers(),
                                      data={"file": (io.BytesIO(content), filename)},
                                      content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def state(self) -> dict:
        return self.jxk.get(f"/api/v1/rectifications/{self.id}").get_json()

    def plan_accepted(self) -> None:
        self.do(self.filer, "submit_plan", {"plan": "逐项整改", "measures": ["细化指标", "加快支付"]})
        self.do(self.jxk, "review_plan", {"accepted": True, "opinion": "同意"})


def run_timers(app, moment: datetime) -> None:
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", moment.isoformat()])
    assert result.exit_code == 0, result.output


def test_straight_path_closes_and_decides_the_budget(app, api):
    rect = Rect(app, api)
    assert rect.state()["status"] == "planning"
    rect.plan_accepted()
    assert rect.state()["status"] == "in_progress"
    evidence = rect.upload(rect.filer)
    rect.do(rect.filer, "report_progress", {"progress": "已全部整改", "evidence": [evidence], "done": True})
    assert rect.state()["status"] == "auditing"
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "佐证充分"})
    rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": 20.5, "opinion": "核减"})
    state = rect.state()
    assert state["status"] == "closed" and state["budget_decision"] == "reduce"
    assert state["recovered_amount"] == 20.5 and state["overdue"] is False
    assert rect.jxk.get(f"/api/v1/projects/{rect.project_id}").get_json()["budget_decision"] == "reduce"
    assert rect.jxk.get(f"/api/v1/instances/{rect.instance_id}").get_json()["status"] == "completed"


def test_plan_not_accepted_goes_back_and_several_reports_and_a_returned_audit(app, api):
    rect = Rect(app, api)
    rect.do(rect.filer, "submit_plan", {"plan": "初稿", "measures": ["措施一"]})
    rect.do(rect.jxk, "review_plan", {"accepted": False, "opinion": "措施不具体"})
    assert rect.state()["status"] == "planning"
    rect.plan_accepted()
    rect.do(rect.filer, "report_progress", {"progress": "完成一半", "evidence": [], "done": False})
    rect.do(rect.filer, "report_progress", {"progress": "基本完成", "evidence": [rect.upload(rect.filer)],
                                            "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "return", "opinion": "缺少支付凭证"})
    assert rect.state()["status"] == "in_progress"
    rect.do(rect.filer, "report_progress", {"progress": "补充支付凭证",
                                            "evidence": [rect.upload(rect.filer, PNG, "凭证.png")], "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
    rect.do(rect.jxk, "apply_result", {"budget_decision": "maintain", "recovered_amount": 0})
    with app.app_context():
        kinds = db.session.scalars(select(RectificationRecord.kind).order_by(RectificationRecord.id)).all()
        assert kinds == ["plan", "plan_review", "plan", "plan_review", "progress", "progress", "audit",
                         "progress", "audit", "result"]


def test_reminder_once_then_overdue_and_still_closed_later_with_history(app, api):
    rect = Rect(app, api, days=5)
    with app.app_context():
        due = db.session.get(Rectification, rect.id).deadline_at
    run_timers(app, due - timedelta(days=2))
    run_timers(app, due - timedelta(days=1))
    with app.app_context():
        filer_id = db.session.scalars(select(User.id).where(User.username == "rsj_filer")).one()
        reminders = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == filer_id, Notification.kind == "reminder"))
        assert reminders == 1
    assert rect.state()["overdue"] is False
    run_timers(app, due + timedelta(hours=1))
    state = rect.state()
    assert state["overdue"] is True and state["overdue_since"]
    listed = rect.supervisor.get("/api/v1/rectifications?overdue=true").get_json()
    assert [r["id"] for r in listed["items"]] == [rect.id]
    with app.app_context():
        supervisor_id = db.session.scalars(select(User.id).where(User.username == "supervisor")).one()
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == supervisor_id, Notification.kind == "overdue")) == 1
    run_timers(app, due + timedelta(hours=2))  # fires nothing more
    rect.plan_accepted()
    rect.do(rect.filer, "report_progress", {"progress": "迟到的整改", "evidence": [], "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
    rect.do(rect.jxk, "apply_result", {"budget_decision": "cancel", "recovered_amount": 100})
    final = rect.state()
    assert final["status"] == "closed" and final["overdue"] is True
    assert rect.jxk.get(f"/api/v1/instances/{rect.instance_id}").get_json()["status"] == "completed"


def test_ledger_rows_cell_by_cell(app, api):
    rect = Rect(app, api, findings=["目标不明确", "支付滞后"])
    rect.plan_accepted()
    rect.do(rect.filer, "report_progress", {"progress": "完成", "evidence": [], "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
    rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": 12.5})
    other = Rect(app, api, code=SLJ, filer="slj_filer", findings=["验收资料缺失"])
    year = rect.jxk.get(f"/api/v1/projects/{rect.project_id}").get_json()["fiscal_year"]
    response = rect.jxk.get(f"/api/v1/rectifications/ledger.xlsx?year={year}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == f"{year}年度预算绩效评价问题整改台账"
    assert [c.value for c in sheet[3]] == ["序号", "项目编码", "项目名称", "责任部门", "问题来源", "问题描述",
                                           "整改措施", "整改期限", "整改状态", "完成情况", "逾期天数", "办结日期",
                                           "督办审核结果", "预算安排", "收回存量资金（万元）"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    deadline = datetime.combine(today() + timedelta(days=10), datetime.min.time())
    closed = datetime.combine(today(), datetime.min.time())
    # one row per rectification: the findings and measures share a cell, the amount is counted once
    assert rows == [
        [1, "2027-RSJ-001", "城乡居民就业技能培训补贴", "县人力资源和社会保障局", "绩效评价", "1. 目标不明确\n2. 支付滞后",
         "1. 细化指标\n2. 加快支付", deadline, "已办结", "已完成：完成", 0, closed, "通过", "核减", 12.5],
        [2, "2027-SLJ-001", "农村饮水安全巩固提升工程", "县水务局", "绩效评价", "验收资料缺失",
         None, deadline, "制定方案", "尚未报送", 0, None, None, None, None],
    ]
    assert other.id != rect.id
    # a department's ledger holds only its own rows
    own = api("slj_filer").get(f"/api/v1/rectifications/ledger.xlsx?year={year}")
    own_rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(own.data)).active.iter_rows(min_row=4)]
    assert [r[1] for r in own_rows] == ["2027-SLJ-001"]


def test_department_isolation_and_roles(app, api):
    rect = Rect(app, api)
    other = api("slj_filer")
    assert other.get(f"/api/v1/rectifications/{rect.id}").status_code == 404
    assert other.get("/api/v1/rectifications").get_json()["total"] == 0
    submit = rect.filer.task_named("submit_plan", instance_id=rect.instance_id)
    assert other.complete(submit["id"], {"plan": "x", "measures": ["y"]}).status_code == 404
    # a supervisor follows the department's steps but cannot do them
    assert rect.supervisor.complete(submit["id"], {"plan": "x", "measures": ["y"]}).status_code == 403
    rect.plan_accepted()
    rect.do(rect.filer, "report_progress", {"progress": "完成", "evidence": [], "done": True})
    audit_task = rect.supervisor.task_named("audit", instance_id=rect.instance_id)
    assert rect.filer.complete(audit_task["id"], {"verdict": "accept", "opinion": "自己通过"}).status_code == 403
    # only the performance section opens rectifications
    response = rect.filer.post(f"/api/v1/projects/{rect.project_id}/rectifications", json={
        "findings": ["x"], "deadline": (today() + timedelta(days=3)).isoformat(), "source": "audit"})
    assert response.status_code == 403


def test_bad_input_is_422_and_changes_nothing(app, api):
    jxk = api("jxk")
    pid = project_id(app, RSJ)
    for body, field in [
        ({"findings": ["x"], "deadline": (today() - timedelta(days=1)).isoformat(), "source": "audit"}, "deadline"),
        ({"findings": [], "deadline": today().isoformat(), "source": "audit"}, "findings"),
        ({"findings": ["x"], "deadline": "next week", "source": "audit"}, "deadline"),
        ({"findings": ["x"], "deadline": today().isoformat(), "source": "rumour"}, "source"),
    ]:
        response = jxk.post(f"/api/v1/projects/{pid}/rectifications", json=body)
        assert response.status_code == 422 and field in response.get_json()["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rectification)) == 0

    rect = Rect(app, api)
    rect.plan_accepted()
    someone_elses = rect.upload(api("rsj_head"))
    rect.do(rect.filer, "report_progress", {"progress": "x", "evidence": [someone_elses], "done": True}, 422)
    rect.do(rect.filer, "report_progress", {"progress": "x", "evidence": ["abc"], "done": True}, 422)
    assert rect.state()["status"] == "in_progress"
    rect.do(rect.filer, "report_progress", {"progress": "完成", "evidence": [], "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "maybe", "opinion": "x"}, 422)
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
    rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": -1}, 422)
    rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": 320.01}, 422)
    rect.do(rect.jxk, "apply_result", {"budget_decision": "whatever", "recovered_amount": 1}, 422)
    assert rect.state()["status"] == "auditing"


def test_uploads_are_checked_by_content_and_downloaded_only_by_readers(app, api):
    rect = Rect(app, api)
    filer = rect.filer
    fake = filer.client.post("/api/v1/attachments", headers=filer._headers(),
                             data={"file": (io.BytesIO(b"MZ\x90\x00 not really a pdf"), "report.pdf")},
                             content_type="multipart/form-data")
    assert fake.status_code == 422
    empty = filer.client.post("/api/v1/attachments", headers=filer._headers(), data={},
                              content_type="multipart/form-data")
    assert empty.status_code == 422
    evidence = rect.upload(filer, PDF, "../../etc/passwd.pdf")
    assert filer.get(f"/api/v1/attachments/{evidence}").status_code == 200
    assert api("slj_filer").get(f"/api/v1/attachments/{evidence}").status_code == 404
    rect.plan_accepted()
    rect.do(filer, "report_progress", {"progress": "完成", "evidence": [evidence], "done": True})
    download = rect.supervisor.get(f"/api/v1/attachments/{evidence}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert "passwd.pdf" in download.headers["Content-Disposition"] and ".." not in download.headers["Content-Disposition"]
    assert api("slj_filer").get(f"/api/v1/attachments/{evidence}").status_code == 404


def test_one_late_timer_run_past_both_dates_reminds_and_marks_overdue(app, api):
    rect = Rect(app, api, days=5)
    with app.app_context():
        due = db.session.get(Rectification, rect.id).deadline_at
    run_timers(app, due + timedelta(days=1))
    assert rect.state()["overdue"] is True
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind)).all()
        assert kinds.count("reminder") == 1  # one filer in 人社局


def test_domain_processes_start_only_through_their_own_endpoints(app, api):
    jxk = api("jxk")
    response = jxk.post("/api/v1/processes/rectification/instances",
                        json={"data": {"rectification_id": 999}, "project_id": project_id(app, RSJ)})
    assert response.status_code == 422 and "rectifications" in response.get_json()["message"]
    assert jxk.post("/api/v1/processes/goal_review/instances", json={"data": {}}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rectification)) == 0
