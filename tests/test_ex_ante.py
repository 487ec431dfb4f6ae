"""事前绩效评估 (ex-ante assessment) through the API: the journeys to each conclusion, the scoring table, the
goal review's gate, refused input with nothing saved, and who may do what."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import ExAnteAssessment, HumanTask, ProcessInstance
from workflow_app.services import ex_ante_scoring

from .ex_ante_flow import ExAnteFlow, dimension_grades, new_project, sub_grades
from .helpers import RSJ, SLJ, project_id

ROOT = Path(__file__).resolve().parent.parent
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"


def _shipped_ratios() -> dict[str, Decimal]:
    """The grade → ratio table of bpmn/ex_ante_scoring.dmn, read as the engine's COLLECT gives it."""
    root = ET.parse(ROOT / "bpmn/ex_ante_scoring.dmn").getroot()
    names, ratios = [], []
    for rule in root.iter(f"{DMN}rule"):
        grade, ratio = [e.find(f"{DMN}text").text for e in rule.findall(f"{DMN}outputEntry")]
        names.append(grade.strip('"'))
        ratios.append(float(ratio))
    return ex_ante_scoring.ratio_table(names, ratios)


def goal_review_count(app, pid: int) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.project_id == pid, ProcessInstance.process_key == "goal_review"))
        db.session.remove()
        return n


# -- the scoring table (DMN) and the cut-offs ---------------------------------------------------------------------
def test_shipped_grading_table_gives_the_documented_ratios():
    assert _shipped_ratios() == {"优": Decimal("1.0"), "良": Decimal("0.8"), "中": Decimal("0.6"), "差": Decimal("0.2")}


@pytest.mark.parametrize("grades, total, conclusion", [
    (sub_grades("优"), "100.00", "support"),
    (sub_grades("良"), "80.00", "support"),                                   # the support cut-off itself
    (sub_grades("良", necessity_relevance="中"), "78.00", "partial"),
    (sub_grades("中"), "60.00", "partial"),                                   # the partial cut-off itself
    (sub_grades("中", funding_sharing="差"), "56.00", "reject"),
    (sub_grades("差"), "20.00", "reject"),
    (sub_grades("优", economy_cost="差", goals_indicators="差"), "84.00", "support"),
])
def test_score_and_conclusion_follow_the_table(grades, total, conclusion):
    keyed = {key.replace("_", ".", 1): grade for key, grade in grades.items()}
    scored = ex_ante_scoring.score(keyed, _shipped_ratios())
    assert scored.total == Decimal(total)
    assert sum(scored.dimensions.values()) == scored.total and max(scored.dimensions.values()) <= 20
    assert ex_ante_scoring.conclusion(scored.total, Decimal(80), Decimal(60)) == conclusion


def test_a_table_that_does_not_fit_is_refused():
    with pytest.raises(ex_ante_scoring.ScoringError):
        ex_ante_scoring.ratio_table(["优"], [1.5])
    with pytest.raises(ex_ante_scoring.ScoringError):
        ex_ante_scoring.score({"necessity.relevance": "优"}, _shipped_ratios())   # sub-items missing


