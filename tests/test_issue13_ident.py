"""Issue 13, items 4, 13 and 14: the joint review's experts are 专家1…n to the department (pages, API, history,
comments, notifications) and their task pages are not the department's; lanes and roles are shown by their
Chinese names, the raw 流程数据 block is gone; notifications say what happened to which task of which project,
and 全部标为已读 marks them all read."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from workflow_app.engine import parse_dirs
from workflow_app.extensions import db
from workflow_app.labels import ROLE_LABELS
from workflow_app.models import Notification, Role, User

from .conftest import csrf_from
from .goal_flow import GoalFlow, goals
from .helpers import RSJ, project_id

ROOT = Path(__file__).resolve().parent.parent
PROJECT_NAME = "城乡居民就业技能培训补贴"
EXPERT_NAMES = ("林教授", "高会计师", "罗工程师", "梁研究员", "宋审计师")
SCORES = {"completeness": 20, "relevance": 20, "scientific": 20, "measurable": 20}


def _at_joint_review(app, api) -> GoalFlow:
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    return flow


def _expert_tasks(flow: GoalFlow) -> list[dict]:
    return [t for t in flow.instance()["ready_tasks"] if t["name"] == "expert_review"]


def _no_expert_identity(text: str, experts: list[str]) -> None:
    for username in experts:
        assert username not in text, username
    for name in EXPERT_NAMES:
        assert name not in text, name


# -- item 4: expert anonymity -------------------------------------------------------------------------
def test_department_sees_the_experts_only_as_numbered_aliases_on_the_instance_page(app, api, browser):
    flow = _at_joint_review(app, api)
    experts = flow.experts()
    assert len(experts) == 3
    for username in ("rsj_filer", "rsj_head"):
        page = browser(username).get(f"/instances/{flow.instance_id}").get_data(as_text=True)
        _no_expert_identity(page, experts)
        for alias in ("专家1", "专家2", "专家3"):
            assert alias in page
        for task in _expert_tasks(flow):  # listed, but not linked: the page is not the department's
            assert f"/tasks/{task['id']}\"" not in page
    performance = browser("jxk").get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    with app.app_context():
        from workflow_app.models import User
        names = [db.session.scalars(select(User.name).where(User.username == u)).one() for u in experts]
    for name in names:  # the performance section sees who they are, by name (pages never show login names)
        assert name in performance
    for task in _expert_tasks(flow):
        assert f"/tasks/{task['id']}\"" in performance


def test_department_cannot_open_an_experts_task_page_or_task(app, api, browser):
    flow = _at_joint_review(app, api)
    task = _expert_tasks(flow)[0]
    for username in ("rsj_filer", "rsj_head"):
        assert browser(username).get(f"/tasks/{task['id']}").status_code == 404
        assert api(username).get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert browser("jxk").get(f"/tasks/{task['id']}").status_code == 200
    assert browser(task["assignee"]).get(f"/tasks/{task['id']}").status_code == 200


def test_aliases_are_stable_and_the_same_in_api_lists_history_and_opinions(app, api, browser):
    flow = _at_joint_review(app, api)
    experts = flow.experts()                        # the drawn list, in order: 专家1 is its first expert
    alias = {username: f"专家{n}" for n, username in enumerate(experts, start=1)}
    filer = flow.filer
    detail = filer.get(f"/api/v1/instances/{flow.instance_id}").get_json()
    shown = sorted(t["assignee"] for t in detail["ready_tasks"] if t["name"] == "expert_review")
    assert shown == ["专家1", "专家2", "专家3"]
    started = filer.get("/api/v1/tasks", query_string={"scope": "started"}).get_json()["items"]
    assert sorted(t["assignee"] for t in started if t["name"] == "expert_review") == ["专家1", "专家2", "专家3"]
    inbox = browser("rsj_filer").get("/tasks?scope=started").get_data(as_text=True)
    _no_expert_identity(inbox, experts)
    assert "专家2" in inbox

    second = experts[1]
    flow.do(api(second), "expert_review", {"grade": "良", "opinion": "第二位专家的意见", "scores": SCORES})
    api(second).post(f"/api/v1/instances/{flow.instance_id}/comments", json={"text": "请补充测算依据"})
    history = filer.get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    done = [h for h in history if h["task"] == "expert_review" and h["action"] == "complete"]
    assert [h["by"] for h in done] == [alias[second]] == ["专家2"]
    comments = filer.get(f"/api/v1/instances/{flow.instance_id}/comments").get_json()["items"]
    assert [(c["author"], c["author_name"]) for c in comments] == [("专家2", "专家2")]
    page = browser("rsj_filer").get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    _no_expert_identity(page, experts)
    assert "专家2" in page and "请补充测算依据" in page
    # The bureau sees who it was; the expert sees himself.
    full = flow.jxk.get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    assert any(h["by"] == second for h in full if h["task"] == "expert_review")
    mine = api(second).get(f"/api/v1/instances/{flow.instance_id}").get_json()["history"]
    assert any(h["by"] == second for h in mine if h["task"] == "expert_review")

    # The rest of the joint review, then the department's 二上 page: its 联审各方意见 use the same numbers.
    flow.do(flow.finance, "finance_review", {"grade": "良", "opinion": "财政意见"})
    flow.do(flow.authority, "authority_review", {"grade": "良", "opinion": "主管部门意见"})
    for n, username in ((1, experts[0]), (3, experts[2])):
        flow.do(api(username), "expert_review", {"grade": "良", "opinion": f"意见{n}", "scores": SCORES})
    flow.do(flow.jxk, "consolidate", {"grade": "良", "opinion": "综合意见", "control_amount": 100})
    revise = flow.filer.task_named("revise_goals", instance_id=flow.instance_id)
    page = browser("rsj_filer").get(f"/tasks/{revise['id']}").get_data(as_text=True)
    _no_expert_identity(page, experts)
    row = re.search(r"<td>\s*专家2\s*</td>.*?</tr>", page, re.S)
    assert row and "第二位专家的意见" in row.group(0)


def test_department_notifications_never_name_an_expert(app, api):
    flow = _at_joint_review(app, api)
    experts = flow.experts()
    flow.jxk.post(f"/api/v1/tasks/{_expert_tasks(flow)[0]['id']}/urge", json={"message": "请本周内完成"})
    flow.joint_review("良", "良", [80, 80, 80])
    with app.app_context():
        department = db.session.scalars(select(User.id).where(User.username.in_(["rsj_filer", "rsj_head"]))).all()
        texts = db.session.scalars(select(Notification.message).where(Notification.user_id.in_(department))).all()
    assert texts
    _no_expert_identity("\n".join(texts), experts)


# -- item 13: lanes, role labels, no raw data ---------------------------------------------------------
def _lane_rows(path: Path) -> list[tuple[str, str]]:
    return re.findall(r'<bpmn:lane id="([^"]+)" name="([^"]+)"', path.read_text(encoding="utf-8"))


def test_shipped_lanes_have_chinese_names_and_tasks_keep_role_codes(app):
    files = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "tests/bpmn").glob("*.bpmn"))
    with app.test_request_context():
        chinese = {code: str(label) for code, label in ROLE_LABELS.items()}
    assert set(chinese) == set(Role.values())          # every role has its label
    for path in files:
        lanes = _lane_rows(path)
        assert lanes, path
        for lane_id, name in lanes:
            role = lane_id.removeprefix("lane_")
            assert role in Role.values(), (path.name, lane_id)
            assert name == chinese[role], (path.name, lane_id, name)
    result = parse_dirs([str(ROOT / "bpmn"), str(ROOT / "tests/bpmn")])
    assert result.problems == []
    import orjson
    lanes = set()
    for process in result.processes.values():
        specs = orjson.loads(process.spec_json)
        for spec in [specs["spec"], *specs["subprocess_specs"].values()]:
            lanes |= {t["lane"] for t in spec["task_specs"].values() if t.get("typename") == "UserTask"}
    # third_party: the ex-ante assessment's agency (bpmn/ex_ante.bpmn)
    assert lanes == {"department_filer", "department_head", "performance_section", "finance_business",
                     "expert", "supervisor", "third_party"}


def test_a_lane_that_stands_for_no_role_is_refused_with_file_and_lane(tmp_path):
    xml = (ROOT / "tests/bpmn/test_approval.bpmn").read_text(encoding="utf-8")
    (tmp_path / "test_approval.bpmn").write_text(
        xml.replace('id="lane_department_head"', 'id="lane_head_of_nothing"')
           .replace('bpmnElement="lane_department_head"', 'bpmnElement="lane_head_of_nothing"'), encoding="utf-8")
    result = parse_dirs([str(tmp_path)])
    assert "test_approval" not in result.processes
    assert len(result.problems) == 1
    problem = str(result.problems[0])
    assert "test_approval.bpmn" in problem and "lane_head_of_nothing" in problem and "部门负责人" in problem


def test_a_lane_named_by_its_role_code_still_deploys(tmp_path):
    """Models written before the convention (lane id without the lane_ prefix, name = role code)."""
    xml = (ROOT / "tests/bpmn/test_approval.bpmn").read_text(encoding="utf-8")
    old = (xml.replace('id="lane_department_head" name="部门负责人"', 'id="Lane_1" name="department_head"')
              .replace('bpmnElement="lane_department_head"', 'bpmnElement="Lane_1"'))
    (tmp_path / "test_approval.bpmn").write_text(old, encoding="utf-8")
    result = parse_dirs([str(tmp_path)])
    assert result.problems == [] and "test_approval" in result.processes


def test_diagram_shows_chinese_lane_names(app, api, browser):
    flow = _at_joint_review(app, api)
    lanes = re.compile(r'<bpmn:lane id="[^"]+" name="([^"]+)"')
    xml = browser("rsj_filer").get(f"/instances/{flow.instance_id}/diagram.xml").get_data(as_text=True)
    assert lanes.findall(xml) == ["部门填报人", "部门负责人", "绩效科"]
    joint = browser("jxk").get(f"/instances/{flow.instance_id}/diagram.xml?process=joint_review").get_data(as_text=True)
    assert lanes.findall(joint) == ["绩效科", "财政业务科室", "部门负责人", "评审专家"]


def test_reassign_refusal_names_the_role_in_chinese(app, api, browser):
    flow = _at_joint_review(app, api)
    task = _expert_tasks(flow)[0]
    refused = flow.jxk.post(f"/api/v1/tasks/{task['id']}/reassign", json={"username": "rsj_filer"})
    assert refused.status_code == 422
    body = refused.get_json()
    assert "“评审专家”" in body["message"] and "expert" not in body["message"]
    jxk = browser("jxk")
    page = jxk.get(f"/tasks/{task['id']}").get_data(as_text=True)
    answer = jxk.post(f"/tasks/{task['id']}/reassign", data={"csrf_token": csrf_from(page), "username": "rsj_filer"},
                      follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "评审专家" in text and "“expert”" not in text


def test_instance_page_has_no_raw_process_data(app, api, browser):
    flow = _at_joint_review(app, api)
    for username in ("jxk", "admin", "rsj_filer"):
        page = browser(username).get(f"/instances/{flow.instance_id}").get_data(as_text=True)
        assert "流程数据" not in page
        for raw in ("goal_version_id", "formal_complete", "signoff_approved", "+00:00", "[&#39;expert"):
            assert raw not in page, (username, raw)
        # Lanes of the current tasks by their Chinese role names.
        assert "performance_section" not in page and "finance_business" not in page


# -- item 14: notifications -----------------------------------------------------------------------------
def _messages(app, username: str) -> list[str]:
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.username == username)).one()
        return list(db.session.scalars(select(Notification.message).where(Notification.user_id == user_id)
                                       .order_by(Notification.id)))


def test_notifications_say_what_happened_to_which_task_of_which_project(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    draft = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    assert any(m.startswith("新待办：") and draft["title"] in m and PROJECT_NAME in m
               for m in _messages(app, "rsj_head") + _messages(app, "rsj_filer"))
    flow.do(flow.filer, "draft_goals", goals())
    signoff = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    assert f"新待办：{signoff['title']} · {PROJECT_NAME}" in _messages(app, "rsj_head")

    sent = flow.head.post(f"/api/v1/tasks/{signoff['id']}/send-back", json={"to": "draft_goals", "reason": "金额有误"})
    assert sent.status_code == 200, sent.get_json()
    assert f"被退回：{draft['title']} · {PROJECT_NAME}：金额有误" in _messages(app, "rsj_filer")

    again = next(t for t in flow.instance()["ready_tasks"] if t["name"] == "draft_goals")
    urged = flow.jxk.post(f"/api/v1/tasks/{again['id']}/urge", json={"message": "本周五前报送"})
    assert urged.status_code == 200
    assert f"催办：{draft['title']} · {PROJECT_NAME}：本周五前报送" in _messages(app, "rsj_filer")

    flow.do(flow.filer, "draft_goals", goals())
    flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意"})
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "齐全"})
    task = _expert_tasks(flow)[0]
    spare = next(f"expert{n}" for n in range(1, 6) if f"expert{n}" not in flow.experts())
    moved = flow.jxk.post(f"/api/v1/tasks/{task['id']}/reassign", json={"username": spare})
    assert moved.status_code == 200, moved.get_json()
    assert any(m.startswith(f"转办给您：{task['title']} · {PROJECT_NAME}") for m in _messages(app, spare))

    # A deadline passing: 已逾期, with the task and the project.
    from workflow_app.engine import now
    from workflow_app.services import instances
    with app.app_context():
        instances.fire_due_timers(now() + timedelta(days=40))
        db.session.commit()
    assert any(m.startswith("已逾期：") and PROJECT_NAME in m for m in _messages(app, "sbk"))


def test_mark_all_read_from_the_notifications_page(app, api, browser):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    head = browser("rsj_head")

    def unread() -> int:
        with app.app_context():
            user_id = db.session.scalars(select(User.id).where(User.username == "rsj_head")).one()
            return db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)))

    assert unread() >= 1
    page = head.get("/notifications").get_data(as_text=True)
    assert "全部标为已读" in page
    assert head.post("/notifications/read-all").status_code == 400      # no CSRF token: refused, nothing read
    assert unread() >= 1
    done = head.post("/notifications/read-all", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert done.status_code == 200 and "标为已读" in done.get_data(as_text=True)
    assert unread() == 0
    assert "全部标为已读" not in head.get("/notifications").get_data(as_text=True)  # nothing left to mark
    with app.app_context():
        from workflow_app.models import AuditEvent
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "notifications_read", AuditEvent.actor == "rsj_head")) == 1


def test_renaming_a_lane_deploys_a_new_version_whose_diagram_shows_it(app, tmp_path):
    from workflow_app.models import ProcessDefinition
    from workflow_app.services import deployment
    folder = tmp_path / "models"
    folder.mkdir()
    path = folder / "test_approval.bpmn"
    path.write_text((ROOT / "tests/bpmn/test_approval.bpmn").read_text(encoding="utf-8")
                    .replace('name="部门负责人"', 'name="department_head"'), encoding="utf-8")
    with app.app_context():
        assert deployment.deploy([str(folder)], force=True) == []
        path.write_text(path.read_text(encoding="utf-8").replace('name="department_head"', 'name="部门负责人"'),
                        encoding="utf-8")
        assert deployment.deploy([str(folder)], force=True) == []
        latest = db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == "test_approval")
                                    .order_by(ProcessDefinition.version.desc())).first()
        assert latest.version == 2 and 'name="部门负责人"' in latest.source_xml
