"""Send back, withdraw, reassign, bulk actions, stand-ins, urge, comments and notifications."""
from __future__ import annotations

import io
from datetime import date, timedelta

from workflow_app.extensions import db

from .goal_flow import GoalFlow, goals
from .helpers import RSJ, SLJ, project_id, start
from .test_rectification import PDF


def _flow_at_consolidate(app, api) -> GoalFlow:
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.joint_review("良", "良", [85, 85, 85])
    return flow


def test_send_back_to_an_earlier_task_makes_it_ready_again(app, api):
    flow = _flow_at_consolidate(app, api)
    consolidate = flow.jxk.task_named("consolidate", instance_id=flow.instance_id)
    bad = flow.jxk.post(f"/api/v1/tasks/{consolidate['id']}/send-back", json={"to": "final_review", "reason": "x"})
    assert bad.status_code == 422 and "to" in bad.get_json()["fields"]
    assert flow.jxk.post(f"/api/v1/tasks/{consolidate['id']}/send-back",
                         json={"to": "formal_check", "reason": ""}).status_code == 422
    assert flow.filer.post(f"/api/v1/tasks/{consolidate['id']}/send-back",
                           json={"to": "formal_check", "reason": "x"}).status_code == 403
    response = flow.jxk.post(f"/api/v1/tasks/{consolidate['id']}/send-back",
                             json={"to": "formal_check", "reason": "专家抽取有误，重新形式审核"})
    assert response.status_code == 200, response.get_json()
    assert [t["name"] for t in response.get_json()["next_tasks"]] == ["formal_check"]
    assert [t["name"] for t in flow.instance()["ready_tasks"]] == ["formal_check"]
    history = flow.instance()["history"]
    assert history[-1]["action"] == "send_back" and history[-1]["opinion"] == "专家抽取有误，重新形式审核"
    # and the review goes on from there: a new joint review, then consolidation
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "重新审核"})
    flow.joint_review("优", "优", [95, 95, 95])
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "好", "control_amount": 300})
    assert flow.filer.task_named("revise_goals", instance_id=flow.instance_id)