# -- journeys ---------------------------------------------------------------------------------------------------
def test_supported_with_a_third_party_whose_report_is_checked(app, api):
    pid = new_project(api)
    flow = ExAnteFlow(api, pid)
    flow.start()
    assert flow.assessment["status"] == "registering" and flow.assessment["basis"] == "new"
    flow.through_signoff()
    flow.do(flow.jxk, "organize_review", {"materials_complete": True, "use_third_party": True, "opinion": "齐全"})
    # the agency's report goes back once, then counts only after the performance section accepts it
    flow.do(flow.third, "third_party_report", {"recommendation": "support", "opinion": "初稿",
                                               "grades": dimension_grades("优")})
    flow.do(flow.jxk, "third_party_check", {"accepted": False, "opinion": "测算依据不足，请补充"})
    flow.do(flow.third, "third_party_report", {"recommendation": "support", "opinion": "修改稿",
                                               "grades": dimension_grades("优")})
    flow.do(flow.jxk, "third_party_check", {"accepted": True, "opinion": "采信"})
    flow.do(flow.finance, "finance_review", {"recommendation": "support", "opinion": "资金来源合规"})
    experts = flow.experts()
    assert len(experts) == 3 and len(set(experts)) == 3
    for expert in experts:
        flow.do(api(expert), "expert_review", {"recommendation": "support", "opinion": "必要",
                                               "grades": dimension_grades("优")})
    task = flow.task(flow.jxk, "score_review")
    assert task["due_at"] is not None
    flow.score(sub_grades("优"))
    body = flow.jxk.get(f"/api/v1/ex-ante/{flow.id}").get_json()
    assert (body["status"], body["score"], body["conclusion"], body["conclusion_label"]) == (
        "concluded", 100.0, "support", "予以支持")
    assert body["use_third_party"] is True and body["dimension_scores"]["necessity"] == 20.0
    project = flow.filer.get(f"/api/v1/projects/{pid}").get_json()
    assert (project["ex_ante_conclusion"], project["ex_ante_score"]) == ("support", 100.0)
    with app.app_context():
        assessment = db.session.get(ExAnteAssessment, flow.id)
        kinds = [o.kind for o in assessment.opinions]
        assert kinds.count("third_party") == 2 and kinds.count("third_party_check") == 2
        assert kinds.count("expert") == 3 and assessment.experts == experts
        assert assessment.grade_ratios == {"优": 1.0, "良": 0.8, "中": 0.6, "差": 0.2}
        db.session.remove()
    # the gate lets the goal review start
    assert flow.filer.post(f"/api/v1/projects/{pid}/goal-review").status_code == 201


def test_partially_supported_needs_conditions_then_their_acknowledgement(app, api):
    pid = new_project(api)
    flow = ExAnteFlow(api, pid)
    flow.start()
    flow.through_signoff()
    flow.reviews()
    refused = flow.score(sub_grades("中"), expect=422)
    assert "conditions" in refused.get_json()["fields"]
    assert flow.task(flow.jxk, "score_review")["state"] == "ready"            # nothing saved
    assert flow.jxk.get(f"/api/v1/ex-ante/{flow.id}").get_json()["score"] is None
    flow.score(sub_grades("中"), conditions="压减培训场地租赁费用20万元后支持")
    body = flow.jxk.get(f"/api/v1/ex-ante/{flow.id}").get_json()
    assert (body["conclusion"], body["score"], body["conditions"]) == ("partial", 60.0, "压减培训场地租赁费用20万元后支持")

    refused = flow.filer.post(f"/api/v1/projects/{pid}/goal-review")
    assert refused.status_code == 422
    assert "acknowledge_conditions" in refused.get_json()["fields"]
    assert "压减培训场地" in refused.get_json()["fields"]["acknowledge_conditions"][0]
    assert goal_review_count(app, pid) == 0
    assert flow.filer.post(f"/api/v1/projects/{pid}/goal-review",
                           json={"acknowledge_conditions": "maybe"}).status_code == 422
    started = flow.filer.post(f"/api/v1/projects/{pid}/goal-review", json={"acknowledge_conditions": True})
    assert started.status_code == 201, started.get_json()
    with app.app_context():
        assert db.session.get(ExAnteAssessment, flow.id).conditions_acknowledged_by == "rsj_filer"
        db.session.remove()


def test_not_supported_blocks_the_goal_review(app, api):
    pid = new_project(api)
    body = ExAnteFlow(api, pid).run(sub_grades("中", funding_sharing="差"))
    assert (body["conclusion"], body["score"], body["conditions"]) == ("reject", 56.0, None)
    refused = api("rsj_filer").post(f"/api/v1/projects/{pid}/goal-review")
    assert refused.status_code == 422 and "不予支持" in refused.get_json()["message"]
    assert goal_review_count(app, pid) == 0
    assert api("jxk").get(f"/api/v1/projects/{pid}").get_json()["goal_status"] == "none"


