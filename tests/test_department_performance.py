"""部门整体绩效 through the API: the year's cases, the goal versions and their diff, the self-evaluation's score
with the 70/30 split, the report PDF, bad input and other departments."""
from __future__ import annotations

from .department_performance_flow import LAST_YEAR, DepartmentFlow, evaluation, goals


def test_the_whole_year_of_one_department(app, api):
    flow = DepartmentFlow(api)
    flow.start()
    assert flow.case["status"] == "goals" and flow.case["department"] == "rsj"

    # the department drafts, the head signs off, the performance section returns with an opinion
    flow.do(flow.filer, "draft_dept_goals", goals())
    flow.do(flow.head, "dept_goals_signoff", {"approved": True, "opinion": "同意"})
    flow.do(flow.jxk, "review_dept_goals", {"approved": False, "opinion": "满意度目标偏低，请提高到95%"})
    case = flow.get()
    assert case["status"] == "goals" and case["current_version"] == 1 and case["approved_version"] is None

    # a second version: the diff shows what changed, the first version is unchanged
    second = goals()
    second["indicators"][3]["target"] = "95"
    flow.approve_goals(second)
    case = flow.get()
    assert case["status"] == "goals_approved" and case["approved_version"] == 2
    [v2, v1] = case["goal_versions"]
    assert (v1["number"], v1["indicators"][3]["target"]) == (1, "90")
    assert (v2["number"], v2["indicators"][3]["target"], v2["amount"]) == (2, "95", 5230.5)
    [diff] = case["diffs"]
    assert (diff["old"], diff["new"]) == (1, 2) and diff["added"] == [] and diff["removed"] == []
    assert [c["fields"] for c in diff["changed"]] == [["target"]]
    # the points of the indicators: 产出 35 (two of 20: 17.5 each), 效益 21, 满意度 14, 管理效率 30
    points = [i["points"] for i in v2["indicators"]]
    assert points == [17.5, 17.5, 21, 14, 10, 5, 5, 5, 5]

    # the year is not over for a case of next year; for last year's the self-evaluation opens
    flow.year_over(app)
    flow.do(flow.filer, "dept_self_evaluate", evaluation())
    flow.do(flow.head, "dept_evaluation_signoff", {"approved": True, "opinion": "同意报送"})
    flow.do(flow.jxk, "confirm_dept_evaluation", {"approved": True, "opinion": "确认"})
    case = flow.get()
    assert case["status"] == "finished"
    # 职业技能培训 1200/1500 of 17.5 = 14.00; 资产管理 90 % of 5 = 4.50; the rest in full
    assert case["score"] == 100 - 3.5 - 0.5 and case["grade"] == "优"
    categories = case["breakdown"]["categories"]
    assert categories["产出"] == {"points": "35.00", "score": "31.50"}
    assert categories["管理效率"] == {"points": "30.00", "score": "29.50"}

    report = flow.jxk.get(f"/api/v1/department-performance/{case['id']}/report.pdf")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    notes = flow.filer.get("/api/v1/notifications").get_json()["items"]
    assert any("部门整体绩效自评已经绩效科确认" in n["message"] for n in notes)


def test_the_split_is_a_setting(app, api):
    app.config["DEPARTMENT_PERFORMANCE_WEIGHTS"] = "60/40"
    app.config["DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT"] = "5/3/2"
    try:
        flow = DepartmentFlow(api)
        flow.start()
        flow.approve_goals()
        points = [i["points"] for i in flow.get()["goal_versions"][0]["indicators"]]
        # 产出 30 (15 each), 效益 18, 满意度 12, 管理效率 40 (shared 10:5:5:5:5)
        assert points == [15, 15, 18, 12, 13.33, 6.67, 6.67, 6.67, 6.66]
    finally:
        app.config.pop("DEPARTMENT_PERFORMANCE_WEIGHTS")
        app.config.pop("DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT")


