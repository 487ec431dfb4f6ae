"""The 二上二下 goal review with the joint review, through the API."""
from __future__ import annotations

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import GoalVersion, ProcessInstance

from .goal_flow import GoalFlow, goals
from .helpers import RSJ, XMZ, project_id


def test_excellent_path_from_draft_to_approval(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    assert flow.project()["goal_status"] == "in_review"
    flow.through_formal_check()
    flow.joint_review("优", "优", [95, 95, 95])
    consolidate = flow.jxk.task_named("consolidate", instance_id=flow.instance_id)
    assert flow.instance()["data"]["suggested_grade"] == "优"
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "目标明确", "control_amount": 300})
    flow.do(flow.filer, "revise_goals", goals(amount=300))
    done = flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})
    assert done.get_json()["instance"]["status"] == "completed"
    project = flow.project()
    assert project["goal_status"] == "approved" and project["amount"] == 300.0
    assert [v["round"] for v in project["goal_versions"]] == ["一上", "二上"]
    assert project["goal"]["number"] == 2 and len(project["goal"]["indicators"]) == 4
    assert consolidate["lane"] == "performance_section"


def test_middle_grade_sends_goals_through_a_second_joint_review(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    first_experts = flow.experts()
    flow.joint_review("中", "中", [70, 70, 70])
    assert flow.instance()["data"]["suggested_grade"] == "中"
    flow.do(flow.jxk, "consolidate", {"grade": "中", "opinion": "需修改", "control_amount": 280})
    flow.do(flow.filer, "revise_goals", goals(amount=280))
    # 中: the revised goals get a new formal check and a new joint review
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "复核完整"})
    assert len(flow.experts()) == 3
    flow.joint_review("良", "良", [85, 85, 85])
    assert flow.instance()["data"]["suggested_grade"] == "良"
    flow.do(flow.jxk, "consolidate", {"grade": "良", "opinion": "可以", "control_amount": 280})
    flow.do(flow.filer, "revise_goals", goals(amount=275))
    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})
    project = flow.project()
    assert project["goal_status"] == "approved" and len(project["goal_versions"]) == 3
    assert first_experts  # the first draw happened


def test_poor_grade_rejects_the_project(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.joint_review("差", "差", [40, 40, 40])
    assert flow.instance()["data"]["suggested_grade"] == "差"
    done = flow.do(flow.jxk, "consolidate", {"grade": "差", "opinion": "不予纳入", "control_amount": 0})
    assert done.get_json()["instance"]["status"] == "completed"
    assert flow.project()["goal_status"] == "rejected"


def test_finance_poor_caps_the_suggestion_and_override_needs_a_reason(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.joint_review("差", "优", [100, 100, 100])
    assert flow.instance()["data"]["suggested_grade"] == "中"
    no_reason = flow.do(flow.jxk, "consolidate", {"grade": "良", "opinion": "x", "control_amount": 100}, 422)
    assert "override_reason" in no_reason.get_json()["fields"]
    flow.do(flow.jxk, "consolidate", {"grade": "良", "opinion": "x", "control_amount": 100,
                                      "override_reason": "财政意见已落实"})


def test_signoff_refused_and_formal_check_incomplete_go_back_to_drafting(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    flow.do(flow.head, "dept_signoff", {"approved": False, "opinion": "指标不够细"})
    flow.do(flow.filer, "draft_goals", goals(overall_goal="细化后的目标"))
    flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意"})
    flow.do(flow.jxk, "formal_check", {"complete": False, "opinion": "缺少满意度指标说明"})
    assert flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    assert len(flow.project()["goal_versions"]) == 2


def test_experts_are_never_from_the_project_or_competent_department(app, api):
    from workflow_app.services.org import create_user
    with app.app_context():
        # experts who work for the project's department and for its competent department
        create_user("expert_xmz", "password-x1", ["expert"], "xmz", "畜牧中心的专家")
        create_user("expert_nyj", "password-x2", ["expert"], "nyj", "农业局的专家")
        db.session.commit()
    app.config["EXPERTS_PER_REVIEW"] = 5
    try:
        flow = GoalFlow(api, project_id(app, XMZ), "xmz_filer", "xmz_head", authority="nyj_head")
        flow.start()
        flow.through_formal_check()
        assert flow.experts() == ["expert1", "expert2", "expert3", "expert4", "expert5"]
        # the competent department's head reviews as the authority
        assert flow.authority.task_named("authority_review", instance_id=flow.instance_id)["department"] == "nyj"
    finally:
        app.config["EXPERTS_PER_REVIEW"] = 3


def test_too_few_experts_is_told_at_formal_check_and_nothing_starts(app, api):
    app.config["EXPERTS_PER_REVIEW"] = 6
    try:
        flow = GoalFlow(api, project_id(app, RSJ))
        flow.start()
        flow.do(flow.filer, "draft_goals", goals())
        flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意"})
        response = flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "完整"}, 422)
        assert "专家不足" in response.get_json()["message"]
        assert flow.jxk.task_named("formal_check", instance_id=flow.instance_id)
        assert [t["name"] for t in flow.instance()["ready_tasks"]] == ["formal_check"]
    finally:
        app.config["EXPERTS_PER_REVIEW"] = 3


def test_revised_amount_above_the_control_number_is_refused(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.joint_review("良", "良", [85, 85, 85])
    flow.do(flow.jxk, "consolidate", {"grade": "良", "opinion": "ok", "control_amount": 250})
    before = flow.project()
    response = flow.do(flow.filer, "revise_goals", goals(amount=251), 422)
    assert "控制数" in response.get_json()["fields"]["amount"][0]
    assert len(flow.project()["goal_versions"]) == len(before["goal_versions"])


def test_each_indicator_rule_is_a_422_and_stores_nothing(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    task = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)

    def refused(body, field_fragment):
        response = flow.filer.complete(task["id"], body)
        assert response.status_code == 422, response.get_json()
        fields = response.get_json()["fields"]
        assert any(field_fragment in key for key in fields), fields

    only_output = goals()
    only_output["indicators"] = [i for i in only_output["indicators"] if i["level1"] != "效益指标"]
    only_output["indicators"][0]["weight"] = 70
    refused(only_output, "indicators")
    bad_weights = goals()
    bad_weights["indicators"][0]["weight"] = 41
    refused(bad_weights, "indicators")
    wrong_level2 = goals()
    wrong_level2["indicators"][0]["level2"] = "社会效益指标"
    refused(wrong_level2, "indicators.0.level2")
    not_number = goals()
    not_number["indicators"][0]["target"] = "很多"
    refused(not_number, "indicators.0.target")
    no_unit = goals()
    no_unit["indicators"][1]["unit"] = ""
    refused(no_unit, "indicators.1.unit")
    no_text = goals()
    no_text["indicators"][2]["target"] = ""
    refused(no_text, "indicators.2.target")
    refused(goals(overall_goal=""), "overall_goal")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GoalVersion)) == 0