def test_a_new_major_project_without_an_assessment_cannot_start_its_goal_review(app, api):
    filer = api("rsj_filer")
    major, small = new_project(api, "2028-RSJ-201", amount=500), new_project(api, "2028-RSJ-202", amount=50)
    continuing = new_project(api, "2028-RSJ-203", amount=500, is_new=False)
    refused = filer.post(f"/api/v1/projects/{major}/goal-review")
    assert refused.status_code == 422 and "事前绩效评估" in refused.get_json()["message"]
    assert goal_review_count(app, major) == 0
    # a running (unconcluded) assessment is not enough either
    ExAnteFlow(api, major).start()
    assert filer.post(f"/api/v1/projects/{major}/goal-review").status_code == 422
    assert filer.post(f"/api/v1/projects/{small}/goal-review").status_code == 201        # below EX_ANTE_MIN_AMOUNT
    assert filer.post(f"/api/v1/projects/{continuing}/goal-review").status_code == 201
    # the demo projects are continuing ones
    assert filer.post(f"/api/v1/projects/{project_id(app, RSJ)}/goal-review").status_code == 201


def test_cut_offs_and_the_major_amount_are_settings(app, api, monkeypatch):
    monkeypatch.setitem(app.config, "EX_ANTE_SUPPORT_MIN", Decimal("90"))
    monkeypatch.setitem(app.config, "EX_ANTE_MIN_AMOUNT", Decimal("0"))
    small = new_project(api, "2028-RSJ-301", amount=5)
    assert api("rsj_filer").post(f"/api/v1/projects/{small}/goal-review").status_code == 422
    flow = ExAnteFlow(api, small)
    flow.start()
    flow.through_signoff()
    flow.reviews()
    assert flow.score(sub_grades("良"), expect=422).get_json()["fields"]["conditions"]   # 80 < 90: partial
    flow.score(sub_grades("良"), conditions="细化绩效指标")
    assert flow.jxk.get(f"/api/v1/ex-ante/{flow.id}").get_json()["conclusion"] == "partial"


# -- sending back ---------------------------------------------------------------------------------------------------
def test_head_and_performance_section_send_the_item_back(app, api):
    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    flow.register()
    flow.self_assess()
    assert flow.head.complete(flow.task(flow.head, "head_signoff")["id"],
                              {"approved": False, "opinion": ""}).status_code == 422   # a return needs a reason
    flow.do(flow.head, "head_signoff", {"approved": False, "opinion": "自评过高"})
    # the self-assessment comes back filled in as it was
    page_task = flow.task(flow.filer, "self_assess")
    flow.do(flow.filer, "self_assess", {"grades": dimension_grades("良"), "report": "修改后的报告"})
    flow.do(flow.head, "head_signoff", {"approved": True, "opinion": "同意"})
    assert flow.jxk.get(f"/api/v1/ex-ante/{flow.id}").get_json()["status"] == "in_review"
    flow.do(flow.jxk, "organize_review", {"materials_complete": False, "opinion": "缺少价格和定额依据"})
    assert flow.jxk.get(f"/api/v1/ex-ante/{flow.id}").get_json()["status"] == "registering"
    assert flow.upload("other", name="价格依据.pdf").status_code == 201          # the pack may grow again
    flow.do(flow.filer, "register_item", {"item_kind": "project", "basis": "new", "summary": "补充后"})
    assert page_task["id"] != flow.task(flow.filer, "self_assess")["id"]