def test_starting_the_year_is_once_per_department(api):
    jxk = api("jxk")
    first = jxk.post("/api/v1/department-performance", json={"year": LAST_YEAR})
    assert first.status_code == 201
    departments = {c["department"] for c in first.get_json()["items"]}
    assert {"rsj", "slj"} <= departments and "czj-jxk" not in departments and "zjk" not in departments
    again = jxk.post("/api/v1/department-performance", json={"year": LAST_YEAR})
    assert again.status_code == 201 and again.get_json()["total"] == 0
    assert set(again.get_json()["skipped"]) == departments
    listed = jxk.get(f"/api/v1/department-performance?year={LAST_YEAR}").get_json()
    assert listed["total"] == len(departments)
    # the filer finds the draft in the department's queue
    filer = api("rsj_filer")
    case = next(c for c in listed["items"] if c["department"] == "rsj")
    assert filer.task_named("draft_dept_goals", instance_id=case["instance_id"])["department"] == "rsj"
    assert not [t for t in api("slj_filer").tasks("group") if t["instance_id"] == case["instance_id"]]


def test_only_the_bureau_starts_and_bad_starts_save_nothing(api):
    assert api("rsj_filer").post("/api/v1/department-performance", json={"year": LAST_YEAR}).status_code == 403
    jxk = api("jxk")
    for body in ({"year": "去年"}, {"year": 1900}, {"year": LAST_YEAR, "departments": ["nope"]},
                 {"year": LAST_YEAR, "departments": "rsj"}):
        response = jxk.post("/api/v1/department-performance", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["fields"]
    assert jxk.get("/api/v1/department-performance").get_json()["total"] == 0
    named = jxk.post("/api/v1/department-performance", json={"year": LAST_YEAR, "departments": ["slj"]})
    assert named.status_code == 201 and [c["department"] for c in named.get_json()["items"]] == ["slj"]


def test_bad_goals_are_refused_with_nothing_saved(api):
    flow = DepartmentFlow(api)
    flow.start()
    no_management = goals()
    no_management["indicators"] = [i for i in no_management["indicators"] if i["level1"] == "履职效能"]
    no_management["indicators"][0]["weight"] = 50
    wrong_level = goals()
    wrong_level["indicators"][0]["level2"] = "预算执行"
    not_a_number = goals()
    not_a_number["indicators"][2]["target"] = "百分之四"
    for data, field in ((goals(overall=""), "overall_goal"), (goals(amount=-5), "amount"),
                        (no_management, "indicators"), (wrong_level, "indicators.0.level2"),
                        (not_a_number, "indicators.2.target")):
        response = flow.do(flow.filer, "draft_dept_goals", data, status=422)
        assert field in response.get_json()["fields"], response.get_json()
    weights = goals()
    weights["indicators"][0]["weight"] = 30
    response = flow.do(flow.filer, "draft_dept_goals", weights, status=422)
    assert "权重合计必须为100" in str(response.get_json()["fields"])
    assert flow.get()["goal_versions"] == []


def test_bad_self_evaluation_is_refused_with_nothing_saved(app, api):
    flow = DepartmentFlow(api)
    flow.start()
    flow.approve_goals()
    flow.year_over(app)
    short = evaluation()
    short["results"] = short["results"][:3]
    no_reason = evaluation()
    no_reason["results"][1] = {"actual": "1200"}
    words = evaluation()
    words["results"][0] = {"actual": "三千多人"}
    no_achievement = evaluation()
    no_achievement["results"][8] = {"actual": "基本健全"}
    for data, field in ((short, "results"), (no_reason, "results.1.reason"), (words, "results.0.actual"),
                        (no_achievement, "results.8.achievement"), (evaluation(analysis=""), "analysis")):
        response = flow.do(flow.filer, "dept_self_evaluate", data, status=422)
        assert field in response.get_json()["fields"], response.get_json()
    case = flow.get()
    assert case["self_evaluation"] is None and case["score"] is None


def test_another_department_sees_nothing(api):
    flow = DepartmentFlow(api)
    flow.start()
    case_id = flow.case["id"]
    for user in ("slj_filer", "slj_head", "expert1"):
        assert api(user).get(f"/api/v1/department-performance/{case_id}").status_code == 404, user
        listed = api(user).get("/api/v1/department-performance").get_json()
        assert all(c["department"] != "rsj" for c in listed["items"]), user
    for user in ("rsj_filer", "rsj_head", "sbk", "supervisor", "admin"):
        assert api(user).get(f"/api/v1/department-performance/{case_id}").status_code == 200, user
    # the draft is not slj's to do
    task = flow.filer.task_named("draft_dept_goals", instance_id=flow.case["instance_id"])
    assert api("slj_filer").complete(task["id"], goals()).status_code == 404
    # no report before the performance section has confirmed
    assert flow.jxk.get(f"/api/v1/department-performance/{case_id}/report.pdf").status_code == 409


def test_a_generic_start_is_refused(api):
    response = api("jxk").post("/api/v1/processes/department_performance/instances", json={"data": {}})
    assert response.status_code == 422 and "department-performance" in response.get_json()["message"]


def test_the_self_evaluation_waits_for_the_year_to_end(app, api):
    from datetime import timedelta

    from workflow_app.engine import now
    from workflow_app.services import instances

    flow = DepartmentFlow(api, year=now().year)
    flow.start()
    flow.approve_goals()
    with app.app_context():
        instances.fire_due_timers(now() + timedelta(minutes=1))
    assert flow.get()["status"] == "goals_approved"
    assert not [t for t in flow.filer.tasks("group") + flow.filer.tasks("mine")
                if t["instance_id"] == flow.case["instance_id"]]
    with app.app_context():
        instances.fire_due_timers(now().replace(year=now().year + 1, month=1, day=1, hour=12))
    assert flow.filer.task_named("dept_self_evaluate", instance_id=flow.case["instance_id"])


def test_the_demo_walks_a_case_to_its_report(app):
    from workflow_app.extensions import db
    from workflow_app.services.department_performance_demo import seed_department_performance_demo
    from workflow_app.services import department_performance as dp

    with app.app_context():
        added = seed_department_performance_demo()["department_performance"]
        assert added > 1 and seed_department_performance_demo() == {"department_performance": 0}
        [case] = dp.finished_reports(LAST_YEAR)
        assert (case.department.code, case.score, case.grade, case.approved_version) == ("rsj", 96, "优", 2)
        db.session.remove()


def test_evidence_stays_with_a_returned_self_evaluation(app, api):
    import io
    flow = DepartmentFlow(api)
    flow.start(["rsj"])
    flow.approve_goals()
    flow.year_over(app)
    upload = flow.filer.client.post("/api/v1/attachments", headers=flow.filer._headers(), content_type="multipart/form-data",
                                    data={"file": (io.BytesIO(b"%PDF-1.4\n%evidence\n"), "台账.pdf")})
    evidence = upload.get_json()["id"]
    flow.do(flow.filer, "dept_self_evaluate", evaluation(evidence=[evidence]))
    flow.do(flow.head, "dept_evaluation_signoff", {"approved": False, "opinion": "分析过于简单"})
    assert flow.get()["status"] == "evaluating"
    # sent again with the same file: it is the case's already, not "used elsewhere"
    flow.do(flow.filer, "dept_self_evaluate", evaluation(evidence=[evidence], analysis="逐项分析……"))
    assert flow.get()["self_evaluation"]["evidence"] == [evidence]
    # someone else's file is refused
    other = api("slj_filer").client.post("/api/v1/attachments", headers=api("slj_filer")._headers(),
                                         content_type="multipart/form-data",
                                         data={"file": (io.BytesIO(b"%PDF-1.4\n%x\n"), "x.pdf")}).get_json()["id"]
    flow.do(flow.head, "dept_evaluation_signoff", {"approved": False, "opinion": "再改"})
    response = flow.do(flow.filer, "dept_self_evaluate", evaluation(evidence=[other]), status=422)
    assert "evidence" in response.get_json()["fields"]
