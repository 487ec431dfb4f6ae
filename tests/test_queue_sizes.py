"""A group queue's total is kept by database triggers as tasks come and go (not counted per request): it must
equal the queue itself for every user, through every way a task enters or leaves a queue, on both databases."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, insert, select, update

from workflow_app.extensions import db
from workflow_app.models import Department, GroupQueueSize, HumanTask
from workflow_app.services.demo import USERS

from .goal_flow import GoalFlow, goals
from .helpers import RSJ, SLJ, project_id, start

GROUP_USERS = [username for username, _, roles, _ in USERS if {"department_filer", "department_head",
               "finance_business", "performance_section", "admin"} & set(roles)]


class Queues:
    """Every demo user with a group queue, logged in once."""

    def __init__(self, api) -> None:
        self.clients = {username: api(username) for username in GROUP_USERS}

    def check(self, step: str) -> dict[str, int]:
        """Each user's total as the API reports it past the first page (limit=1: the kept size, not the
        page's length) against the queue read in full."""
        totals = {}
        for username, client in self.clients.items():
            reported = client.get("/api/v1/tasks?scope=group&limit=1").get_json()["total"]
            listed = client.get("/api/v1/tasks?scope=group&limit=500").get_json()["items"]
            assert reported == len(listed), (step, username, reported, len(listed))
            totals[username] = reported
        return totals


def _log_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(GroupQueueSize))


def test_group_totals_follow_every_way_a_task_moves(app, api):
    queues = Queues(api)
    assert set(queues.check("empty").values()) == {0}
    jxk = queues.clients["jxk"]
    for project in (RSJ, RSJ, SLJ):
        assert start(jxk, "test_approval", {}, project_id(app, project)).status_code == 201
    assert queues.check("started")["rsj_filer"] == 2 and queues.clients["slj_filer"].tasks("group")

    filer = queues.clients["rsj_filer"]
    first, second = (t["id"] for t in filer.tasks("group"))
    assert filer.post(f"/api/v1/tasks/{first}/claim").status_code == 200
    assert queues.check("claimed")["rsj_filer"] == 1
    assert filer.post(f"/api/v1/tasks/{first}/unclaim").status_code == 200
    assert queues.check("unclaimed")["rsj_filer"] == 2
    assert jxk.post(f"/api/v1/tasks/{second}/reassign", json={"username": "rsj_filer"}).status_code == 200
    queues.check("reassigned")
    assert filer.complete(first, {"text": "材料"}).status_code == 200
    assert queues.check("completed")["rsj_head"] == 1

    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    queues.check("drafted")
    assert flow.filer.post(f"/api/v1/instances/{flow.instance_id}/withdraw", json={"reason": "漏填"}).status_code == 200
    queues.check("withdrawn")
    flow.through_formal_check()
    queues.check("formal check")
    flow.joint_review("良", "良", [85, 85, 85])
    consolidate = flow.jxk.task_named("consolidate", instance_id=flow.instance_id)
    assert flow.jxk.post(f"/api/v1/tasks/{consolidate['id']}/send-back",
                         json={"to": "formal_check", "reason": "重新审核"}).status_code == 200
    queues.check("sent back")
    for _ in range(2):
        start(jxk, "test_approval", {}, project_id(app, RSJ))
    assert queues.check("two more")["rsj_filer"] == 2
    bulk = filer.post("/api/v1/tasks/bulk", json={"action": "claim", "ids": [t["id"] for t in filer.tasks("group")]})
    assert bulk.status_code == 200
    assert queues.check("bulk claim")["rsj_filer"] == 0


def test_rows_written_outside_the_app_are_counted(app, api):
    """An import or a hand edit in SQL moves the totals too: the triggers see every writer."""
    queues = Queues(api)
    jxk = queues.clients["jxk"]
    instance_id = start(jxk, "test_approval", {}, project_id(app, RSJ)).get_json()["id"]
    with app.app_context():
        template = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
        row = {c.name: getattr(template, c.key) for c in HumanTask.__table__.columns if c.name != "id"}
        with db.engine.begin() as conn:
            conn.execute(insert(HumanTask.__table__), [dict(row, task_guid=f"bulk-{n}") for n in range(5)])
        assert queues.check("bulk insert")["rsj_filer"] == 6
        with db.engine.begin() as conn:
            conn.execute(update(HumanTask.__table__).where(HumanTask.task_guid.in_(["bulk-0", "bulk-1"]))
                         .values(claimed_by="rsj_filer"))
            slj = db.session.scalar(select(Department.id).where(Department.code == "slj"))
            conn.execute(update(HumanTask.__table__).where(HumanTask.task_guid == "bulk-2").values(department_id=slj))
            conn.execute(delete(HumanTask.__table__).where(HumanTask.task_guid == "bulk-3"))
            # a change that keeps the task in its queue logs nothing
            before = conn.scalar(select(func.count()).select_from(GroupQueueSize))
            conn.execute(update(HumanTask.__table__).where(HumanTask.task_guid == "bulk-4").values(title="改名"))
            assert conn.scalar(select(func.count()).select_from(GroupQueueSize)) == before
        totals = queues.check("hand edits")
        assert totals["rsj_filer"] == 2 and totals["slj_filer"] == 1


