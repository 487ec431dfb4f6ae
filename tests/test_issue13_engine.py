"""Issue 13, items 3, 6, 7 and the laneless user task: separation of duties (四眼原则) declared per BPMN task,
finance reviews routed to the department's business section (对口业务科室), a sent-back task returning to
its person and a first task to its starter, and a model with a user task outside every lane refused."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import HumanTask, Notification, User
from workflow_app.services import deployment

from .conftest import TESTS, csrf_from
from .goal_flow import GoalFlow, goals
from .helpers import RSJ, SLJ, project_id

TJJ = "2027-TJJ-001"   # 县统计局: no business section in the demo


def _at_joint_review(app, api, code: str = RSJ, **people) -> GoalFlow:
    flow = GoalFlow(api, project_id(app, code), **people)
    flow.start()
    flow.through_formal_check()
    return flow


def _tasks(api_client, scope: str, instance_id: int) -> list[dict]:
    return [t for t in api_client.tasks(scope) if t["instance_id"] == instance_id]


def _ready_row(app, instance_id: int, name: str, assignee: str | None = None) -> int:
    with app.app_context():
        query = select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.name == name,
                                           HumanTask.state == "ready")
        if assignee:
            query = query.where(HumanTask.assignee == assignee)
        return db.session.scalars(query).one()


SCORES = {"completeness": 20, "relevance": 20, "scientific": 20, "measurable": 20}


# -- item 3: separation of duties ---------------------------------------------------------------
def test_the_head_who_signed_off_may_not_review_as_the_departments_own_authority(app, api):
    flow = _at_joint_review(app, api)
    task_id = _ready_row(app, flow.instance_id, "authority_review")
    signer = flow.head  # rsj_head signed off; 县人社局 is its own 主管部门
    claim = signer.post(f"/api/v1/tasks/{task_id}/claim")
    assert claim.status_code == 403 and "四眼原则" in claim.get_json()["message"]
    assert "部门负责人审核签发" in claim.get_json()["message"]
    done = signer.complete(task_id, {"grade": "优", "opinion": "自己审自己"})
    assert done.status_code == 403 and "四眼原则" in done.get_json()["message"]
    moved = flow.jxk.post(f"/api/v1/tasks/{task_id}/reassign", json={"username": "rsj_head"})
    assert moved.status_code == 422 and "四眼原则" in moved.get_json()["message"]
    # another head of the department gives the 主管部门 review, and only they were told of it
    with app.app_context():
        told = set(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                      .where(Notification.task_id == task_id)))
    assert told == {"rsj_deputy"}
    assert flow.authority.complete(task_id, {"grade": "优", "opinion": "主管部门意见"}).status_code == 200


def test_the_formal_check_says_when_no_head_but_the_signer_could_give_the_authority_review(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意报送"})
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "rsj_deputy")).one().active = False
        db.session.commit()
    refused = flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "要素齐全"}, expect=422)
    assert "主管部门评审无人可办" in refused.get_json()["message"]
    assert [t["name"] for t in flow.instance()["ready_tasks"]] == ["formal_check"]  # nothing started


def test_an_expert_may_not_give_a_second_opinion_for_a_co_reviewer_who_named_them_stand_in(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意报送"})
    # Before the draw every expert names the next one as stand-in (a ring of five): nothing is held yet,
    # so nothing can be refused. Three of five drawn always include someone and their stand-in.
    today = date.today()
    span = {"from": (today - timedelta(days=1)).isoformat(), "until": (today + timedelta(days=5)).isoformat()}
    ring = ["expert1", "expert2", "expert3", "expert4", "expert5"]
    named = dict(zip(ring, ring[1:] + ring[:1]))
    for absent, helper in named.items():
        assert api(absent).put("/api/v1/me/stand-in", json={"username": helper, **span}).status_code == 200
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "要素齐全"})
    drawn = flow.experts()
    absent = next(e for e in drawn if named[e] in drawn)
    helper = named[absent]
    third = next(e for e in drawn if e not in (absent, helper))
    own = _ready_row(app, flow.instance_id, "expert_review", helper)
    theirs = _ready_row(app, flow.instance_id, "expert_review", absent)
    review = {"grade": "良", "opinion": "专家意见", "scores": SCORES}
    # the stand-in gives their own opinion, then may not give the absent co-reviewer's as well
    assert api(helper).complete(own, review).status_code == 200
    second_opinion = api(helper).complete(theirs, review)
    assert second_opinion.status_code == 403, second_opinion.get_json()
    assert "四眼原则" in second_opinion.get_json()["message"]
    # naming a co-reviewer while holding a review is refused at once, with the reason
    refused = api(third).put("/api/v1/me/stand-in", json={"username": helper, **span})
    assert refused.status_code == 422 and "四眼原则" in refused.get_json()["message"]
    # the performance section may not hand the absent expert's review to a co-reviewer who gave one
    third_task = _ready_row(app, flow.instance_id, "expert_review", third)
    assert api(third).complete(third_task, review).status_code == 200
    moved = flow.jxk.post(f"/api/v1/tasks/{theirs}/reassign", json={"username": third})
    assert moved.status_code == 422 and "四眼原则" in moved.get_json()["message"]
    # the absent expert still gives their own opinion, and the joint review goes on
    assert api(absent).complete(theirs, review).status_code == 200
    assert {t["name"] for t in flow.instance()["ready_tasks"]} == {"finance_review", "authority_review"}


def test_the_same_expert_may_review_again_in_a_later_round(app, api):
    """One opinion per person holds per review round: a 中 sends the goals round again, and an expert
    drawn again (three of five twice: someone always is) gives that round's opinion too."""
    flow = _at_joint_review(app, api)
    first_round = set(flow.experts())
    flow.joint_review("中", "中", [70, 70, 70], expert_grade="中")
    flow.do(flow.jxk, "consolidate", {"grade": "中", "opinion": "修改后重新联审", "control_amount": 280})
    flow.do(flow.filer, "revise_goals", goals(amount=280))
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "重新审核"})
    assert first_round & set(flow.experts())
    flow.joint_review("良", "良", [85, 85, 85])
    assert [t["name"] for t in flow.instance()["ready_tasks"]] == ["consolidate"]


