"""Inbox filters (instance, process, project, fiscal year, department, due) narrow "mine" and the group queue
alike, alone and combined, with the right total."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import HumanTask

from .helpers import RSJ, SLJ, project_id, start


def _ids(client, scope: str, query: str = "") -> tuple[set[int], int]:
    page = client.get(f"/api/v1/tasks?scope={scope}&limit=50{query}").get_json()
    return {t["id"] for t in page["items"]}, page["total"]


def test_filters_narrow_mine_and_group_queues(app, api):
    jxk, filer = api("jxk"), api("rsj_filer")
    instances = [start(jxk, "test_approval", {}, project_id(app, RSJ)).get_json()["id"] for _ in range(4)]
    tasks = [filer.tasks("group", instance_id=i)[0] for i in instances]
    for task in tasks[:2]:   # two held ("mine"), two left in the group queue
        assert filer.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    now = datetime.now(timezone.utc)
    # per queue: one overdue, one due within the week
    due = {tasks[0]["id"]: now - timedelta(days=1), tasks[1]["id"]: now + timedelta(days=3),
           tasks[2]["id"]: now - timedelta(hours=2), tasks[3]["id"]: now + timedelta(days=30)}
    with app.app_context():
        for row in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(due))):
            row.due_at = due[row.id]
        db.session.commit()
    mine, group = {tasks[0]["id"], tasks[1]["id"]}, {tasks[2]["id"], tasks[3]["id"]}
    department = tasks[0]["department"]
    other_project = project_id(app, SLJ)

    for scope, queue in (("mine", mine), ("group", group)):
        assert _ids(filer, scope) == (queue, 2)
        for query, expected in [
            ("&process=test_approval", queue), ("&process=rectification", set()),
            (f"&project_id={project_id(app, RSJ)}", queue), (f"&project_id={other_project}", set()),
            ("&fiscal_year=2027", queue), ("&fiscal_year=2030", set()),
            (f"&department={department}", queue), ("&department=nosuch", set()),
            ("&due=overdue", {i for i in queue if due[i] < now}),
            ("&due=week", {i for i in queue if now <= due[i] < now + timedelta(days=7)}),
        ]:
            assert _ids(filer, scope, query) == (expected, len(expected)), (scope, query)
        for task_id in queue:
            instance = next(t["instance_id"] for t in tasks if t["id"] == task_id)
            assert _ids(filer, scope, f"&instance_id={instance}") == ({task_id}, 1)
            overdue = due[task_id] < now
            assert _ids(filer, scope, f"&instance_id={instance}&due=overdue") == (
                ({task_id}, 1) if overdue else (set(), 0))
    # a total past the first page is counted, filters included
    assert filer.get("/api/v1/tasks?scope=mine&limit=1&process=test_approval").get_json()["total"] == 2
    assert filer.get("/api/v1/tasks?scope=group&limit=1&fiscal_year=2027").get_json()["total"] == 2
    # a page past the end is empty and still tells the total
    for scope in ("mine", "group"):
        assert filer.get(f"/api/v1/tasks?scope={scope}&limit=1&offset=5").get_json() == {"items": [], "total": 2}
    assert filer.get("/api/v1/tasks?scope=mine&due=soon").status_code == 422
