"""Timers: deadlines on tasks (non-interrupting) and escalation (interrupting), fired by `timers run --now`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import HumanTask, Notification, ProcessInstance, User

from .helpers import RSJ, project_id, start


def _run_timers(app, moment: datetime) -> str:
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", moment.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_interrupting_timer_escalates_when_run_past_its_time(app, api):
    jxk = api("jxk")
    instance_id = start(jxk, "test_timer", {}, project_id(app, RSJ)).get_json()["id"]
    with app.app_context():
        due = db.session.get(ProcessInstance, instance_id).next_timer_at
    assert due is not None
    assert "fired 0 timers" in _run_timers(app, due - timedelta(minutes=1))
    assert [t["name"] for t in api("rsj_filer").tasks("group")] == ["wait_here"]

    assert "fired 1 timers" in _run_timers(app, due + timedelta(seconds=1))
    assert api("rsj_filer").tasks("group") == []
    assert [t["name"] for t in jxk.tasks("group")] == ["escalated"]
    # running again at the same time fires nothing more
    assert "fired 0 timers" in _run_timers(app, due + timedelta(seconds=2))
    history = jxk.get(f"/api/v1/instances/{instance_id}").get_json()["history"]
    assert [h["action"] for h in history].count("timer") == 1


def test_deadline_reminds_once_and_keeps_the_task(app, api):
    jxk = api("jxk")
    start(jxk, "test_approval", {}, project_id(app, RSJ))
    filer = api("rsj_filer")
    task = filer.tasks("group")[0]
    due = datetime.fromisoformat(task["due_at"])
    assert timedelta(days=1, hours=23) < due - datetime.now(timezone.utc) <= timedelta(days=2)

    _run_timers(app, due + timedelta(hours=1))
    _run_timers(app, due + timedelta(hours=2))
    after = filer.tasks("group")[0]
    assert after["id"] == task["id"] and after["overdue"] is True and after["due_at"] == task["due_at"]
    with app.app_context():
        filer_id = db.session.scalars(select(User.id).where(User.username == "rsj_filer")).one()
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == filer_id)).all()
        assert kinds.count("overdue") == 1 and kinds.count("new_task") == 1
        assert db.session.get(HumanTask, task["id"]).overdue_notified_at is not None
    # the task can still be done after its deadline
    assert filer.complete(task["id"], {"text": "迟交"}).status_code == 200


def test_timers_run_rejects_a_bad_time(app):
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", "yesterday"])
    assert result.exit_code != 0 and "ISO 8601" in result.output
