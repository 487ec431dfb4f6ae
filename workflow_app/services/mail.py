"""Mailing notifications: queued as a background job once the unit of work that wrote them has committed,
and delivered by that job.

The job is queued only after the commit (an after-commit hook of the unit of work): a worker must never
look for a notification that a rolled-back transaction never wrote. The job is looked up by name on the
Celery app, so services never import the worker module (which imports them).
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from ..celery_app import SEND_NOTIFICATION_MAIL, celery_app
from ..extensions import db
from ..models import Notification, User
from ..models.types import utcnow
from .transaction import after_commit


class MailNotDelivered(Exception):
    """The SMTP server could not be reached or refused the message; the job tries again later."""


def queue_mail_for(notifications: list[Notification] | list[int]) -> None:
    """Mail these notifications (objects, or ids of rows already written) once the unit of work commits."""
    if not current_app.config.get("SMTP_HOST") or not notifications:
        return
    after_commit(lambda: _queue_jobs(notifications))


def _queue_jobs(notifications: list[Notification] | list[int]) -> None:
    job = celery_app.tasks[SEND_NOTIFICATION_MAIL]
    for note in notifications:
        job.delay(note if isinstance(note, int) else note.id)


def deliver(notification_id: int) -> bool:
    """Mail one notification and mark it mailed. Idempotent: a notification already mailed is not mailed
    again (delivery of jobs is at least once). False when there is nothing to send."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.mailed_at is not None:
        return False
    user = db.session.get(User, note.user_id)
    if user is None or not user.email:
        return False
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email
    message["Subject"] = f"[预算绩效管理] {note.message[:60]}"
    message.set_content(f"{user.name}，您好：\n\n{note.message}\n\n请登录预算绩效管理系统办理。")
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotDelivered(str(error)) from error
    note.mailed_at = utcnow()
    db.session.commit()
    return True
