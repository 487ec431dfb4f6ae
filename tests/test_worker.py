"""The real Celery worker (CI starts one on PostgreSQL with a Redis broker): it fires due timers."""
from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from celery import Celery
from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import HumanTask, ProcessInstance

from .helpers import RSJ, project_id, start

BROKER = os.environ.get("TEST_CELERY_BROKER_URL")
pytestmark = pytest.mark.skipif(not BROKER, reason="needs a broker and a running worker (CI starts them)")


def sender() -> Celery:
    """A client of the real broker of its own: the app's Celery object runs jobs eagerly in the tests."""
    return Celery("test-sender", broker=BROKER)


def test_worker_fires_due_timers_sent_through_the_broker(app, api):
    jxk = api("jxk")
    instance_id = start(jxk, "test_timer", {}, project_id(app, RSJ)).get_json()["id"]
    with app.app_context():
        due = db.session.get(ProcessInstance, instance_id).next_timer_at
    sender().send_task("workflow_app.fire_due_timers", kwargs={"at": (due + timedelta(seconds=1)).isoformat()})
    deadline = time.monotonic() + 60
    names: list[str] = []
    while time.monotonic() < deadline:
        with app.app_context():
            names = list(db.session.scalars(select(HumanTask.name).where(
                HumanTask.instance_id == instance_id, HumanTask.state == "ready")))
            db.session.remove()
        if names == ["escalated"]:
            break
        time.sleep(0.5)
    assert names == ["escalated"]


def test_batch_start_through_the_broker(app, api):
    from sqlalchemy import func
    items = [{"round": "2027-monitoring", "seq": i} for i in range(50)]
    sender().send_task("workflow_app.start_instances_batch", args=["test_parallel", items, "jxk"])
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline:
        with app.app_context():
            count = db.session.scalar(select(func.count()).select_from(ProcessInstance))
            db.session.remove()
        if count == 50:
            break
        time.sleep(0.5)
    assert count == 50