# -- the material pack ------------------------------------------------------------------------------------------------
def test_registration_needs_the_whole_pack_and_uploads_are_checked(app, api):
    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    task = flow.task(flow.filer, "register_item")
    data = {"item_kind": "project", "basis": "new", "summary": "基本情况"}
    refused = flow.filer.complete(task["id"], data)
    assert refused.status_code == 422 and "可行性研究报告" in refused.get_json()["message"]
    assert flow.task(flow.filer, "register_item")["state"] == "ready"
    assert flow.upload("application").status_code == 201
    assert flow.upload("no_such_kind").status_code == 422
    assert flow.upload("plan", content=b"MZ\x90\x00 not a document", name="plan.exe").status_code == 422
    assert flow.upload("plan", content=b"").status_code == 422
    with app.app_context():
        assert len(db.session.get(ExAnteAssessment, flow.id).materials) == 1     # nothing of the refused kept
        db.session.remove()
    refused = flow.filer.complete(task["id"], data)
    assert refused.status_code == 422 and set(refused.get_json()["fields"]) == {"materials"}
    assert flow.upload("plan", client=flow.head).status_code == 403              # not the one registering
    assert flow.upload("plan", client=api("slj_filer")).status_code == 404       # another department
    for kind in ("plan", "feasibility", "budget_detail"):
        assert flow.upload(kind).status_code == 201
    assert flow.upload("plan", name="实施方案（修订）.pdf").status_code == 201      # a later file supersedes
    assert flow.filer.complete(task["id"], data).status_code == 200
    body = flow.filer.get(f"/api/v1/ex-ante/{flow.id}").get_json()
    assert body["missing_materials"] == []
    assert [m["filename"] for m in body["materials"] if m["kind"] == "plan"] == ["实施方案（修订）.pdf"]
    assert flow.upload("other").status_code == 409                               # the pack is closed now
    # whoever follows the assessment may download its files
    material = body["materials"][0]["attachment_id"]
    assert api("jxk").get(f"/api/v1/attachments/{material}").status_code == 200
    assert api("slj_filer").get(f"/api/v1/attachments/{material}").status_code == 404


# -- refused input, nothing saved -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("step, data, field", [
    ("self_assess", {"grades": {**dimension_grades("良"), "goals": "极好"}, "report": "报告"}, "grades.goals"),
    ("self_assess", {"grades": dimension_grades("良"), "report": ""}, "report"),
    ("self_assess", {"grades": dimension_grades("良"), "report": "长" * 20001}, "report"),
])
def test_bad_self_assessment_is_422_and_saves_nothing(app, api, step, data, field):
    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    flow.register()
    refused = flow.filer.complete(flow.task(flow.filer, step)["id"], data)
    assert refused.status_code == 422 and field in refused.get_json()["fields"], refused.get_json()
    with app.app_context():
        assert db.session.get(ExAnteAssessment, flow.id).self_grades is None
        db.session.remove()


def test_bad_scoring_is_422_and_saves_nothing(app, api):
    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    flow.through_signoff()
    flow.reviews()
    grades = sub_grades("优")
    del grades["funding_sharing"]
    assert "sub_grades.funding_sharing" in flow.score(grades, expect=422).get_json()["fields"]
    assert flow.score(sub_grades("优", goals_goal_fit="甲"), expect=422).status_code == 422
    assert flow.jxk.complete(flow.task(flow.jxk, "score_review")["id"],
                             {"sub_grades": sub_grades("优"), "opinion": ""}).status_code == 422
    with app.app_context():
        assessment = db.session.get(ExAnteAssessment, flow.id)
        assert (assessment.score, assessment.conclusion, assessment.status) == (None, None, "in_review")
        assert [o.kind for o in assessment.opinions].count("score") == 0
        db.session.remove()


# -- who may do what ---------------------------------------------------------------------------------------------------
def test_start_and_reading_are_scoped_like_the_project_library(app, api):
    pid = new_project(api)
    assert api("rsj_head").post(f"/api/v1/projects/{pid}/ex-ante").status_code == 403
    assert api("jxk").post(f"/api/v1/projects/{pid}/ex-ante").status_code == 403
    assert api("slj_filer").post(f"/api/v1/projects/{pid}/ex-ante").status_code == 404
    assert api("slj_filer").post("/api/v1/projects/999999/ex-ante").status_code == 404
    flow = ExAnteFlow(api, pid)
    flow.start()
    assert flow.filer.post(f"/api/v1/projects/{pid}/ex-ante").status_code == 409   # one at a time
    assert api("slj_filer").get(f"/api/v1/ex-ante/{flow.id}").status_code == 404
    assert api("slj_filer").get(f"/api/v1/ex-ante/{flow.id}/report.xlsx").status_code == 404
    slj = ExAnteFlow(api, project_id(app, SLJ))
    slj.filer, slj.head = api("slj_filer"), api("slj_head")
    slj.start()
    listed = api("rsj_filer").get("/api/v1/ex-ante?year=2028").get_json()
    assert [a["id"] for a in listed["items"]] == [flow.id] and listed["total"] == 1
    assert {a["id"] for a in api("jxk").get("/api/v1/ex-ante").get_json()["items"]} == {flow.id, slj.id}
    assert [a["id"] for a in api("slj_filer").get("/api/v1/ex-ante").get_json()["items"]] == [slj.id]
    assert api("jxk").get("/api/v1/ex-ante?conclusion=maybe").status_code == 422
    assert api("jxk").get("/api/v1/ex-ante?year=x").status_code == 422
    # the process starts only through its own endpoint
    generic = api("jxk").post("/api/v1/processes/ex_ante/instances", json={"data": {}, "project_id": pid})
    assert generic.status_code == 422 and "/ex-ante" in generic.get_json()["message"]


