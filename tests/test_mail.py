"""Notifications reach people by email through the background job when SMTP is configured (a real local
SMTP server, aiosmtpd, receives them)."""
from __future__ import annotations

import email
from email.header import decode_header, make_header
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import Notification

from .helpers import SLJ, project_id, start


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(SMTP_HOST="", SMTP_PORT=25)
        controller.stop()


def test_urge_is_mailed_once_to_the_candidate(app, api, smtp):
    start(api("jxk"), "test_approval", {}, project_id(app, SLJ))
    new_task_mails = len(smtp.messages)
    assert new_task_mails == 1 and smtp.messages[0]["To"] == "slj_filer@demo.example.gov.cn"
    task = api("slj_filer").tasks("group")[0]
    assert api("jxk").post(f"/api/v1/tasks/{task['id']}/urge", json={"message": "请本周完成"}).status_code == 200
    assert len(smtp.messages) == 2
    mail = smtp.messages[-1]
    assert mail["To"] == "slj_filer@demo.example.gov.cn"
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "请本周完成" in body
    assert "催办" in str(make_header(decode_header(mail["Subject"])))
    with app.app_context():
        urge = db.session.scalars(select(Notification).where(Notification.kind == "urge")).one()
        assert urge.mailed_at is not None
        from workflow_app.worker import send_notification_mail
        assert send_notification_mail.apply(args=[urge.id]).get() is False  # never mailed twice
    assert len(smtp.messages) == 2


def test_without_smtp_nothing_is_mailed(app, api):
    start(api("jxk"), "test_approval", {}, project_id(app, SLJ))
    with app.app_context():
        assert all(n.mailed_at is None for n in db.session.scalars(select(Notification)))
