"""Starting a round of instances in one go (the Celery job runs eagerly here; CI also runs it on a worker)."""
from __future__ import annotations

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import HumanTask, ProcessInstance
from workflow_app.worker import start_instances_batch


def test_batch_job_starts_every_instance_with_its_tasks(app):
    items = [{"round": "2027-monitoring", "seq": i} for i in range(120)]
    with app.app_context():
        assert start_instances_batch.delay("test_approval", items, "jxk").get() == 120
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 120
        assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.name == "fill")) == 120


def test_batch_job_refuses_a_department_user_and_starts_nothing(app):
    import pytest

    from workflow_app.services.errors import Forbidden
    with app.app_context():
        with pytest.raises(Forbidden):
            start_instances_batch.delay("test_approval", [{"seq": 1}], "rsj_filer").get()
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