def test_wrong_role_is_403_and_four_eyes_keep_the_filer_from_signing_off(app, api):
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("rsj_both", "demo-pass-2026", ["department_filer", "department_head"], "rsj", "人社局 双岗")
        db.session.commit()
        db.session.remove()
    flow = ExAnteFlow(api, new_project(api))
    flow.filer = api("rsj_both")
    flow.start()
    assert flow.head.complete(flow.task(flow.filer, "register_item")["id"],
                              {"item_kind": "project", "basis": "new", "summary": "x"}).status_code in (403, 409)
    flow.register()
    flow.self_assess()
    signoff = flow.task(flow.head, "head_signoff")
    assert flow.filer.complete(signoff["id"], {"approved": True, "opinion": "自己签"}).status_code == 403
    assert api("sbk").complete(signoff["id"], {"approved": True}).status_code == 404   # not the bureau's step to see
    flow.do(flow.head, "head_signoff", {"approved": True, "opinion": "同意"})
    organize = flow.task(flow.jxk, "organize_review")
    assert flow.head.complete(organize["id"], {"materials_complete": True}).status_code == 403


def test_experts_are_drawn_with_avoidance_and_stay_anonymous_to_the_department(app, api, browser):
    from workflow_app.services.demo import USERS
    names = {username: name for username, name, _roles, _dept in USERS}
    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    flow.through_signoff()
    flow.reviews()
    with app.app_context():
        experts = db.session.get(ExAnteAssessment, flow.id).experts
        rows = db.session.scalars(select(HumanTask.assignee).where(
            HumanTask.instance_id == flow.instance_id, HumanTask.name == "expert_review")).all()
        db.session.remove()
    # the joint review's draw: EXPERTS_PER_REVIEW experts of the pool, none of the project's own department
    assert sorted(rows) == experts and len(experts) == 3 and all(e.startswith("expert") for e in experts)
    flow.score(sub_grades("良"))
    department_page = browser("rsj_filer").get(f"/ex-ante/{flow.id}").get_data(as_text=True)
    bureau_page = browser("jxk").get(f"/ex-ante/{flow.id}").get_data(as_text=True)
    assert "专家1" in department_page and "专家3" in department_page
    for expert in experts:
        assert names[expert] not in department_page and names[expert] in bureau_page


# -- deadlines, notifications, diagram, report ------------------------------------------------------------------------------
def test_steps_have_deadlines_notify_the_next_people_and_show_on_the_diagram(app, api, browser):
    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    assert flow.task(flow.filer, "register_item")["due_at"] is not None
    flow.register()
    flow.self_assess()
    notes = [n["message"] for n in flow.head.get("/api/v1/notifications").get_json()["items"]]
    assert any("部门负责人审核签发" in m and "零就业家庭就业援助" in m for m in notes), notes
    assert flow.task(flow.head, "head_signoff")["due_at"] is not None
    page = browser("rsj_head")
    assert page.get(f"/instances/{flow.instance_id}").status_code == 200
    diagram = page.get(f"/instances/{flow.instance_id}/diagram.xml").get_data(as_text=True)
    assert 'id="lane_third_party" name="第三方机构"' in diagram and 'id="head_signoff"' in diagram
    history = flow.jxk.get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    assert [h["task"] for h in history if h["action"] == "complete"] == ["register_item", "self_assess"]