def test_folding_the_log_keeps_every_total(app, api):
    queues = Queues(api)
    jxk = queues.clients["jxk"]
    for project in (RSJ, SLJ, RSJ, SLJ):
        start(jxk, "test_approval", {}, project_id(app, project))
    filer = queues.clients["rsj_filer"]
    filer.complete(filer.tasks("group")[0]["id"], {"text": "材料"})
    before = queues.check("before folding")
    assert _log_rows(app) > 4
    result = app.test_cli_runner().invoke(args=["queues", "compact"])
    assert result.exit_code == 0 and "rows folded" in result.output
    # one row per (lane, department) with tasks waiting: filer@rsj, filer@slj, head@rsj
    assert _log_rows(app) == 3
    assert queues.check("after folding") == before
    assert app.test_cli_runner().invoke(args=["queues", "compact"]).output.startswith("queue size log: 0 rows")
    filer.complete(filer.tasks("group")[0]["id"], {"text": "材料"})
    assert queues.check("after more work")["rsj_head"] == 2
    # beat runs the same fold every few minutes through the worker
    from workflow_app.worker import celery_app, compact_queue_sizes
    assert any(entry["task"] == compact_queue_sizes.name for entry in celery_app.conf.beat_schedule.values())
    with app.app_context():
        # five rows (three folded ones, the filer task's -1, the head task's +1) become two: the rsj filers'
        # queue is empty now and keeps no row
        assert compact_queue_sizes.delay().get() == 3
    assert _log_rows(app) == 2
    assert queues.check("after the worker's fold")["rsj_head"] == 2


def test_the_migration_counts_the_tasks_already_waiting(app, api):
    queues = Queues(api)
    jxk = queues.clients["jxk"]
    for project in (RSJ, SLJ, SLJ):
        start(jxk, "test_approval", {}, project_id(app, project))
    before = queues.check("before the migration")
    with app.app_context():
        downgrade(revision="c0ffee600003")
        db.session.remove()
        upgrade()
        db.session.remove()
    assert _log_rows(app) == 2  # the queues as they stood: filer@rsj 1, filer@slj 2
    assert queues.check("after the migration") == before
    start(jxk, "test_approval", {}, project_id(app, RSJ))
    assert queues.check("triggers back")["rsj_filer"] == 2


def test_totals_stay_exact_under_concurrent_work_and_folding(app, api):
    """Completions, claims and folds at the same time (on PostgreSQL truly concurrent: the log's inserts never
    wait on each other, and a fold deletes only the rows it sums)."""
    import threading

    from workflow_app.services.queue_sizes import compact_now

    queues = Queues(api)
    jxk = queues.clients["jxk"]
    for _ in range(12):
        start(jxk, "test_approval", {}, project_id(app, RSJ))
    tasks = [t["id"] for t in queues.clients["rsj_filer"].tasks("group")]
    assert len(tasks) == 12
    workers = [api("rsj_filer") for _ in range(4)]
    statuses: list[int] = []
    barrier = threading.Barrier(len(workers) + 1)

    def work(client, mine: list[tuple[int, int]]) -> None:
        barrier.wait()
        for index, task_id in mine:
            if index % 2:  # half claimed (they leave the queue), half completed (the head's queue grows)
                statuses.append(client.post(f"/api/v1/tasks/{task_id}/claim").status_code)
            else:
                statuses.append(client.complete(task_id, {"text": "并发"}).status_code)

    def fold() -> None:
        barrier.wait()
        with app.app_context():
            for _ in range(6):
                compact_now()

    numbered = list(enumerate(tasks))
    threads = [threading.Thread(target=work, args=(c, numbered[i::4])) for i, c in enumerate(workers)]
    threads.append(threading.Thread(target=fold))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses == [200] * 12
    totals = queues.check("after concurrent work")
    assert totals["rsj_filer"] == 0 and totals["rsj_head"] == 6
