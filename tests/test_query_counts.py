"""No N+1: the inbox and a completion run a fixed number of queries, however many tasks there are."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from workflow_app.extensions import db

from .helpers import RSJ, project_id, start


@contextmanager
def counting(app):
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _inbox_queries(app, client) -> int:
    with counting(app) as seen:
        assert client.get("/api/v1/tasks?scope=group").status_code == 200
    return len(seen)


def test_inbox_queries_do_not_grow_with_the_number_of_tasks(app, api):
    jxk = api("jxk")
    filer = api("rsj_filer")
    start(jxk, "test_approval", {}, project_id(app, RSJ))
    few = _inbox_queries(app, filer)
    for _ in range(20):
        start(jxk, "test_approval", {}, project_id(app, RSJ))
    many = _inbox_queries(app, filer)
    assert len(filer.tasks("group", limit=50)) == 21
    assert many == few <= 2   # token; the page with its total (department and project come joined)


def test_a_completion_runs_a_fixed_small_number_of_queries(app, api):
    jxk = api("jxk")
    filer = api("rsj_filer")
    counts = []
    for round_no in range(3):
        for _ in range(5 * round_no):
            start(jxk, "test_approval", {}, project_id(app, RSJ))
        instance = start(jxk, "test_approval", {}, project_id(app, RSJ)).get_json()["id"]
        task = filer.tasks("group", instance_id=instance)[0]
        with counting(app) as seen:
            assert filer.complete(task["id"], {"text": "ok"}).status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1] == counts[2]
    # token, lock, the task with its instance's ready tasks and the instance, project, state, task rows
    # (write, insert), notifications (one INSERT ... SELECT), audit chain head (lock, move), audit event;
    # on PostgreSQL the audit events go in with the head's move, in one statement
    with app.app_context():
        limit = 10 if db.engine.dialect.name == "postgresql" else 11
    assert counts[0] <= limit, counts