def test_second_goal_review_of_the_same_project_is_409(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    again = flow.filer.post(f"/api/v1/projects/{flow.project_id}/goal-review")
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 1


def test_who_may_not_start_or_complete(app, api):
    pid = project_id(app, RSJ)
    assert api("slj_filer").post(f"/api/v1/projects/{pid}/goal-review").status_code == 404
    assert api("rsj_head").post(f"/api/v1/projects/{pid}/goal-review").status_code == 403
    flow = GoalFlow(api, pid)
    flow.start()
    draft = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    assert api("slj_filer").complete(draft["id"], goals()).status_code == 404
    assert api("expert1").complete(draft["id"], goals()).status_code == 404
    assert flow.head.complete(draft["id"], goals()).status_code == 403
    assert flow.jxk.complete(draft["id"], goals()).status_code == 403
    flow.do(flow.filer, "draft_goals", goals())
    signoff = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    assert api("slj_head").complete(signoff["id"], {"approved": True}).status_code == 404
    assert flow.filer.complete(signoff["id"], {"approved": True}).status_code == 403
    flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意"})
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "完整"})
    experts = flow.experts()
    outsider = next(u for u in ("expert1", "expert2", "expert3", "expert4", "expert5") if u not in experts)
    mine = api(experts[0]).task_named("expert_review", instance_id=flow.instance_id)
    assert api(outsider).complete(mine["id"], {"grade": "优", "opinion": "x", "scores": {
        "completeness": 20, "relevance": 20, "scientific": 20, "measurable": 20}}).status_code == 404
    finance = flow.finance.task_named("finance_review", instance_id=flow.instance_id)
    assert flow.filer.complete(finance["id"], {"grade": "优", "opinion": "x"}).status_code == 403
    assert api(experts[0]).complete(mine["id"], {"grade": "优", "opinion": "x", "scores": {
        "completeness": 26, "relevance": 20, "scientific": 20, "measurable": 20}}).status_code == 422


def test_deadlines_come_from_settings_and_remind_when_passed(app, api):
    from datetime import datetime, timedelta

    from workflow_app.models import Notification
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    draft = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    due = datetime.fromisoformat(draft["due_at"])
    created = datetime.fromisoformat(draft["created_at"])
    assert abs((due - created) - timedelta(days=10)) < timedelta(minutes=1)
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", (due + timedelta(minutes=5)).isoformat()])
    assert "fired 1 timers" in result.output
    late = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    assert late["overdue"] is True and late["id"] == draft["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "overdue")) == 1
    flow.do(flow.filer, "draft_goals", goals())
    signoff = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    assert signoff["due_at"] and signoff["overdue"] is False


def test_joint_review_opinions_stay_independent_and_experts_anonymous(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.do(flow.finance, "finance_review", {"grade": "良", "opinion": "财政的独立意见"})
    expert = flow.experts()[0]
    flow.do(api(expert), "expert_review", {"grade": "良", "opinion": "专家的独立意见", "scores": {
        "completeness": 20, "relevance": 20, "scientific": 20, "measurable": 20}})
    other_expert = api(flow.experts()[0])
    seen = other_expert.get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    finance = next(h for h in seen if h["task"] == "finance_review")
    assert finance["opinion"] is None
    by_department = flow.filer.get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    # 专家<n>: numbered per instance (issue 13 item 4), never the username
    assert all(h["by"] in {"专家1", "专家2", "专家3"} and h["opinion"] is None
               for h in by_department if h["task"] == "expert_review")
    full = flow.jxk.get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    assert any(h["by"] == expert and h["opinion"] == "专家的独立意见" for h in full)


def test_approved_goals_cannot_be_reviewed_again(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.joint_review("优", "优", [95, 95, 95])
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "好", "control_amount": 300})
    flow.do(flow.filer, "revise_goals", goals(amount=300))
    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})
    assert flow.filer.post(f"/api/v1/projects/{flow.project_id}/goal-review").status_code == 409
