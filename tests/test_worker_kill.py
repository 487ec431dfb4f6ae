"""A Celery worker killed with SIGKILL in the middle of firing timers: after a restart each timer has fired
exactly once.

The test starts its own worker (`--pool=solo`, so the main process runs the job and is the one killed) on a
queue of its own, so a worker CI runs on the same broker never takes these jobs. The broker is
TEST_CELERY_BROKER_URL when set (Redis on CI), otherwise kombu's SQLAlchemy transport on a temporary SQLite
file, the product's embedded default, so the test also runs in the SQLite pass.

Where the kill lands is made deterministic without any hook in the product: once the first timers have
fired, the test takes the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an EXCLUSIVE lock on
process_instances). Taking it waits for the worker's current instance to commit; the worker then blocks on
its next instance, and is killed there, with some instances fired and the rest still due.

Recovery is what production does: the timer job is sent again, as beat does every minute (Redis would
redeliver the killed job only after its visibility timeout, the SQLAlchemy transport never does), and it
fires only what is still due.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from flask import Flask
from sqlalchemy import func, select, text

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, HumanTask, ProcessInstance
from workflow_app.worker import start_instances_batch

REPO = Path(__file__).resolve().parent.parent
INSTANCES = 60      # enough that the worker's loop is far from done when the first timers show
FIRST_FEW = 3       # stop the worker once this many timers have fired
POLL = 0.02


class Worker:
    """One `celery worker` process consuming only `queue`, on the tests' database."""

    def __init__(self, app: Flask, broker: str, queue: str, log: Path) -> None:
        self.log = log
        env = {**os.environ,
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "CELERY_BROKER_URL": broker,
               "BPMN_DIRS": str(REPO / "tests" / "bpmn"),
               "SECRET_KEY": "test-secret",
               "UPLOAD_DIR": str(log.parent / "uploads"),
               "SMTP_HOST": "",
               # Names this worker's PostgreSQL sessions, so the killed one's can be found and ended afterwards.
               "PGAPPNAME": queue}
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workflow_app.celery_entry", "worker", "--pool=solo",
                 "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "--loglevel=INFO"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Warm shutdown: the worker finishes the job it is running, then exits."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def queue() -> str:
    return f"wf_kill_{os.getpid()}_{time.monotonic_ns()}"


@pytest.fixture
def broker(tmp_path: Path, queue: str) -> Iterator[str]:
    url = os.environ.get("TEST_CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    yield url
    if url.startswith("redis"):
        _forget_redis_queue(url, queue)


@pytest.fixture
def workers(app: Flask, broker: str, queue: str, tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    started: list[Worker] = []

    def spawn() -> Worker:
        worker = Worker(app, broker, queue, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield spawn
    for worker in started:
        worker.stop()
    _end_killed_sessions(app, queue)


def test_a_worker_killed_while_firing_timers_leaves_each_timer_fired_exactly_once(app, workers, broker, queue):
    with app.app_context():
        items = [{"seq": i} for i in range(INSTANCES)]
        assert start_instances_batch.delay("test_timer", items, "jxk").get() == INSTANCES
        ids = set(db.session.scalars(select(ProcessInstance.id)))
        at = max(db.session.scalars(select(ProcessInstance.next_timer_at))) + timedelta(seconds=1)
        db.session.remove()
    sender = Celery("kill-test-sender", broker=broker)  # the app's own Celery object runs jobs eagerly here

    def send_timer_job() -> None:
        sender.send_task("workflow_app.fire_due_timers", kwargs={"at": at.isoformat()}, queue=queue)

    first = workers()
    send_timer_job()
    wait_for(lambda: sum(fired(app).values()) >= FIRST_FEW, first, "the first timers to fire", 50)
    with writes_paused(app):
        # The worker has committed the instance it was on and now waits for the lock: kill it there.
        assert first.alive(), first.tail()
        first.kill()
        before = fired(app)
    print(f"fired before the kill: {len(before)} of {INSTANCES}")
    assert 0 < len(before) < INSTANCES, (
        f"the worker fired {len(before)} of {INSTANCES} timers before it was stopped: "
        "the kill did not land in the middle of the job")
    assert set(before.values()) == {1}
    with app.app_context():
        # What the killed job committed stays; every other instance is still due, untouched.
        still_due = set(db.session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.status == "running", ProcessInstance.next_timer_at <= at)))
        db.session.remove()
    assert still_due == ids - set(before)

    second = workers()
    send_timer_job()   # beat sends it every minute
    wait_for(lambda: len(fired(app)) == INSTANCES, second, "every timer to fire", 50)
    second.stop()      # lets the job finish, so nothing can fire after the counts below

    counts = fired(app)
    assert set(counts) == ids
    assert {i: n for i, n in counts.items() if n != 1} == {}, "a timer fired twice"
    with app.app_context():
        ready = db.session.execute(select(HumanTask.instance_id, HumanTask.name).where(
            HumanTask.state == "ready").order_by(HumanTask.instance_id)).all()
        due = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.next_timer_at.is_not(None)))
        db.session.remove()
    assert sorted(ready) == sorted((i, "escalated") for i in ids)
    assert due == 0


def fired(app: Flask) -> dict[int, int]:
    """How many times each instance's timer has fired, from the audit trail (one "timer" event per firing)."""
    with app.app_context():
        with db.engine.connect() as conn:
            rows = conn.execute(select(AuditEvent.instance_id, func.count()).where(AuditEvent.action == "timer")
                                .group_by(AuditEvent.instance_id)).all()
    return {instance_id: count for instance_id, count in rows}


def wait_for(condition: Callable[[], bool], worker: Worker, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if not worker.alive():
            pytest.fail(f"the worker exited while waiting for {what}:\n{worker.tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}; worker log:\n{worker.tail()}")
        time.sleep(POLL)


@contextlib.contextmanager
def writes_paused(app: Flask) -> Iterator[None]:
    """Hold the database's write lock: whoever writes next waits (readers do not)."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # No busy timeout but a tight retry: SQLite's busy handler sleeps up to 100 ms between tries and
            # would keep missing the short gaps between the worker's transactions until its loop ends.
            conn = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
            try:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        conn.execute("BEGIN IMMEDIATE")
                        break
                    except sqlite3.OperationalError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.0002)
                yield
                conn.execute("ROLLBACK")
            finally:
                conn.close()
        else:
            with db.engine.connect() as conn:
                conn.execute(text("SET lock_timeout = '30s'"))
                conn.execute(text("LOCK TABLE process_instances IN EXCLUSIVE MODE"))
                yield
                conn.rollback()


def _end_killed_sessions(app: Flask, queue: str) -> None:
    """A killed worker's PostgreSQL session lingers until it notices; end it so the next test can truncate."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": queue})


def _forget_redis_queue(url: str, queue: str) -> None:
    """Drop this test's queue and the killed job's unacknowledged copy, which Redis keeps for redelivery."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for tag, raw in client.hgetall("unacked").items():
            with contextlib.suppress(ValueError, TypeError):
                _message, _exchange, routing_key = json.loads(raw)
                if routing_key == queue:
                    client.zrem("unacked_index", tag)
                    client.hdel("unacked", tag)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()
