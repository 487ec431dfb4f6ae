"""The "mine" queue merges two index ranges (assigned by name, claimed): pages must still come out in
one due order, undated last, with the right total, however the two ranges interleave."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import HumanTask

from .helpers import RSJ, project_id, start


def test_mine_pages_merge_assigned_and_claimed_tasks_in_due_order(app, api):
    jxk = api("jxk")
    for _ in range(9):
        start(jxk, "test_approval", {}, project_id(app, RSJ))
    base = datetime(2027, 3, 1, tzinfo=timezone.utc)
    with app.app_context():
        rows = db.session.scalars(select(HumanTask).order_by(HumanTask.id)).all()
        assert len(rows) == 9
        # Alternate the two ranges and scramble the dates; two tasks have no deadline.
        for k, row in enumerate(rows):
            if k % 2:
                row.assignee, row.claimed_by = "rsj_filer", None
            else:
                row.assignee, row.claimed_by = None, "rsj_filer"
            row.due_at = None if k in (2, 5) else base + timedelta(days=(k * 5) % 7, hours=k)
        db.session.commit()
        expected = [r.id for r in sorted(rows, key=lambda r: (r.due_at is None, r.due_at or base, r.id))]
    filer = api("rsj_filer")
    seen: list[int] = []
    for offset in range(0, 9, 2):
        page = filer.get(f"/api/v1/tasks?scope=mine&limit=2&offset={offset}").get_json()
        assert page["total"] == 9
        seen += [t["id"] for t in page["items"]]
    assert seen == expected
    assert [t["id"] for t in filer.tasks("mine", limit=50)] == expected
    assert filer.get("/api/v1/tasks?scope=mine&limit=2&offset=20").get_json() == {"items": [], "total": 9}
