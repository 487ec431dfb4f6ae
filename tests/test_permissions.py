"""One authorization authority (services/policy.py: named permissions) and roles in their own table.

The authorization matrix (test_authorization_matrix.py) says who gets what from every route; this file keeps
the design that produces it: nothing outside policy asks for a role, every permission asked for exists, and
roles live in user_roles, arrive with their user in one statement and survive the migration both ways."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, select, text

from workflow_app.extensions import db
from workflow_app.models import Project, User, UserRole
from workflow_app.services import policy
from workflow_app.services.errors import Forbidden, NotFound
from workflow_app.services.org import create_user

APP = Path(__file__).resolve().parent.parent / "workflow_app"
# Where authorization is asked for: services, pages, API, templates. policy.py is the one place that decides.
SCANNED = [APP / "services", APP / "web", APP / "api", APP / "templates"]
POLICY = APP / "services" / "policy.py"
# Role checks that must stay outside policy, with the reason (none today: keep it that way).
ALLOWED_ROLE_CHECKS: dict[str, str] = {}


def _sources() -> list[Path]:
    return [p for folder in SCANNED for p in sorted(folder.rglob("*")) if p.suffix in (".py", ".html")]


def test_no_role_checks_outside_policy():
    found = []
    for path in _sources():
        if path == POLICY:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bhas_role\(|roles_csv", line):
                where = f"{path.relative_to(APP)}:{number}"
                if where not in ALLOWED_ROLE_CHECKS:
                    found.append(f"{where}: {line.strip()}")
    assert not found, "ask policy.may(actor, '<permission>') instead of checking roles:\n" + "\n".join(found)


def test_every_permission_asked_for_is_defined():
    asked = set()
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        asked |= set(re.findall(r"""\b(?:may|require)\([^()'"]*?['"]([a-z_]+)['"]""", source))
    assert asked, "the scan found no permission at all: the pattern is broken"
    assert asked <= set(policy.PERMISSIONS), sorted(asked - set(policy.PERMISSIONS))


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_may_and_require(ctx):
    jxk, filer, other = _user("jxk"), _user("rsj_filer"), _user("slj_filer")
    project = db.session.scalars(select(Project).where(Project.department_id == filer.department_id)).first()
    assert policy.may(jxk, "see_dashboard") and not policy.may(filer, "see_dashboard")
    assert policy.may(filer, "start_goal_review", project) and not policy.may(jxk, "start_goal_review", project)
    assert not policy.may(AnonymousUserMixin(), "see_rectification_board")  # a template before login
    assert not policy.may(None, "see_project", project)
    # What one may not see is not found (nothing leaks); what one sees but may not do is forbidden.
    with pytest.raises(NotFound, match="页面不存在"):
        policy.require(filer, "see_dashboard")
    with pytest.raises(NotFound, match="项目不存在"):
        policy.require(other, "see_project", project)
    with pytest.raises(Forbidden, match="只有绩效科可以下达整改通知"):
        policy.require(filer, "open_rectification")
    with pytest.raises(Forbidden, match="另一句话"):
        policy.require(filer, "start_process", message="另一句话")
    policy.require(jxk, "start_process")
    with pytest.raises(KeyError, match="no_such_permission"):
        policy.may(jxk, "no_such_permission")
    with pytest.raises(ValueError, match="twice"):
        policy.define("see_dashboard", NotFound, "x")(lambda user, obj: True)


def test_roles_are_rows_of_user_roles(ctx):
    user = create_user("rsj_both", "long-enough-1", ["department_head", "department_filer"], "rsj", "综合")
    db.session.commit()
    rows = db.session.execute(select(UserRole.role).where(UserRole.user_id == user.id).order_by(UserRole.role))
    assert [r for r, in rows] == ["department_filer", "department_head"]
    user.roles = ["department_head", "expert"]     # one kept, one dropped, one added: no duplicate key
    db.session.commit()
    db.session.expunge_all()
    again = _user("rsj_both")
    assert again.roles == ["department_head", "expert"] and again.has_role("expert", "admin")
    assert not again.has_role("department_filer")
    holders = set(db.session.scalars(select(User.username).where(User.holding("expert"))))
    assert "rsj_both" in holders and "rsj_filer" not in holders


def test_a_user_arrives_with_its_roles_in_one_statement(app, ctx):
    user_id = _user("jxk").id
    db.session.expunge_all()
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        user = db.session.get(User, user_id)
        assert user.roles == ["performance_section"] and policy.may(user, "see_dashboard")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 1, seen


def test_the_migration_keeps_roles_both_ways(app):
    with app.app_context():
        create_user("rsj_both", "long-enough-1", ["department_head", "department_filer"], "rsj", "综合")
        db.session.commit()
        db.session.remove()
        downgrade(revision="c0ffee600006")
        db.session.remove()
        with db.engine.connect() as conn:
            column = dict(conn.execute(text("SELECT username, roles FROM users")).all())
        assert column["rsj_both"] == "department_filer,department_head"
        assert column["jxk"] == "performance_section"
        upgrade()
        db.session.remove()
        assert _user("rsj_both").roles == ["department_filer", "department_head"]
        assert _user("jxk").roles == ["performance_section"]
        db.session.remove()
