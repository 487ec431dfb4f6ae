"""The audit trail is tamper-evident: `audit verify` names the first event edited or deleted."""
from __future__ import annotations

from sqlalchemy import text

from workflow_app.extensions import db

from .helpers import RSJ, project_id, start


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _some_history(app, api) -> None:
    start(api("jxk"), "test_approval", {}, project_id(app, RSJ))
    filer = api("rsj_filer")
    filer.complete(filer.tasks("group")[0]["id"], {"text": "材料"})


def test_an_untouched_chain_verifies(app, api):
    _some_history(app, api)
    result = _verify(app)
    assert result.exit_code == 0 and "audit chain ok" in result.output


def test_an_edited_event_is_named(app, api):
    _some_history(app, api)
    with app.app_context():
        seq = db.session.execute(text("SELECT seq FROM audit_events WHERE action = 'complete'")).scalar_one()
        db.session.execute(text("UPDATE audit_events SET actor = 'someone_else' WHERE action = 'complete'"))
        db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and f"event {seq}" in result.output and "修改" in result.output


def test_a_deleted_event_is_named(app, api):
    _some_history(app, api)
    with app.app_context():
        seq = db.session.execute(text("SELECT seq FROM audit_events WHERE action = 'start'")).scalar_one()
        db.session.execute(text("DELETE FROM audit_events WHERE action = 'start'"))
        db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and f"event {seq}" in result.output and "缺失" in result.output


def test_deleting_the_last_event_is_noticed(app, api):
    _some_history(app, api)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)"))
        db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1 and "链尾不符" in result.output
