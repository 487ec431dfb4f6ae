"""Fixtures: the app on a real database (SQLite by default, PostgreSQL when TEST_DATABASE_URL names one),
the demo county, and API/page clients logged in as each kind of user."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from workflow_app import create_app
from workflow_app.engine import SPEC_CACHE
from workflow_app.extensions import db, limiter
from workflow_app.services.demo import DEMO_PASSWORD, seed_demo
from workflow_app.services.deployment import forget_deployments

TESTS = Path(__file__).parent
_tmp = tempfile.mkdtemp(prefix="wf-tests-")


def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp}/test.sqlite"


@pytest.fixture(scope="session")
def app():
    os.environ.setdefault("BPMN_DIRS", str(TESTS / "bpmn"))
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _normalise(database_url()),
        "CELERY_EAGER": True,
        "EXPERT_DRAW_SEED": "42",
        "UPLOAD_DIR": f"{_tmp}/uploads",
        "SECRET_KEY": "test-secret",
    })
    with application.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    yield application


def _normalise(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@pytest.fixture(autouse=True)
def clean_db(app):
    """Every test starts from an empty database with the demo county loaded."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
                # Deleting tasks logged their queues' -1s (the triggers); the log starts empty too.
                conn.execute(text("DELETE FROM group_queue_sizes"))
        forget_deployments()
        SPEC_CACHE.clear()
        limiter.reset()
        seed_demo()
        db.session.remove()
    yield


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class ApiClient:
    """A test client that speaks the JSON API as one user."""

    def __init__(self, client, username: str | None = None, password: str = DEMO_PASSWORD) -> None:
        self.client = client
        self.token = None
        self.username = username
        if username:
            response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self.token = response.get_json()["token"]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **kw: Any):
        return self.client.get(path, headers=self._headers(), **kw)

    def post(self, path: str, json: Any = None, **kw: Any):
        return self.client.post(path, json=json, headers=self._headers(), **kw)

    def put(self, path: str, json: Any = None, **kw: Any):
        return self.client.put(path, json=json, headers=self._headers(), **kw)

    def delete(self, path: str, **kw: Any):
        return self.client.delete(path, headers=self._headers(), **kw)

    # conveniences used across tests
    def tasks(self, scope: str = "mine", **params: Any) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={v}" for k, v in {"scope": scope, **params}.items())
        response = self.get(f"/api/v1/tasks?{query}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    def task_named(self, name: str, scope: str = "mine", **params: Any) -> dict[str, Any]:
        found = [t for t in self.tasks(scope, **params) + (self.tasks("group", **params) if scope == "mine" else [])
                 if t["name"] == name]
        assert found, f"{self.username} has no task {name}"
        return found[0]

    def complete(self, task_id: int, data: dict[str, Any]):
        return self.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})


@pytest.fixture
def api(app):
    def make(username: str | None = None, password: str = DEMO_PASSWORD) -> ApiClient:
        return ApiClient(app.test_client(), username, password)
    return make


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture
def browser(app):
    """A page client logged in through the real login form."""
    def make(username: str, password: str = DEMO_PASSWORD):
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return make
