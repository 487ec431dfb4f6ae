"""The generic engine through the API: lanes, departments, gateways, multi-instance, claims, bad input."""
from __future__ import annotations

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, HumanTask, ProcessInstance

from .helpers import RSJ, SLJ, project_id, start


def _start_approval(app, api):
    jxk = api("jxk")
    response = start(jxk, "test_approval", {}, project_id(app, RSJ))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["process"] == "test_approval" and body["status"] == "running"
    return body["id"]


def test_processes_lists_deployed_models(api):
    items = api("jxk").get("/api/v1/processes").get_json()["items"]
    keys = {i["key"]: i for i in items}
    assert {"test_approval", "test_parallel", "test_timer"} <= set(keys)
    assert keys["test_approval"]["version"] == 1 and keys["test_approval"]["name"]


def test_only_bureau_roles_start_processes_directly(app, api):
    assert start(api("rsj_filer"), "test_approval", {}, project_id(app, RSJ)).status_code == 403
    assert start(api("jxk"), "no_such_process").status_code == 404


def test_start_data_cannot_shadow_engine_internals(api):
    response = start(api("jxk"), "test_approval", {"__builtins__": {}, "ok": 1})
    assert response.status_code == 422
    assert start(api("jxk"), "test_approval", {"nested": {"typename": "BpmnWorkflow"}}).status_code == 422


def test_lane_and_department_decide_who_sees_the_task(app, api):
    instance_id = _start_approval(app, api)
    filer = api("rsj_filer")
    group = filer.tasks("group")
    assert [t["name"] for t in group] == ["fill"]
    task = group[0]
    assert task["lane"] == "department_filer" and task["department"] == "rsj"
    assert task["instance_id"] == instance_id and task["due_at"] is not None

    # another department's filer neither sees it nor can act on it
    other = api("slj_filer")
    assert other.tasks("group") == []
    assert other.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert other.complete(task["id"], {"text": "x"}).status_code == 404
    assert other.get(f"/api/v1/instances/{instance_id}").status_code == 404
    # the same department's head sees it but may not do it
    head = api("rsj_head")
    assert head.get(f"/api/v1/tasks/{task['id']}").status_code == 200
    assert head.complete(task["id"], {"text": "x"}).status_code == 403
    assert head.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 403


def test_invalid_data_is_422_with_fields_and_changes_nothing(app, api):
    instance_id = _start_approval(app, api)
    filer = api("rsj_filer")
    task = filer.tasks("group")[0]
    with app.app_context():
        before = db.session.get(ProcessInstance, instance_id).state
    response = filer.complete(task["id"], {"text": ""})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed" and "text" in body["fields"]
    bad = filer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": [1, 2]})
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.get(ProcessInstance, instance_id).state == before
        assert db.session.get(HumanTask, task["id"]).state == "ready"


def test_exclusive_gateway_sends_back_and_then_completes(app, api):
    instance_id = _start_approval(app, api)
    filer, head = api("rsj_filer"), api("rsj_head")
    fill = filer.tasks("group")[0]
    done = filer.complete(fill["id"], {"text": "第一稿"})
    assert done.status_code == 200, done.get_json()
    assert [t["name"] for t in done.get_json()["next_tasks"]] == ["approve"]

    approve = head.tasks("group")[0]
    assert head.complete(approve["id"], {"approved": "maybe"}).status_code == 422
    back = head.complete(approve["id"], {"approved": False, "opinion": "请补充"})
    assert back.status_code == 200 and back.get_json()["next_tasks"][0]["name"] == "fill"

    fill2 = filer.tasks("group")[0]
    filer.complete(fill2["id"], {"text": "第二稿"})
    approve2 = head.tasks("group")[0]
    final = head.complete(approve2["id"], {"approved": True, "opinion": "同意"})
    assert final.get_json()["instance"]["status"] == "completed"

    detail = api("jxk").get(f"/api/v1/instances/{instance_id}").get_json()
    assert detail["status"] == "completed" and detail["ready_tasks"] == []
    completions = [h for h in detail["history"] if h["action"] == "complete"]
    assert [(h["task"], h["by"]) for h in completions] == [
        ("fill", "rsj_filer"), ("approve", "rsj_head"), ("fill", "rsj_filer"), ("approve", "rsj_head")]
    assert completions[1]["opinion"] == "请补充"
    assert detail["data"]["approved"] is True
    # a department user may see the instance but not its raw data
    assert "data" not in filer.get(f"/api/v1/instances/{instance_id}").get_json()
    # done queue
    assert {t["name"] for t in head.tasks("done")} == {"approve"}


