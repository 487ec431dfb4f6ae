"""绩效运行监控 (in-year monitoring) through the API: a round over the projects with approved goals (idempotent),
the 监控表 prefilled from the approved goals, computed warnings, refused input with nothing saved, the review
outcomes (纠偏 reports again; 调整预算 writes a new goal version), a rectification in one click, and who may do what."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import MonitoringReport, MonitoringRound, ProcessInstance

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


def counts(app) -> dict[str, int]:
    with app.app_context():
        result = {"rounds": db.session.scalar(select(func.count()).select_from(MonitoringRound)),
                  "reports": db.session.scalar(select(func.count()).select_from(MonitoringReport)),
                  "instances": db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
                      ProcessInstance.process_key == "monitoring"))}
        db.session.remove()
        return result


def test_starting_the_round_again_starts_nothing_twice_and_picks_up_newly_approved_projects(app, api):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj, RSJ, 300)
    first = start_round(api)
    assert first["progress"]["total"] == 1 and counts(app) == {"rounds": 1, "reports": 1, "instances": 1}
    again = start_round(api, expect=200)
    assert again["id"] == first["id"] and again["created"] is False and again["added"] == 0
    assert counts(app) == {"rounds": 1, "reports": 1, "instances": 1}
    tjj = project_id(app, TJJ)
    approve_goals(api, tjj, TJJ, 90)
    resumed = start_round(api, expect=200)
    assert resumed["added"] == 1 and resumed["progress"] == {"total": 2, "started": 2, "submitted": 0, "concluded": 0}
    assert counts(app) == {"rounds": 1, "reports": 2, "instances": 2}
    # Another cut-off month is another round.
    assert start_round(api, month=8)["id"] != first["id"]


def test_a_round_with_no_approved_goals_or_bad_input_is_refused_and_saves_nothing(app, api):
    jxk = api("jxk")
    assert jxk.post("/api/v1/monitoring-rounds", json={"year": YEAR, "month": 7}).status_code == 422  # none approved
    for body in ({"year": YEAR, "month": 13}, {"year": YEAR, "month": 0}, {"year": "2027", "month": 7},
                 {"year": YEAR}, {"year": YEAR, "month": True}):
        response = jxk.post("/api/v1/monitoring-rounds", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["fields"], body
    assert counts(app) == {"rounds": 0, "reports": 0, "instances": 0}


def test_the_report_is_filled_and_the_warnings_are_computed(app, api, approved):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    # 150 of 300 万元 by July: 50 % ÷ 7/12 = 85.7 % of time elapsed → green.
    data = report_data(executed=150, forecast=290)
    data["indicators"][0].update(progress="800", likelihood="possible", cause="funding", measures="加快培训进度")
    flow.do(flow.filer, "fill_report", data)
    report = flow.report()
    assert report["executed"] == 150.0 and report["forecast"] == 290.0 and report["execution_rate"] == 50.0
    assert report["colour"] == "green" and report["status"] == "signoff" and report["times_submitted"] == 1
    assert [i["flag"] for i in report["indicators"]] == [True, False, False, False]
    assert report["flagged_rows"] == 1 and report["indicators"][0]["cause_label"] == "经费保障"
    # The round shows it.
    summary = report_of(api("jxk").get(f"/api/v1/monitoring-rounds/{body['id']}").get_json(), approved[RSJ])
    assert (summary["colour"], summary["flagged_rows"], summary["status"]) == ("green", 1, "signoff")


def test_slow_execution_is_red(app, api, approved):
    body = start_round(api, month=8)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    flow.do(flow.filer, "fill_report", report_data(executed=90, forecast=250))   # 30 % ÷ 8/12 = 45 %
    assert flow.report()["colour"] == "red"


@pytest.mark.parametrize("change, field", [
    ({"executed": -1}, "executed"),
    ({"executed": "abc"}, "executed"),
    ({"executed": 1.234}, "executed"),
    ({"forecast": 100, "executed": 200}, "forecast"),               # less than already spent
    ({"overall_progress": ""}, "overall_progress"),
    ({"indicators": rows(3)}, "indicators"),                       # one indicator missing
    ({"indicators": [dict(r, likelihood="maybe") for r in rows()]}, "indicators.0.likelihood"),
    ({"indicators": [dict(r, progress="约一千八") if i == 0 else r for i, r in enumerate(rows())]},
     "indicators"),                                                # a quantitative row needs a number
    ({"indicators": [dict(r, likelihood="impossible") if i == 1 else r for i, r in enumerate(rows())]},
     "indicators.1.cause"),                                        # a likely miss needs its cause and measures
    ({"indicators": [dict(r, cause="weather") for r in rows()]}, "indicators.0.cause"),
])
def test_bad_input_is_422_and_nothing_is_saved(app, api, approved, change, field):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    before = flow.report()
    response = flow.do(flow.filer, "fill_report", report_data(**change), expect=422)
    assert any(key == field or key.startswith(field + ".") for key in response.get_json()["fields"]), \
        response.get_json()
    after = flow.report()
    assert after == before and after["status"] == "filling"


def test_evidence_goes_with_its_row_and_only_ones_own_unused_upload(app, api, approved):
    import io
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    upload = flow.filer.client.post("/api/v1/attachments", headers=flow.filer._headers(), content_type="multipart/form-data",
                                    data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "培训签到表.pdf")})
    attachment = upload.get_json()["id"]
    other = api("slj_filer").client.post("/api/v1/attachments", headers=api("slj_filer")._headers(),
                                         content_type="multipart/form-data",
                                         data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "x.pdf")}).get_json()["id"]
    data = report_data()
    data["indicators"][0]["evidence"] = [other]
    flow.do(flow.filer, "fill_report", data, expect=422)
    data["indicators"][0]["evidence"] = [attachment]
    data["evidence"] = []
    flow.do(flow.filer, "fill_report", data)
    assert flow.report()["indicators"][0]["evidence"] == [attachment]
    assert flow.filer.get(f"/api/v1/attachments/{attachment}").status_code == 200
    assert api("rsj_head").get(f"/api/v1/attachments/{attachment}").status_code == 200


# -- the review ---------------------------------------------------------------------------------------------------
def test_signoff_return_and_correct_send_the_table_back_to_the_department(app, api, approved):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    flow.do(flow.filer, "fill_report", report_data())
    flow.do(flow.head, "head_signoff", {"approved": False, "opinion": ""}, expect=422)   # a return needs a reason
    flow.do(flow.head, "head_signoff", {"approved": False, "opinion": "执行数有误"})
    assert flow.report()["status"] == "filling"
    flow.to_decision(recommendation="correct")
    report = flow.report()
    assert report["business_recommendation"] == "correct" and report["status"] == "decision"
    # The head who signed may not also be the filer (四眼原则) — here they are different people anyway.
    flow.do(flow.jxk, "decide", {"outcome": "correct", "opinion": "请补充纠偏措施"})
    report = flow.report()
    assert report["status"] == "filling" and report["outcome"] == "correct"
    assert flow.filer.task_named("fill_report", instance_id=flow.instance_id)
    # Reported again: the outcome is decided again.
    flow.to_decision(report_data(executed=180))
    assert flow.report()["outcome"] is None and flow.report()["times_submitted"] == 3
    done = flow.do(flow.jxk, "decide", {"outcome": "continue", "opinion": "继续执行"})
    assert done.get_json()["instance"]["status"] == "completed"
    report = flow.report()
    assert (report["status"], report["outcome"], report["outcome_label"]) == ("concluded", "continue", "继续执行")
    round_body = api("jxk").get(f"/api/v1/monitoring-rounds/{body['id']}").get_json()
    assert round_body["outcomes"] == {"continue": 1} and round_body["progress"]["concluded"] == 1
    history = api("jxk").get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    assert [h["task"] for h in history if h["task"]].count("fill_report") == 3


def test_suspend_and_stop_need_a_reason(app, api, approved):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    flow.to_decision()
    for outcome in ("suspend", "stop"):
        response = flow.do(flow.jxk, "decide", {"outcome": outcome, "opinion": "执行严重滞后"}, expect=422)
        assert "reason" in response.get_json()["fields"]
    assert flow.report()["outcome"] is None
    flow.do(flow.jxk, "decide", {"outcome": "stop", "opinion": "执行严重滞后", "reason": "项目已无法实施"})
    report = flow.report()
    assert (report["outcome"], report["outcome_reason"], report["status"]) == ("stop", "项目已无法实施", "concluded")


def adjusted_goals() -> list[dict]:
    from .goal_flow import INDICATORS
    changed = [dict(i) for i in INDICATORS]
    changed[0]["target"] = "2400"          # 培训人次 3000 → 2400
    return changed


def test_adjust_budget_writes_a_new_goal_version_and_the_project_amount(app, api, approved):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    flow.to_decision(recommendation="adjust")
    project = api("jxk").get(f"/api/v1/projects/{approved[RSJ]}").get_json()
    versions_before = len(project["goal_versions"])
    # The amount and the goals are required, and the goals follow the goal rules (weights 100).
    missing = flow.do(flow.jxk, "decide", {"outcome": "adjust", "opinion": "调减"}, expect=422)
    assert {"new_amount", "overall_goal", "indicators"} <= set(missing.get_json()["fields"])
    bad = [dict(i, weight=10) for i in adjusted_goals()]
    flow.do(flow.jxk, "decide", {"outcome": "adjust", "opinion": "调减", "new_amount": 240,
                                 "overall_goal": "全年培训2400人次", "indicators": bad}, expect=422)
    assert len(api("jxk").get(f"/api/v1/projects/{approved[RSJ]}").get_json()["goal_versions"]) == versions_before
    flow.do(flow.jxk, "decide", {"outcome": "adjust", "opinion": "按实际需求调减", "new_amount": 240,
                                 "overall_goal": "全年开展就业技能培训2400人次。", "indicators": adjusted_goals()})
    report = flow.report()
    assert report["outcome"] == "adjust" and report["adjusted_amount"] == 240.0
    project = api("jxk").get(f"/api/v1/projects/{approved[RSJ]}").get_json()
    assert project["amount"] == 240.0
    assert len(project["goal_versions"]) == versions_before + 1
    newest = project["goal_versions"][-1]
    assert newest["id"] == report["adjusted_goal_version_id"] and newest["round"] == "监控调整"
    assert newest["amount"] == 240.0 and newest["indicators"][0]["target"] == "2400"
    # The adjusted goals are now the approved ones: the project shows them, and a later round starts from them.
    assert project["goal"]["id"] == newest["id"]
    later = start_round(api, month=10)
    report = api("jxk").get(f"/api/v1/monitoring-reports/{report_of(later, approved[RSJ])['id']}").get_json()
    assert report["goal_version_id"] == newest["id"] and report["budget"] == 240.0
    assert report["indicators"][0]["target"] == "2400"
    # (The difference on the project page, as for any two goal versions: test_monitoring_pages.py.)


# -- rectification in one click -------------------------------------------------------------------------------------
def test_a_serious_deviation_opens_a_rectification_in_one_click(app, api, approved):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    data = report_data(executed=30, forecast=200)
    data["indicators"][0].update(progress="300", likelihood="impossible", cause="staffing", measures="增派讲师")
    flow.to_decision(data, recommendation="suspend")
    jxk = api("jxk")
    assert api("sbk").post(f"/api/v1/monitoring-reports/{flow.report_id}/rectification").status_code == 403
    response = jxk.post(f"/api/v1/monitoring-reports/{flow.report_id}/rectification")
    assert response.status_code == 201, response.get_json()
    rect = response.get_json()
    assert rect["source"] == "monitoring" and rect["project_id"] == approved[RSJ]
    assert len(rect["findings"]) == 2
    assert rect["findings"][0].startswith("预算执行进度严重滞后") and "培训人次" in rect["findings"][1]
    assert "完全不可能" in rect["findings"][1] and "人员保障" in rect["findings"][1]
    assert flow.report()["rectification_id"] == rect["id"]
    # Once per report.
    assert jxk.post(f"/api/v1/monitoring-reports/{flow.report_id}/rectification").status_code == 409
    # The department finds the rectification in its queue.
    assert api("rsj_filer").task_named("submit_plan", instance_id=rect["instance_id"])


def test_a_rectification_needs_a_submitted_report(app, api, approved):
    body = start_round(api)
    report = report_of(body, approved[RSJ])
    assert api("jxk").post(f"/api/v1/monitoring-reports/{report['id']}/rectification").status_code == 409


# -- who may do what ------------------------------------------------------------------------------------------------
def test_who_may_start_and_see(app, api, approved):
    for user in ("sbk", "rsj_filer", "rsj_head", "supervisor"):
        assert api(user).post("/api/v1/monitoring-rounds", json={"year": YEAR, "month": 7}).status_code == 403, user
    for user in ("expert1", "thirdparty"):
        assert api(user).post("/api/v1/monitoring-rounds", json={"year": YEAR, "month": 7}).status_code == 404, user
    body = start_round(api)
    rsj_report = report_of(body, approved[RSJ])["id"]
    # A department sees its own projects' reports in the round, and no other's.
    mine = api("rsj_filer").get(f"/api/v1/monitoring-rounds/{body['id']}").get_json()
    assert [r["project_id"] for r in mine["reports"]] == [approved[RSJ]] and mine["progress"]["total"] == 1
    assert api("slj_filer").get(f"/api/v1/monitoring-rounds/{body['id']}").get_json()["reports"] == []
    assert api("slj_filer").get(f"/api/v1/monitoring-reports/{rsj_report}").status_code == 404
    assert api("rsj_head").get(f"/api/v1/monitoring-reports/{rsj_report}").status_code == 200
    assert api("sbk").get(f"/api/v1/monitoring-reports/{rsj_report}").status_code == 200
    for user in ("expert1", "thirdparty"):
        assert api(user).get(f"/api/v1/monitoring-rounds/{body['id']}").status_code == 404
        assert api(user).get(f"/api/v1/monitoring-reports/{rsj_report}").status_code == 404
    # The steps: another department's task is not found, another role's is refused.
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    task = flow.filer.task_named("fill_report", instance_id=flow.instance_id)
    assert api("slj_filer").complete(task["id"], report_data()).status_code == 404
    assert api("rsj_head").complete(task["id"], report_data()).status_code == 403
    assert api("jxk").complete(task["id"], report_data()).status_code == 403


def test_the_business_review_goes_to_the_departments_business_section(app, api, approved):
    body = start_round(api)
    flow = MonitoringFlow(api, report_of(body, approved[RSJ]))
    flow.do(flow.filer, "fill_report", report_data())
    flow.do(flow.head, "head_signoff", {"approved": True, "opinion": "同意"})
    task = api("sbk").task_named("business_review", instance_id=flow.instance_id)
    assert task["lane"] == "finance_business"
    # 农业农村科 is not 人社局's business section: the task is not in its queue.
    assert not [t for t in api("nyk").tasks("group", instance_id=flow.instance_id) if t["name"] == "business_review"]
    assert api("nyk").complete(task["id"], {"recommendation": "continue", "opinion": "x"}).status_code in (403, 404)


def test_the_generic_start_is_refused_with_the_rounds_route(app, api):
    response = api("jxk").post("/api/v1/processes/monitoring/instances", json={"data": {}})
    assert response.status_code == 422
    assert "/api/v1/monitoring-rounds" in response.get_json()["message"]


def test_the_executed_amount_is_prefilled_from_the_payments_to_the_cut_off(app, api, approved):
    import io
    content = f"项目编码,月份,支付金额（万元）\n{RSJ},1,10\n{RSJ},7,20.5\n{RSJ},8,100\n".encode()
    response = api("jxk").client.post("/api/v1/payment-imports", headers=api("jxk")._headers(),
                                      content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(content), "zhifu.csv"), "year": "2027"})
    assert response.status_code == 201, response.get_json()
    body = start_round(api)
    report = api("jxk").get(f"/api/v1/monitoring-reports/{report_of(body, approved[RSJ])['id']}").get_json()
    assert report["executed"] == 30.5          # months 1–7 only
    other = api("jxk").get(f"/api/v1/monitoring-reports/{report_of(body, approved[TJJ])['id']}").get_json()
    assert other["executed"] == 0.0


def test_the_table_is_due_in_the_settings_days_then_overdue_with_a_notification(app, api, approved):
    from datetime import datetime, timedelta, timezone

    from workflow_app.models import Notification, User
    body = start_round(api)
    report = report_of(body, approved[RSJ])
    filer = api("rsj_filer")
    task = filer.task_named("fill_report", instance_id=report["instance_id"])
    due = datetime.fromisoformat(task["due_at"])
    assert timedelta(days=9, hours=23) < due - datetime.now(timezone.utc) <= timedelta(days=10)   # DUE_DAYS_MONITORING_FILL
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", (due + timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    after = filer.task_named("fill_report", instance_id=report["instance_id"])
    assert after["id"] == task["id"] and after["overdue"] is True
    with app.app_context():
        filer_id = db.session.scalars(select(User.id).where(User.username == "rsj_filer")).one()
        kinds = db.session.scalars(select(Notification.kind).where(
            Notification.user_id == filer_id, Notification.instance_id == report["instance_id"])).all()
        assert sorted(kinds) == ["new_task", "overdue"]
        db.session.remove()
    # Late, but it can still be filled.
    MonitoringFlow(api, report).do(filer, "fill_report", report_data())