# -- item 6: finance reviews go to the department's business section --------------------------------
def test_a_water_bureau_finance_review_waits_only_in_the_agriculture_sections_queue(app, api, browser):
    flow = _at_joint_review(app, api, SLJ, filer="slj_filer", head="slj_head", authority="slj_deputy")
    nyk, sbk = api("nyk"), api("sbk")
    assert [t["name"] for t in _tasks(nyk, "group", flow.instance_id)] == ["finance_review"]
    assert _tasks(sbk, "group", flow.instance_id) == []
    task_id = _ready_row(app, flow.instance_id, "finance_review")
    assert sbk.post(f"/api/v1/tasks/{task_id}/claim").status_code == 404
    # the inbox page of the social security section does not list it, its counts agree
    page = browser("sbk").get("/tasks?scope=group").get_data(as_text=True)
    assert "财政业务科室评审" not in page
    # the water bureau still sees its instance with the finance step waiting
    detail = api("slj_filer").get(f"/api/v1/instances/{flow.instance_id}")
    assert detail.status_code == 200
    assert "finance_review" in [t["name"] for t in detail.get_json()["ready_tasks"]]
    # 转办 to a person of another section still works, and that person can finish it
    assert flow.jxk.post(f"/api/v1/tasks/{task_id}/reassign", json={"username": "sbk"}).status_code == 200
    assert [t["id"] for t in _tasks(sbk, "mine", flow.instance_id)] == [task_id]
    assert sbk.complete(task_id, {"grade": "良", "opinion": "财政意见"}).status_code == 200


def test_a_department_without_a_business_section_is_reviewed_by_any_finance_section(app, api):
    flow = _at_joint_review(app, api, TJJ, filer="tjj_filer", head="tjj_head", authority="tjj_deputy")
    for section in ("sbk", "nyk"):
        assert [t["name"] for t in _tasks(api(section), "group", flow.instance_id)] == ["finance_review"]


