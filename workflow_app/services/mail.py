"""Mailing notifications through Celery once the transaction that created them has committed.

The job is queued only after the commit: a worker must never look for a notification that a
rolled-back transaction never wrote.
"""
from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import Notification

_PENDING_KEY = "pending_mail_notifications"


def queue_mail_for(notifications: list[Notification] | list[int]) -> None:
    """Mail these notifications (objects, or ids of rows already written) once the transaction commits."""
    if not current_app.config.get("SMTP_HOST"):
        return
    db.session().info.setdefault(_PENDING_KEY, []).extend(notifications)


def discard_pending() -> None:
    db.session().info.pop(_PENDING_KEY, None)


def send_pending() -> None:
    pending = db.session().info.pop(_PENDING_KEY, [])
    if not pending:
        return
    from ..worker import send_notification_mail
    for note in pending:
        send_notification_mail.delay(note if isinstance(note, int) else note.id)
