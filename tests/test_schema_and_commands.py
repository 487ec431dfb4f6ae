"""The migrations give exactly the models' schema; the operator commands work and refuse bad input."""
from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import Department, Project, User


def test_migrations_match_the_models(app):
    """The session fixture built the schema with `db upgrade`; autogenerate must find nothing to do."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_departments_and_users_commands(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["departments", "create", "jyj", "县教育局", "--parent", "czj"])
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(args=["departments", "create", "jyj", "县教育局"])
    assert dup.exit_code != 0 and "已存在" in dup.output
    user = runner.invoke(args=["users", "create", "jyj_filer", "--password", "long-enough-1", "--role",
                               "department_filer", "--department", "jyj", "--name", "教育局 填报人"])
    assert user.exit_code == 0, user.output
    bad_role = runner.invoke(args=["users", "create", "x1", "--password", "long-enough-1", "--role", "king"])
    assert bad_role.exit_code != 0 and "未知角色" in bad_role.output
    bad_dept = runner.invoke(args=["users", "create", "x2", "--password", "long-enough-1", "--role", "expert",
                                   "--department", "nope"])
    assert bad_dept.exit_code != 0
    with app.app_context():
        created = db.session.scalars(select(User).where(User.username == "jyj_filer")).one()
        assert created.department.code == "jyj" and created.department.parent.code == "czj"
        assert created.check_password("long-enough-1")
        assert db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(["x1", "x2"]))) == 0


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "users +0" in result.output
    with app.app_context():
        names = set(db.session.scalars(select(Department.name)))
        assert {"县人力资源和社会保障局", "县水务局", "县统计局", "县畜牧兽医产业发展中心", "县残疾人联合会"} <= names
        assert db.session.scalar(select(func.count()).select_from(Project)) == 5
        roles = set()
        for user in db.session.scalars(select(User)):
            roles.update(user.roles)
        assert roles == {"department_filer", "department_head", "finance_business", "performance_section",
                         "expert", "third_party", "supervisor", "admin"}


def test_healthz(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_openapi_describes_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        path = re.sub(r"<int:\w+_id>", "{id}", rule.rule[len("/api/v1"):])
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in openapi.json"