def test_group_queue_totals_follow_the_routing(app, api):
    flows = [_at_joint_review(app, api, code, **people) for code, people in (
        (RSJ, {}), (SLJ, {"filer": "slj_filer", "head": "slj_head", "authority": "slj_deputy"}),
        (TJJ, {"filer": "tjj_filer", "head": "tjj_head", "authority": "tjj_deputy"}))]
    assert flows
    for section in ("sbk", "nyk"):
        client = api(section)
        body = client.get("/api/v1/tasks?scope=group").get_json()
        assert body["total"] == len(body["items"]) == 2  # its own department's review and 统计局's


def test_departments_command_sets_the_business_section(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["departments", "create", "jyj", "县教育局", "--business-section", "czj-sbk"])
    assert made.exit_code == 0, made.output
    changed = runner.invoke(args=["departments", "set-section", "tjj", "czj-sbk"])
    assert changed.exit_code == 0, changed.output
    unknown = runner.invoke(args=["departments", "set-section", "tjj", "nope"])
    assert unknown.exit_code != 0 and "不存在" in unknown.output
    with app.app_context():
        from workflow_app.models import Department
        sections = {d.code: d.business_section.code if d.business_section else None
                    for d in db.session.scalars(select(Department))}
    assert sections["jyj"] == "czj-sbk" and sections["tjj"] == "czj-sbk" and sections["slj"] == "czj-nyk"


# -- item 7: a sent-back task returns to its person; the first task goes to the starter ------------
def test_the_filer_who_starts_a_goal_review_finds_the_draft_in_my_tasks(app, api, browser):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    mine = _tasks(flow.filer, "mine", flow.instance_id)
    assert [t["name"] for t in mine] == ["draft_goals"] and mine[0]["assignee"] == "rsj_filer"
    group = flow.filer.get("/api/v1/tasks?scope=group").get_json()
    assert group["items"] == [] and group["total"] == 0  # the kept size counts the row inserted held
    page = browser("rsj_filer").get("/tasks").get_data(as_text=True)
    assert "一上：编制绩效目标" in page


def test_a_task_sent_back_returns_to_whoever_last_did_it(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    signoff = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    back = flow.head.post(f"/api/v1/tasks/{signoff['id']}/send-back", json={"to": "draft_goals", "reason": "补充指标"})
    assert back.status_code == 200, back.get_json()
    mine = _tasks(flow.filer, "mine", flow.instance_id)
    assert [t["name"] for t in mine] == ["draft_goals"] and mine[0]["assignee"] == "rsj_filer"
    assert flow.filer.get("/api/v1/tasks?scope=group").get_json()["total"] == 0
    with app.app_context():
        notes = list(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                        .where(Notification.kind == "send_back")))
    assert notes == ["rsj_filer"]


# -- a user task outside every lane ------------------------------------------------------------------
def test_a_user_task_outside_every_lane_is_refused_with_file_and_element(app, tmp_path):
    xml = (TESTS / "bpmn" / "test_approval.bpmn").read_text(encoding="utf-8")
    laneless = xml.replace("<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", "")
    assert laneless != xml
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "stuck.bpmn").write_text(laneless.replace('id="test_approval"', 'id="stuck_approval"')
                                       .replace('processRef="test_approval"', 'processRef="stuck_approval"'),
                                       encoding="utf-8")
    with app.app_context():
        problems = deployment.deploy([str(folder)], force=True)
    assert [Path(p.file).name for p in problems] == ["stuck.bpmn"]
    assert "approve" in problems[0].message and "lane" in problems[0].message
    app.config["BPMN_DIRS"].append(str(folder))
    try:
        result = app.test_cli_runner().invoke(args=["processes", "check"])
    finally:
        app.config["BPMN_DIRS"].remove(str(folder))
    assert result.exit_code == 1
    assert "stuck.bpmn" in result.output and "element id=approve" in result.output
