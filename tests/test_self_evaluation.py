"""单位自评 through the API: the round in batch, the 自评表 prefilled and scored by the product, the deviation
causes, the head's sign-off, the flag on an uncritical table, and the result for next year's budget."""
from __future__ import annotations

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import Notification, User
from workflow_app.models.self_evaluation import SelfEvaluation

from .helpers import RSJ, SLJ, project_id
from .self_evaluation_flow import FULL_ROWS, YEAR, SelfEvaluationFlow, approve_goals, fill_data


def test_a_round_starts_one_prefilled_instance_per_approved_project(app, api):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    assert api("rsj_filer").post("/api/v1/self-evaluation-rounds", json={"fiscal_year": YEAR}).status_code == 403
    started = flow.start_round()
    assert (started["added"], started["projects"]) == (1, 1)        # SLJ's goals are not approved: not in the round
    assert flow.start_round()["added"] == 0                          # a second start adds nothing twice
    task = flow.filer.task_named("fill_evaluation", project_id=rsj)
    assert task["lane"] == "department_filer" and task["department"] == "rsj" and task["due_at"]
    evaluation = flow.evaluation(rsj)
    assert evaluation["status"] == "filling" and evaluation["instance_id"] == task["instance_id"]
    assert evaluation["initial_budget"] == 300 and evaluation["annual_budget"] == 300
    assert [(r["name"], r["category"], r["kind"], r["target_value"]) for r in evaluation["rows"]] == [
        ("培训人次", "产出", "quantitative", "3000"), ("培训合格率", "产出", "quantitative", "90"),
        ("促进城乡劳动者就业", "效益", "qualitative", None), ("学员满意度", "满意度", "quantitative", "90")]
    assert evaluation["overall_goal"].startswith("全年开展就业技能培训")
    # Another department does not see it; a generic start is refused (the round owns the rows).
    assert api("slj_filer").get(f"/api/v1/self-evaluations/{evaluation['id']}").status_code == 404
    assert api("slj_filer").get(f"/api/v1/self-evaluations?year={YEAR}").get_json()["total"] == 0
    generic = flow.jxk.post("/api/v1/processes/self_evaluation/instances", json={"data": {}, "project_id": rsj})
    assert generic.status_code == 422


def test_the_round_is_started_in_keyed_chunks(app, api, monkeypatch):
    from workflow_app.models import BatchChunk
    from workflow_app.services import self_evaluation as service
    monkeypatch.setattr(service, "CHUNK_SIZE", 1)
    rsj, slj = project_id(app, RSJ), project_id(app, SLJ)
    approve_goals(api, rsj)
    approve_goals(api, slj, filer="slj_filer", head="slj_head", authority="slj_deputy", finance="nyk")
    assert SelfEvaluationFlow(api).start_round()["added"] == 2
    with app.app_context():
        evaluations = db.session.scalars(select(SelfEvaluation).order_by(SelfEvaluation.id)).all()
        assert all(e.instance_id for e in evaluations)
        keys = sorted(db.session.scalars(select(BatchChunk.key)))
        assert keys == [f"self_evaluation:{e.round_id}:{e.id}-{e.id}" for e in evaluations]
    assert api("slj_filer").task_named("fill_evaluation", project_id=slj)["department"] == "slj"


def test_executed_amounts_come_from_the_payments_when_they_are_installed(app, api, monkeypatch):
    """services/execution.py (the payments) prefills 全年执行数; a project without payments is left to the filer."""
    import sys
    import types
    from decimal import Decimal
    rsj, slj = project_id(app, RSJ), project_id(app, SLJ)
    asked = []
    fake = types.ModuleType("workflow_app.services.execution")
    fake.executed_amounts = lambda ids, year, month: asked.append((sorted(ids), year, month)) or {
        rsj: Decimal("276.40"), slj: Decimal("0.00")}
    monkeypatch.setitem(sys.modules, "workflow_app.services.execution", fake)
    import workflow_app.services as services_package
    monkeypatch.setattr(services_package, "execution", fake, raising=False)
    approve_goals(api, rsj)
    approve_goals(api, slj, filer="slj_filer", head="slj_head", authority="slj_deputy", finance="nyk")
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    assert asked == [(sorted([rsj, slj]), YEAR, 12)]
    evaluation = flow.evaluation(rsj)
    assert (evaluation["executed"], evaluation["executed_from_payments"]) == (276.4, True)
    assert (flow.evaluation(slj)["executed"], flow.evaluation(slj)["executed_from_payments"]) == (None, False)


