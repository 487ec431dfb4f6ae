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


def test_a_chunk_delivered_twice_starts_its_instances_once(app):
    """Late acks: a worker killed after the commit but before the ack gets the same chunk again."""
    from workflow_app.models import BatchChunk
    items = [{"round": "2027-monitoring", "seq": i} for i in range(30)]
    with app.app_context():
        assert start_instances_batch.delay("test_approval", items, "jxk", chunk_key="2027-monitoring:7").get() == 30
        assert start_instances_batch.delay("test_approval", items, "jxk", chunk_key="2027-monitoring:7").get() == 30
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 30
        assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.name == "fill")) == 30
        chunk = db.session.scalars(select(BatchChunk)).one()
        assert (chunk.key, chunk.process_key, chunk.started) == ("2027-monitoring:7", "test_approval", 30)
        # Another chunk of the same round is another key: it starts its own instances.
        assert start_instances_batch.delay("test_approval", items[:5], "jxk", chunk_key="2027-monitoring:8").get() == 5
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 35


def test_a_refused_chunk_leaves_no_key_behind(app):
    """The key is written in the chunk's transaction: a chunk that failed can be sent again and then runs."""
    import pytest

    from workflow_app.models import BatchChunk
    from workflow_app.services.errors import Forbidden, Invalid
    with app.app_context():
        with pytest.raises(Forbidden):
            start_instances_batch.delay("test_approval", [{"seq": 1}], "rsj_filer", chunk_key="r:1").get()
        with pytest.raises(Invalid):
            start_instances_batch.delay("test_approval", [{"seq": 1}], "jxk", chunk_key="x" * 201).get()
        assert db.session.scalar(select(func.count()).select_from(BatchChunk)) == 0
        assert start_instances_batch.delay("test_approval", [{"seq": 1}], "jxk", chunk_key="r:1").get() == 1
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 1


def test_two_deliveries_of_a_chunk_at_once_start_it_once(app):
    """A redelivery can run while the first delivery still runs: one waits on the chunk's key and starts nothing."""
    import threading

    items = [{"round": "2027-monitoring", "seq": i} for i in range(40)]
    barrier = threading.Barrier(2)
    results: list[int | BaseException] = []

    def deliver() -> None:
        with app.app_context():  # each thread its own session and connection, as two workers would have
            barrier.wait()
            try:
                results.append(start_instances_batch("test_approval", items, "jxk", chunk_key="2027-monitoring:1"))
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [40, 40]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 40


def test_the_operator_starts_a_round_from_a_file_and_a_resend_starts_nothing_twice(app, tmp_path):
    """`processes start-batch` cuts a JSON list into keyed chunks for the workers (eager here); the same
    file sent again is the same round, so its chunks are found done."""
    import json

    items = tmp_path / "round.json"
    items.write_text(json.dumps([{"round": "2027-monitoring", "seq": i} for i in range(230)]), encoding="utf-8")
    runner = app.test_cli_runner()
    args = ["processes", "start-batch", "test_approval", str(items), "--as", "jxk", "--chunk", "100"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "230 instances of test_approval" in first.output and "3 chunks" in first.output
    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 230
        assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.name == "fill")) == 230


def test_a_bad_round_file_or_starter_is_refused_and_starts_nothing(app, tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[{", encoding="utf-8")
    not_a_list = tmp_path / "object.json"
    not_a_list.write_text('{"seq": 1}', encoding="utf-8")
    bad_item = tmp_path / "item.json"
    bad_item.write_text('[{"seq": 1}, {"__class__": 2}]', encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text('[{"seq": 1}]', encoding="utf-8")
    runner = app.test_cli_runner()
    cases = [
        (["test_approval", str(bad_json), "--as", "jxk"], "不是有效的 JSON"),
        (["test_approval", str(not_a_list), "--as", "jxk"], "非空的 JSON 列表"),
        (["test_approval", str(bad_item), "--as", "jxk"], "第 2 项"),
        (["test_approval", str(good), "--as", "rsj_filer"], "只有绩效科和管理员"),
        (["test_approval", str(good), "--as", "nobody"], "不存在"),
        (["no_such_process", str(good), "--as", "jxk"], "没有名为 no_such_process 的流程"),
        (["test_approval", str(good), "--as", "jxk", "--chunk", "0"], "1–1000"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["processes", "start-batch", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
