"""Small factories shared by the tests."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import Project


def project_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Project.id).where(Project.code == code)).one()


RSJ = "2027-RSJ-001"   # 县人力资源和社会保障局
SLJ = "2027-SLJ-001"   # 县水务局
XMZ = "2027-XMZ-001"   # 县畜牧兽医产业发展中心 (competent: 县农业农村局)


def start(api_client, key: str, data: dict[str, Any] | None = None, project: int | None = None):
    return api_client.post(f"/api/v1/processes/{key}/instances", json={"data": data or {}, "project_id": project})
