"""财政重点评价 (key evaluation) through the API: selection, the indicator tree, the agency's scoring and its
review, the department's objections, the finalised grade and what follows from it, and who sees what."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import KeyEvaluation, Notification, User

from .helpers import RSJ, SLJ, project_id
from .key_evaluation_flow import KeyEvaluationFlow, tree


def test_a_key_evaluation_runs_from_commissioning_to_a_graded_result(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    state = flow.through(lost={"实际完成率": 4, "社会效益": 3.5})
    assert state["status"] == "finished"
    assert state["agency_score"] == 92.5 and state["score"] == 92.5 and state["grade"] == "优"
    assert state["findings"] == ["培训后就业跟踪不到位", "资金拨付进度偏慢"]
    row = next(r for r in state["indicators"] if r["name"] == "实际完成率")
    assert row["points"] == 10 and row["score"] == 6
    assert [o["kind"] for o in state["opinions"]] == ["review", "feedback", "finalise"]
    # The department hears the grade and the findings.
    notes = flow.head.get("/api/v1/notifications").get_json()["items"]
    assert any("重点评价结果" in n["message"] and "优" in n["message"] and "资金拨付进度偏慢" in n["message"]
               for n in notes)
    # 结果应用: 优 → 优先保障 in next year's budget.
    assert flow.jxk.get(f"/api/v1/projects/{flow.project_id}").get_json()["budget_decision"] == "priority"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_default_tree_is_the_10hao_framework_with_100_points(app, api):
    rows = api("jxk").get("/api/v1/key-evaluations/default-indicators").get_json()["items"]
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["dimension"]] = totals.get(r["dimension"], 0) + r["points"]
    assert totals == {"决策": 20, "过程": 20, "产出": 30, "效益": 30}
    assert {"立项依据充分性", "资金到位率", "实际完成率", "服务对象满意度"} <= {r["name"] for r in rows}


def test_an_indicator_tree_not_totalling_100_or_with_results_under_60_is_refused_and_nothing_starts(app, api):
    jxk, pid = api("jxk"), project_id(app, RSJ)
    short = tree()
    short[0]["points"] = 2                                   # 99 in all
    heavy = tree()                                           # 决策 +10, 产出 -10: 产出+效益 = 50
    heavy[0]["points"] += 10
    heavy[11]["points"] -= 5
    heavy[12]["points"] -= 5
    no_process = [r for r in tree() if r["dimension"] != "过程"]
    no_process[0]["points"] += 20
    for bad, message in ((short, "合计须为100"), (heavy, "不得低于60%"), (no_process, "缺少一级指标"),
                         ([{"dimension": "管理", "level2": "x", "name": "y", "points": 100}], "评价指标有误"),
                         ("100", "不能为空")):
        response = jxk.post("/api/v1/key-evaluations", json={"project_ids": [pid], "agency": "thirdparty",
                                                             "indicators": bad})
        assert response.status_code == 422, bad
        assert message in response.get_json()["message"]
    assert _count(app, KeyEvaluation) == 0


def test_commissioning_needs_a_third_party_agency_and_the_performance_section(app, api):
    pid = project_id(app, RSJ)
    refused = api("jxk").post("/api/v1/key-evaluations", json={"project_ids": [pid], "agency": "expert1"})
    assert refused.status_code == 422 and "agency" in refused.get_json()["fields"]
    assert api("sbk").post("/api/v1/key-evaluations", json={"project_ids": [pid], "agency": "thirdparty"}).status_code == 403
    flow = KeyEvaluationFlow(api, pid)
    flow.commission()
    again = api("jxk").post("/api/v1/key-evaluations", json={"project_ids": [project_id(app, SLJ), pid],
                                                             "agency": "thirdparty"})
    assert again.status_code == 409
    assert _count(app, KeyEvaluation) == 1                     # the 水务局 project was not started either


def test_the_performance_section_adapts_the_tree_until_the_agency_has_scored(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    changed = tree()
    changed[0]["points"], changed[1]["points"] = 2, 4          # still 100
    changed.append({"dimension": "效益", "level2": "满意度", "name": "社会公众满意度", "points": 2})
    changed[-2]["points"] -= 2
    response = flow.jxk.put(f"/api/v1/key-evaluations/{flow.id}/indicators", json={"indicators": changed})
    assert response.status_code == 200, response.get_json()
    assert [r["name"] for r in response.get_json()["indicators"]][-1] == "社会公众满意度"
    bad = flow.jxk.put(f"/api/v1/key-evaluations/{flow.id}/indicators", json={"indicators": changed[:-1]})
    assert bad.status_code == 422
    assert flow.state()["indicators"][-1]["name"] == "社会公众满意度"   # nothing saved
    assert flow.agency.put(f"/api/v1/key-evaluations/{flow.id}/indicators",
                           json={"indicators": changed}).status_code == 403
    flow.score()
    late = flow.jxk.put(f"/api/v1/key-evaluations/{flow.id}/indicators", json={"indicators": changed})
    assert late.status_code == 409


def test_a_score_above_the_indicators_points_or_without_a_comment_is_refused_and_nothing_saved(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    data = flow.score_data()
    data["scores"][0]["score"] = 3.5                             # 立项依据充分性 is worth 3
    response = flow.do(flow.agency, "agency_score", data, expect=422)
    assert "立项依据充分性" in response.get_json()["message"]
    data = flow.score_data()
    data["scores"][1]["comment"] = "  "
    assert "scores.2.comment" in flow.do(flow.agency, "agency_score", data, expect=422).get_json()["fields"]
    data = flow.score_data()
    data["scores"].pop()                                         # 服务对象满意度 not scored
    assert flow.do(flow.agency, "agency_score", data, expect=422).status_code == 422
    data = flow.score_data(evidence=[])
    assert "evidence" in flow.do(flow.agency, "agency_score", data, expect=422).get_json()["fields"]
    state = flow.state()
    assert state["status"] == "scoring" and state["agency_score"] is None and state["findings"] == []
    assert all(r.get("score") is None for r in state["indicators"])


def test_a_returned_evaluation_goes_back_to_the_agency_with_the_opinion(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    flow.score()
    refused = flow.do(flow.jxk, "review_work", {"accepted": False, "opinion": ""}, expect=422)
    assert "opinion" in refused.get_json()["fields"]
    flow.do(flow.jxk, "review_work", {"accepted": False, "opinion": "评分依据不充分，请补充现场核查记录"})
    assert flow.state()["status"] == "scoring"
    # Resubmitted without a new file: the report already submitted still counts.
    flow.score(lost={"资金到位率": 2}, evidence=[])
    flow.accept()
    state = flow.state()
    assert state["status"] == "feedback" and state["agency_score"] == 98
    assert [o["decision"] for o in state["opinions"]] == ["returned", "accepted"]


def test_the_department_objects_and_the_performance_section_adjusts_with_a_reason(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    flow.score(lost={"实际完成率": 10, "质量达标率": 4})              # 86 → 良
    flow.accept()
    refused = flow.do(flow.head, "department_feedback", {"objection": True, "opinion": ""}, expect=422)
    assert "opinion" in refused.get_json()["fields"]
    flow.do(flow.head, "department_feedback", {"objection": True, "opinion": "实际完成率按年底数据应为95%"})
    no_reason = flow.do(flow.jxk, "finalise", {"final_score": 88, "opinion": "采纳部分意见"}, expect=422)
    assert "adjust_reason" in no_reason.get_json()["fields"]
    flow.finalise(final_score=78, adjust_reason="核实后完成率仍不足", reduce_amount=30)
    state = flow.state()
    assert (state["agency_score"], state["score"], state["grade"]) == (86, 78, "中")
    assert state["objection"] is True and state["reduce_amount"] == 30
    assert flow.jxk.get(f"/api/v1/projects/{flow.project_id}").get_json()["budget_decision"] == "reduce"
    with app.app_context():
        from workflow_app.models import ResultApplication
        row = db.session.scalars(select(ResultApplication)).one()
        assert (row.source, row.budget_year, row.grade, row.reduce_amount, row.decided_by) == (
            "key_evaluation", 2028, "中", 30, "jxk")


def test_grade_bands_follow_10hao(app, api):
    from workflow_app.services.key_evaluation import grade_of
    from decimal import Decimal
    assert [grade_of(Decimal(s)) for s in ("100", "90", "89.99", "80", "79.99", "60", "59.99", "0")] == \
        ["优", "优", "良", "良", "中", "中", "差", "差"]


def test_a_middle_grade_needs_the_budget_cut_amount(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    flow.score(lost={"实际完成率": 10, "质量达标率": 8, "社会效益": 10})   # 72 → 中
    flow.accept()
    flow.waive()
    refused = flow.do(flow.jxk, "finalise", {"opinion": "中"}, expect=422)
    assert "reduce_amount" in refused.get_json()["fields"]
    too_much = flow.do(flow.jxk, "finalise", {"opinion": "中", "reduce_amount": 999999}, expect=422)
    assert "reduce_amount" in too_much.get_json()["fields"]
    assert flow.state()["status"] == "finalising"
    flow.finalise(reduce_amount=50)
    assert flow.state()["grade"] == "中"


def test_no_answer_by_the_feedback_deadline_counts_as_no_objection(app, api):
    from workflow_app.engine import now
    from workflow_app.services import instances
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    flow.score()
    flow.accept()
    task = flow.head.task_named("department_feedback", instance_id=flow.instance_id)
    assert task["due_at"]
    with app.app_context():
        assert instances.fire_due_timers(now() + timedelta(days=11)) >= 1
    state = flow.state()
    assert state["status"] == "finalising" and state["objection"] is False
    assert state["opinions"][-1]["decision"] == "expired"
    flow.finalise()
    assert flow.state()["status"] == "finished"


def test_the_agency_sees_only_its_own_evaluations(app, api):
    from workflow_app.services.org import create_user
    from workflow_app.services.demo import DEMO_PASSWORD
    with app.app_context():
        create_user("agency2", DEMO_PASSWORD, ["third_party"], None, "另一家评估公司")
        db.session.commit()
    mine = KeyEvaluationFlow(api, project_id(app, RSJ))
    mine.commission()
    other = KeyEvaluationFlow(api, project_id(app, SLJ), agency="agency2")
    other.commission(agency="agency2")
    agency = api("thirdparty")
    listed = agency.get("/api/v1/key-evaluations").get_json()
    assert [e["id"] for e in listed["items"]] == [mine.id]
    assert agency.get(f"/api/v1/key-evaluations/{other.id}").status_code == 404
    assert agency.get(f"/api/v1/key-evaluations/{other.id}/report.pdf").status_code == 404
    assert agency.get(f"/api/v1/instances/{other.instance_id}").status_code == 404
    assert agency.get(f"/api/v1/projects/{other.project_id}").status_code == 404
    assert agency.get("/api/v1/tasks?scope=mine").get_json()["items"][0]["instance_id"] == mine.instance_id
    assert all(t["instance_id"] != other.instance_id for t in agency.tasks("group"))
    assert agency.get(f"/api/v1/key-evaluations/{mine.id}").status_code == 200
    # Another agency's task cannot be done either (it is not even visible).
    task = api("agency2").task_named("agency_score", instance_id=other.instance_id)
    assert agency.complete(task["id"], {"scores": []}).status_code == 404
    # Other departments do not see it; the project's department does.
    assert api("slj_filer").get(f"/api/v1/key-evaluations/{mine.id}").status_code == 404
    assert api("rsj_filer").get(f"/api/v1/key-evaluations/{mine.id}").status_code == 200


def test_findings_open_a_rectification_in_one_step(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.through()
    url = f"/api/v1/key-evaluations/{flow.id}/rectification"
    deadline = (date.today() + timedelta(days=30)).isoformat()
    assert flow.jxk.post(url, json={"deadline": "someday"}).status_code == 422
    assert flow.head.post(url, json={"deadline": deadline}).status_code == 403
    response = flow.jxk.post(url, json={"deadline": deadline})
    assert response.status_code == 201, response.get_json()
    rect = flow.jxk.get(f"/api/v1/rectifications/{response.get_json()['id']}").get_json()
    assert rect["findings"] == ["培训后就业跟踪不到位", "资金拨付进度偏慢"]
    assert flow.state()["rectification_id"] == rect["id"]
    assert flow.jxk.post(url, json={"deadline": deadline}).status_code == 409
    assert api("rsj_filer").task_named("submit_plan", scope="group", instance_id=rect["instance_id"])


def test_a_rectification_waits_for_the_finished_evaluation(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    response = flow.jxk.post(f"/api/v1/key-evaluations/{flow.id}/rectification",
                             json={"deadline": (date.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 409


def test_selection_filters_by_amount_department_fund_source_and_marks(app, api):
    jxk = api("jxk")
    url = "/api/v1/key-evaluations/candidates"
    codes = lambda q: [c["code"] for c in jxk.get(url + q).get_json()["items"]]  # noqa: E731
    assert codes("?fiscal_year=2027&min_amount=300") == ["2027-SLJ-001", "2027-RSJ-001"]
    assert codes("?fiscal_year=2027&department=cjl") == ["2027-CJL-001"]
    assert codes("?fiscal_year=2027&fund_source=fund") == ["2027-SLJ-001"]
    assert codes("?fiscal_year=2027&approved_goals=true") == []
    assert codes("?public_concern=true") == []
    pid = project_id(app, "2027-CJL-001")
    marked = jxk.put(f"/api/v1/projects/{pid}/key-evaluation-marks", json={"public_concern": True})
    assert marked.status_code == 200 and marked.get_json()["public_concern"] is True
    assert codes("?public_concern=true") == ["2027-CJL-001"]
    assert codes("?public_concern=true&wide_coverage=true") == []
    assert jxk.put(f"/api/v1/projects/{pid}/key-evaluation-marks", json={"wide_coverage": "yes"}).status_code == 422
    assert jxk.get(url + "?min_amount=abc").status_code == 422
    assert jxk.get(url + "?fund_source=gold").status_code == 422
    assert api("rsj_filer").get(url).status_code == 403
    assert api("thirdparty").put(f"/api/v1/projects/{pid}/key-evaluation-marks",
                                 json={"public_concern": True}).status_code == 404


def test_selection_finds_projects_with_approved_goals_and_the_report_shows_them(app, api):
    from .key_evaluation_flow import approve_goals
    pid = project_id(app, RSJ)
    approve_goals(api, pid)
    listed = api("jxk").get("/api/v1/key-evaluations/candidates?approved_goals=true").get_json()["items"]
    assert [c["project_id"] for c in listed] == [pid]
    assert listed[0]["goal_status"] == "approved"


def test_the_department_reads_the_agencys_work_only_once_the_performance_section_accepted_it(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    flow.score(lost={"实际完成率": 4})
    dept = api("rsj_filer")
    draft = dept.get(f"/api/v1/key-evaluations/{flow.id}").get_json()
    assert draft["work_visible"] is False and draft["agency_score"] is None and draft["findings"] == []
    assert all("score" not in r for r in draft["indicators"]) and draft["status"] == "reviewing"
    assert dept.get(f"/api/v1/key-evaluations/{flow.id}/report.pdf").status_code == 409
    assert flow.state()["agency_score"] == 96                                  # the bureau sees it
    assert api("thirdparty").get(f"/api/v1/key-evaluations/{flow.id}").get_json()["agency_score"] == 96
    flow.accept()
    shown = dept.get(f"/api/v1/key-evaluations/{flow.id}").get_json()
    assert shown["work_visible"] is True and shown["agency_score"] == 96 and shown["findings"]
    assert dept.get(f"/api/v1/key-evaluations/{flow.id}/report.pdf").status_code == 200


def test_a_reassigned_scoring_step_lets_the_new_agency_read_the_evaluation(app, api):
    from workflow_app.services.demo import DEMO_PASSWORD
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("agency2", DEMO_PASSWORD, ["third_party"], None, "另一家评估公司")
        db.session.commit()
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    other = api("agency2")
    assert other.get(f"/api/v1/key-evaluations/{flow.id}").status_code == 404
    task = flow.agency.task_named("agency_score", instance_id=flow.instance_id)
    assert flow.jxk.post(f"/api/v1/tasks/{task['id']}/reassign", json={"username": "agency2"}).status_code == 200
    assert other.get(f"/api/v1/key-evaluations/{flow.id}").status_code == 200
    assert [e["id"] for e in other.get("/api/v1/key-evaluations").get_json()["items"]] == [flow.id]
    flow.agency = other
    flow.score()
    assert other.get(f"/api/v1/key-evaluations/{flow.id}").get_json()["agency_score"] == 100