def test_completed_task_is_409(app, api):
    _start_approval(app, api)
    filer = api("rsj_filer")
    fill = filer.tasks("group")[0]
    assert filer.complete(fill["id"], {"text": "ok"}).status_code == 200
    again = filer.complete(fill["id"], {"text": "ok"})
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"


def test_claim_unclaim_and_claimed_by_someone_else(app, api):
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("rsj_filer2", "password-2", ["department_filer"], "rsj", "人社局 第二填报人",
                    password_hash=None)
        db.session.commit()
    _start_approval(app, api)
    first, second = api("rsj_filer"), api("rsj_filer2", "password-2")
    task = first.tasks("group")[0]
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert first.tasks("mine")[0]["assignee"] == "rsj_filer"
    assert second.tasks("group") == []
    assert second.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    assert second.complete(task["id"], {"text": "x"}).status_code == 409
    assert second.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 403
    assert first.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    assert second.complete(task["id"], {"text": "由第二人完成"}).status_code == 200  # claimed on the way


def test_parallel_multi_instance_assigns_each_reviewer(app, api):
    jxk = api("jxk")
    response = start(jxk, "test_parallel", {"reviewers": ["expert1", "expert2", "expert3"]})
    assert response.status_code == 201
    prepare = jxk.tasks("mine")[0]  # the starter holds the first task of the lane they hold
    assert jxk.complete(prepare["id"], {"text": "材料"}).status_code == 200
    for name in ("expert1", "expert2", "expert3"):
        expert = api(name)
        mine = expert.tasks("mine")
        assert [(t["name"], t["assignee"]) for t in mine] == [("review", name)]
        assert expert.tasks("group") == []
    e1 = api("expert1")
    other_task = api("expert2").tasks("mine")[0]
    assert e1.complete(other_task["id"], {"text": "x"}).status_code == 404
    for name in ("expert1", "expert2", "expert3"):
        expert = api(name)
        task = expert.tasks("mine")[0]
        assert expert.complete(task["id"], {"text": f"{name} 意见"}).status_code == 200
    summarize = jxk.tasks("group")
    assert [t["name"] for t in summarize] == ["summarize"]


def test_unknown_ids_are_404_and_bad_query_is_422(api):
    jxk = api("jxk")
    assert jxk.get("/api/v1/tasks/999999").status_code == 404
    assert jxk.get("/api/v1/instances/999999").status_code == 404
    assert jxk.post("/api/v1/tasks/999999/complete", json={"data": {}}).status_code == 404
    assert jxk.get("/api/v1/tasks?scope=everything").status_code == 422
    assert jxk.get("/api/v1/tasks?limit=100000").status_code == 422
    assert jxk.get("/api/v1/nothing-here").status_code == 404


def test_every_action_is_audited(app, api):
    _start_approval(app, api)
    filer = api("rsj_filer")
    task = filer.tasks("group")[0]
    filer.post(f"/api/v1/tasks/{task['id']}/claim")
    filer.complete(task["id"], {"text": "ok"})
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id.is_not(None))
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["start", "claim", "complete"]
        completed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "complete")).one()
        assert completed.actor == "rsj_filer" and completed.task_name == "fill"
        assert completed.after == {"text": "ok"}


def test_task_list_paginates(app, api):
    jxk = api("jxk")
    for _ in range(3):
        start(jxk, "test_approval", {}, project_id(app, SLJ))
    filer = api("slj_filer")
    page = filer.get("/api/v1/tasks?scope=group&limit=2&offset=0").get_json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = filer.get("/api/v1/tasks?scope=group&limit=2&offset=2").get_json()
    assert len(rest["items"]) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HumanTask)) == 3
