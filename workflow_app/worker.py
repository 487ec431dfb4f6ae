"""Background work with Celery: firing due timers (beat, every minute), folding the group queue size log
(beat, every five minutes) and mailing notifications.

Production: a Redis (or RabbitMQ) broker from CELERY_BROKER_URL, `celery worker` and `celery beat` as
separate processes. Embedded default (no CELERY_BROKER_URL): kombu's SQLAlchemy transport on a SQLite
file in instance/, with worker and beat started by the start command, so no server is needed.
Tests run jobs eagerly (CELERY_EAGER).

Delivery is at least once (late acks), so every job is idempotent: a timer job killed half way is simply
run again (beat sends it every minute; it fires only what is still due, one committed transaction per
instance), a batch chunk carries a key recorded with its instances, and a mail is marked as mailed.
"""
from __future__ import annotations

import logging
from pathlib import Path

from celery import Celery, Task
from flask import Flask, has_app_context

from .celery_app import BUILD_NPC_PACKAGE, SEND_NOTIFICATION_MAIL, celery_app
from .services import deployment, mail

log = logging.getLogger(__name__)


def init_celery(app: Flask) -> Celery:
    broker = app.config.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{Path(app.instance_path) / 'celery-broker.sqlite'}"

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            if has_app_context():  # run eagerly inside a request or a test: use that app
                return self.run(*args, **kwargs)
            with app.app_context():
                # A worker deploys before its first job, outside any job's unit of work (then a lookup).
                deployment.ensure_deployed()
                return self.run(*args, **kwargs)

    celery_app.Task = FlaskTask
    celery_app.conf.update(
        broker_url=broker,
        result_backend=None,
        task_ignore_result=True,
        # A job is acknowledged only after it ran: a worker killed mid-job leaves it for another (RabbitMQ at
        # once, Redis after the visibility timeout; the embedded SQLAlchemy transport never hands it out again,
        # which for timers beat's next tick covers).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=_transport_options(broker, app),
        task_always_eager=bool(app.config.get("CELERY_EAGER")),
        task_eager_propagates=True,
        broker_connection_retry_on_startup=True,
        timezone="Asia/Shanghai",
        beat_schedule={
            "fire-due-timers": {"task": "workflow_app.fire_due_timers",
                                "schedule": float(app.config["TIMER_INTERVAL_SECONDS"])},
            "compact-queue-sizes": {"task": "workflow_app.compact_queue_sizes",
                                    "schedule": float(app.config["QUEUE_SIZES_COMPACT_SECONDS"])},
        },
    )
    app.extensions["celery"] = celery_app
    return celery_app


def _transport_options(broker: str, app: Flask) -> dict[str, int]:
    """Redis hands an unacknowledged job (its worker was killed) to another worker only after the visibility
    timeout. Kombu's default is an hour; our jobs take seconds (a mail retry waits 60 s unacknowledged), so ten
    minutes brings a lost batch chunk back sooner, and a job still running by then would only run twice, which
    every job here tolerates.
    Only for Redis: the SQLAlchemy transport passes its options to create_engine, which refuses unknown ones.
    """
    if broker.split("://", 1)[0] not in {"redis", "rediss", "sentinel"}:
        return {}
    return {"visibility_timeout": int(app.config.get("CELERY_VISIBILITY_TIMEOUT", 600))}


@celery_app.task(name="workflow_app.fire_due_timers")
def fire_due_timers(at: str | None = None) -> int:
    """Fire every timer due now (or at `at`, an ISO time, as `timers run --now` does)."""
    from datetime import datetime

    from .services.instances import fire_due_timers as fire
    fired = fire(datetime.fromisoformat(at) if at else None)
    if fired:
        log.info("fired %s timers", fired)
    return fired


@celery_app.task(name="workflow_app.compact_queue_sizes")
def compact_queue_sizes() -> int:
    """Fold the group queue size log (one row per task change) into one row per lane, so that a queue's
    total stays the sum of a few rows. Any number may run at once; a lost run is simply the next one."""
    from .services.queue_sizes import compact_now
    return compact_now()


@celery_app.task(name="workflow_app.start_instances_batch", bind=True, max_retries=10, default_retry_delay=5)
def start_instances_batch(self: Task, process_key: str, items: list[dict], username: str,
                          chunk_key: str | None = None) -> int:
    """Start one instance of `process_key` per start-data dict in `items`, acting as `username`.

    A round of thousands is sent as many such chunks; each chunk is one transaction, so a chunk either
    starts completely or not at all (and can simply be sent again). With a `chunk_key` (unique per chunk,
    e.g. "<round id>:<chunk no>") a chunk delivered again after it committed starts nothing and returns
    the count it started the first time.

    A chunk that gives up on the database's write lock (`Unavailable`: another worker held SQLite's lock through
    every retry) is sent again a few seconds later rather than acknowledged and lost: the round would otherwise
    stay short of its instances with nobody told.
    """
    from .services.batches import start_chunk
    from .services.errors import Unavailable
    try:
        return start_chunk(process_key, items, username, chunk_key)
    except Unavailable as error:
        raise self.retry(exc=error)


@celery_app.task(name=SEND_NOTIFICATION_MAIL, bind=True, max_retries=5, default_retry_delay=60)
def send_notification_mail(self, notification_id: int) -> bool:
    """Mail one notification (services.mail queues it after the commit). Idempotent: a notification already
    mailed is not mailed again. An SMTP server away is tried again a minute later, five times."""
    try:
        return mail.deliver(notification_id)
    except mail.MailNotDelivered as error:
        raise self.retry(exc=error)


@celery_app.task(name=BUILD_NPC_PACKAGE)
def build_npc_package(package_id: int) -> str | None:
    """Build a year's 报送人大材料包 (services/npc_package.py): progress on its row, the PDF kept with its
    SHA-256. Idempotent: a package already built is not built again."""
    from .services.npc_package import build
    return build(package_id)