def test_withdraw_while_the_next_task_is_untouched(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    assert flow.head.post(f"/api/v1/instances/{flow.instance_id}/withdraw", json={}).status_code == 409
    response = flow.filer.post(f"/api/v1/instances/{flow.instance_id}/withdraw", json={"reason": "漏填指标"})
    assert response.status_code == 200, response.get_json()
    ready = flow.instance()["ready_tasks"]
    assert [(t["name"], t["assignee"]) for t in ready] == [("draft_goals", "rsj_filer")]
    assert flow.head.tasks("group") == []
    flow.do(flow.filer, "draft_goals", goals(overall_goal="补充后的目标"))
    signoff = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    assert flow.head.post(f"/api/v1/tasks/{signoff['id']}/claim").status_code == 200
    late = flow.filer.post(f"/api/v1/instances/{flow.instance_id}/withdraw", json={"reason": "再改"})
    assert late.status_code == 409
    assert any(h["action"] == "withdraw" for h in flow.instance()["history"])
    assert api("slj_filer").post(f"/api/v1/instances/{flow.instance_id}/withdraw", json={}).status_code == 404


def test_reassign_checks_role_and_department_and_bulk_claim(app, api):
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("rsj_filer2", "password-2", ["department_filer"], "rsj", "人社局 第二填报人")
        db.session.commit()
    jxk = api("jxk")
    for _ in range(3):
        start(jxk, "test_approval", {}, project_id(app, RSJ))
    filer = api("rsj_filer")
    ids = [t["id"] for t in filer.tasks("group")]
    assert api("rsj_filer").post(f"/api/v1/tasks/{ids[0]}/reassign", json={"username": "rsj_filer2"}).status_code == 403
    assert jxk.post(f"/api/v1/tasks/{ids[0]}/reassign", json={"username": "slj_filer"}).status_code == 422
    assert jxk.post(f"/api/v1/tasks/{ids[0]}/reassign", json={"username": "rsj_head"}).status_code == 422
    assert jxk.post(f"/api/v1/tasks/{ids[0]}/reassign", json={"username": "rsj_filer2"}).status_code == 200
    second = api("rsj_filer2", "password-2")
    assert [t["id"] for t in second.tasks("mine")] == [ids[0]]
    result = filer.post("/api/v1/tasks/bulk", json={"action": "claim", "ids": ids}).get_json()["results"]
    assert result[str(ids[0])]["status"] == 409 and result[str(ids[1])]["status"] == 200
    assert sorted(t["id"] for t in filer.tasks("mine")) == sorted(ids[1:])
    moved = jxk.post("/api/v1/tasks/bulk", json={"action": "reassign", "ids": ids[1:], "username": "rsj_filer2"})
    assert all(r["status"] == 200 for r in moved.get_json()["results"].values())
    assert len(second.tasks("mine")) == 3


def test_stand_in_sees_and_completes_on_behalf(app, api):
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("rsj_head2", "password-3", ["department_head"], "rsj", "人社局 副局长")
        db.session.commit()
    start(api("jxk"), "test_approval", {}, project_id(app, RSJ))
    filer, head = api("rsj_filer"), api("rsj_head")
    filer.complete(filer.tasks("group")[0]["id"], {"text": "材料"})
    approve = head.tasks("group")[0]
    head.post(f"/api/v1/tasks/{approve['id']}/claim")
    deputy = api("rsj_head2", "password-3")
    assert deputy.tasks("mine") == []
    today = date.today()
    bad = head.put("/api/v1/me/stand-in", json={"username": "slj_head", "from": today.isoformat(),
                                                  "until": today.isoformat()})
    assert bad.status_code == 422
    ok = head.put("/api/v1/me/stand-in", json={"username": "rsj_head2", "from": (today - timedelta(days=1)).isoformat(),
                                                 "until": (today + timedelta(days=3)).isoformat()})
    assert ok.status_code == 200
    assert [t["id"] for t in deputy.tasks("mine")] == [approve["id"]]
    assert deputy.complete(approve["id"], {"approved": True, "opinion": "代为审批"}).status_code == 200
    history = api("jxk").get(f"/api/v1/instances/{approve['instance_id']}").get_json()["history"]
    last = [h for h in history if h["action"] == "complete"][-1]
    assert last["by"] == "rsj_head2" and last["on_behalf_of"] == "rsj_head"
    assert head.delete("/api/v1/me/stand-in").status_code == 200
    assert head.delete("/api/v1/me/stand-in").status_code == 404


def test_urge_notifies_the_candidates(app, api):
    start(api("jxk"), "test_approval", {}, project_id(app, SLJ))
    task = api("slj_filer").tasks("group")[0]
    assert api("slj_head").post(f"/api/v1/tasks/{task['id']}/urge", json={"message": "x"}).status_code == 403
    response = api("jxk").post(f"/api/v1/tasks/{task['id']}/urge", json={"message": "本周五前完成"})
    assert response.status_code == 200 and response.get_json()["notified"] == 1
    filer = api("slj_filer")
    unread = filer.get("/api/v1/notifications?unread=true").get_json()["items"]
    urge = next(n for n in unread if n["kind"] == "urge")
    assert "本周五前完成" in urge["message"]
    assert filer.post(f"/api/v1/notifications/{urge['id']}/read").status_code == 200
    assert api("rsj_filer").post(f"/api/v1/notifications/{urge['id']}/read").status_code == 404
    assert all(n["id"] != urge["id"] for n in filer.get("/api/v1/notifications?unread=true").get_json()["items"])


def test_comments_with_attachments_visible_to_participants_only(app, api):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    upload = flow.filer.client.post("/api/v1/attachments", headers=flow.filer._headers(),
                                    data={"file": (io.BytesIO(PDF), "测算依据.pdf")}, content_type="multipart/form-data")
    file_id = upload.get_json()["id"]
    posted = flow.filer.post(f"/api/v1/instances/{flow.instance_id}/comments",
                             json={"text": "<img src=x onerror=alert(1)>附测算依据", "attachments": [file_id]})
    assert posted.status_code == 201
    assert flow.filer.post(f"/api/v1/instances/{flow.instance_id}/comments", json={"text": ""}).status_code == 422
    assert flow.head.post(f"/api/v1/instances/{flow.instance_id}/comments",
                          json={"text": "x", "attachments": [file_id]}).status_code == 422
    listed = flow.jxk.get(f"/api/v1/instances/{flow.instance_id}/comments").get_json()["items"]
    assert listed[0]["text"].startswith("<img") and listed[0]["attachments"] == [file_id]
    assert flow.jxk.get(f"/api/v1/attachments/{file_id}").data == PDF
    outsider = api("slj_filer")
    assert outsider.get(f"/api/v1/instances/{flow.instance_id}/comments").status_code == 404
    assert outsider.get(f"/api/v1/attachments/{file_id}").status_code == 404


def test_started_by_me_scope(app, api):
    jxk = api("jxk")
    start(jxk, "test_approval", {}, project_id(app, RSJ))
    started = jxk.tasks("started")
    assert [t["name"] for t in started] == ["fill"]
    assert api("rsj_filer").tasks("started") == []