def test_bad_rounds_are_refused(app, api):
    jxk = api("jxk")
    for body, field in [({"fiscal_year": "2027"}, "fiscal_year"), ({"fiscal_year": 1900}, "fiscal_year"),
                        ({"fiscal_year": YEAR, "min_amount": -1}, "min_amount"),
                        ({"fiscal_year": YEAR, "min_amount": "x"}, "min_amount")]:
        response = jxk.post("/api/v1/self-evaluation-rounds", json=body)
        assert response.status_code == 422 and field in response.get_json()["fields"], body
    assert jxk.get("/api/v1/self-evaluation-rounds").get_json()["total"] == 0


def test_the_amount_threshold_leaves_small_projects_out(app, api):
    approve_goals(api, project_id(app, RSJ))
    started = SelfEvaluationFlow(api).start_round(min_amount=301)
    assert started["added"] == 0


def test_the_product_scores_the_table_and_asks_for_deviation_causes(app, api):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    # A missing actual value and a share outside its band: 422, nothing saved.
    rows = [{"actual": ""}, {"actual": "92"}, {"level": "部分达成", "share": "85"}, {"actual": "95"}]
    body = flow.fill(rsj, fill_data(rows=rows), expect=422).get_json()
    assert {"rows.0.actual", "rows.2.share"} <= set(body["fields"])
    assert "第1行“培训人次”" in body["message"]
    # 2800 of 3000 trained: below target, so a deviation cause is required.
    rows = [{"actual": "2800"}, {"actual": "92"}, {"level": "达成", "share": "90"}, {"actual": "95"}]
    body = flow.fill(rsj, fill_data(rows=rows), expect=422).get_json()
    assert set(body["fields"]) == {"rows.0.cause"}
    assert flow.evaluation(rsj)["rows"][0]["actual"] == "" and flow.evaluation(rsj)["score"] is None
    # 执行数 missing: 422 as well.
    assert flow.fill(rsj, fill_data(executed=None), expect=422).get_json()["fields"].keys() == {"executed"}
    rows[0]["cause"] = "两个乡镇培训点延期开班，已调整到次年一季度。"
    flow.fill(rsj, fill_data(rows=rows))
    evaluation = flow.evaluation(rsj)
    # 9.50 + 33.33 × 2800/3000 (31.11) + 16.67 + 30 × 90 % (27.00) + 10 = 94.28
    assert (evaluation["score"], evaluation["grade"], evaluation["status"]) == (94.28, "优", "signing")
    assert [r["score"] for r in evaluation["breakdown"]["rows"]] == [31.11, 16.67, 27.0, 10.0]
    assert evaluation["breakdown"]["execution_score"] == 9.5 and evaluation["breakdown"]["needs_cause"] == [0]
    assert evaluation["flagged"] is False


def test_head_signoff_submits_to_finance_and_records_the_result(app, api):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    flow.fill(rsj, fill_data())
    flow.signoff(rsj, approved=False, opinion="满意度数据请附调查表")
    assert flow.evaluation(rsj)["status"] == "filling"
    flow.fill(rsj, fill_data())
    flow.signoff(rsj)
    evaluation = flow.evaluation(rsj)
    assert evaluation["status"] == "submitted" and evaluation["score"] == 99.5 and evaluation["grade"] == "优"
    project = flow.jxk.get(f"/api/v1/projects/{rsj}").get_json()
    assert project["budget_decision"] == "priority"
    results = flow.jxk.get(f"/api/v1/result-applications?budget_year={YEAR + 1}").get_json()["items"]
    assert [(r["source"], r["grade"], r["decision"]) for r in results] == [("self_evaluation", "优", "priority")]
    with app.app_context():
        jxk = db.session.scalars(select(User).where(User.username == "jxk")).one()
        assert db.session.scalars(select(Notification).where(
            Notification.user_id == jxk.id, Notification.kind == "self_evaluation_submitted")).first()
    instance = flow.jxk.get(f"/api/v1/instances/{evaluation['instance_id']}").get_json()
    assert instance["status"] == "completed"


def test_only_the_head_signs_off(app, api):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    flow.fill(rsj, fill_data())
    task = flow.head.task_named("evaluation_signoff", project_id=rsj)
    assert api("rsj_filer").complete(task["id"], {"approved": True, "opinion": ""}).status_code == 403


def test_every_row_full_and_no_problem_named_is_flagged_for_recheck(app, api):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    evaluation = flow.submit(rsj, fill_data(problems="", rows=FULL_ROWS))
    assert evaluation["flagged"] is True and evaluation["score"] == 99.5
    with app.app_context():
        assert db.session.scalars(select(SelfEvaluation)).one().flagged