def test_report_file_has_the_score_table_and_the_conclusion(app, api):
    flow = ExAnteFlow(api, new_project(api))
    flow.run(sub_grades("良", necessity_relevance="中"), conditions="补充可行性论证")
    response = api("rsj_filer").get(f"/api/v1/ex-ante/{flow.id}/report.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert ["合计", None, 100, None, 78.0] in [list(r) for r in rows]
    assert any(r[0] == "结论" and r[1] == "部分支持" for r in rows)
    assert any(r[0] == "支持条件" and r[1] == "补充可行性论证" for r in rows)
    assert not any("林教授" in str(c) for r in rows for c in r if c)           # experts by alias for the department


def test_a_step_past_its_deadline_reminds_its_holder_once(app, api):
    from datetime import datetime, timedelta, timezone

    from workflow_app.models import Notification, User
    from workflow_app.services import instances

    flow = ExAnteFlow(api, new_project(api))
    flow.start()
    task = flow.task(flow.filer, "register_item")
    due = datetime.fromisoformat(task["due_at"])
    assert timedelta(days=14, hours=23) < due - datetime.now(timezone.utc) <= timedelta(days=15)   # DUE_DAYS_EX_ANTE_DEPARTMENT
    with app.app_context():
        assert instances.fire_due_timers(due + timedelta(hours=1)) == 1
        assert instances.fire_due_timers(due + timedelta(hours=2)) == 0
        filer_id = db.session.scalars(select(User.id).where(User.username == "rsj_filer")).one()
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == filer_id)).all()
        assert kinds.count("overdue") == 1
        db.session.remove()
    assert flow.task(flow.filer, "register_item")["overdue"] is True
    flow.register()   # still possible after the deadline


def test_scoring_without_a_grading_table_is_refused_not_crashed(app):
    import forms
    with app.test_request_context():
        form = forms.build_from_json("ex_ante:ScoreReviewForm", {"sub_grades": sub_grades("优"), "opinion": "意见"},
                                     grade_ratios={})
        assert not form.validate() and "评分规则表尚未读取" in form.errors["conditions"][0]
        form = forms.build_from_json("ex_ante:ScoreReviewForm", {"sub_grades": sub_grades("优"), "opinion": "意见"},
                                     grade_ratios=_shipped_ratios())
        assert form.validate() and form.to_task_data() == {"ex_ante_conclusion": "support"}


def test_the_process_module_declares_every_step():
    """What processes/ex_ante.py declares matches bpmn/ex_ante.bpmn: handlers, deadlines, templates, titles."""
    import re as _re

    from workflow_app.processes import load_all, registry
    from workflow_app.services import ex_ante as service

    load_all()
    module = registry.get("ex_ante")
    tasks = set(_re.findall(r'<bpmn:userTask id="([A-Za-z0-9_]+)"',
                            (ROOT / "bpmn/ex_ante.bpmn").read_text(encoding="utf-8")))
    assert set(service.ON_COMPLETE) == tasks
    assert {key.partition(":")[2] for key in module.due_days} == tasks
    assert {task for task, _zh in module.task_titles_en} == tasks
    folder = ROOT / "workflow_app/templates/processes/ex_ante"
    assert {p.stem for p in (folder / "context").glob("*.html")} == tasks
    assert module.start_endpoint == "POST /api/v1/projects/<id>/ex-ante"
    assert registry.due_days({})["ex_ante:register_item"] == 15
    assert registry.due_days({"DUE_DAYS_EX_ANTE_THIRD_PARTY": "30"})["ex_ante:third_party_report"] == 30


@pytest.mark.parametrize("name, value", [("EX_ANTE_SUPPORT_MIN", "85"), ("EX_ANTE_PARTIAL_MIN", "55"),
                                         ("EX_ANTE_MIN_AMOUNT", "0")])
def test_the_settings_are_read_from_the_environment(app, monkeypatch, name, value):
    from workflow_app.services.ex_ante import SETTINGS, setting
    monkeypatch.delitem(app.config, name, raising=False)
    with app.app_context():
        monkeypatch.delenv(name, raising=False)
        assert setting(name) == Decimal(SETTINGS[name]) != Decimal(value)
        monkeypatch.setenv(name, value)
        assert setting(name) == Decimal(value)
