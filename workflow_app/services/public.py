"""Disclosure (信息公开) of approved goals: the public goals page (no login) shows the goal tables published with
the department budget, and nothing else: an approved goal not (yet) marked 公开, or marked 不公开, is not there.
The publish decisions are services/publication.py's; the portal of every published kind is /public."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Department, GoalVersion, Project, Publication
from . import goal_table


def _published_ids() -> set[int]:
    return set(db.session.scalars(select(Publication.object_id).where(
        Publication.kind == goal_table.KIND, Publication.published.is_(True))))


def approved_goals(fiscal_year: int | None = None, department_code: str | None = None
                   ) -> list[tuple[Project, GoalVersion]]:
    published = _published_ids()
    return [(t.project, t.version) for t in goal_table.approved_tables(fiscal_year)
            if t.review.id in published and (not department_code or t.project.department.code == department_code)]


def published_departments() -> list[Department]:
    ids = {project.department_id for project, _version in approved_goals()}
    return list(db.session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.code)))


def published_years() -> list[int]:
    return sorted({project.fiscal_year for project, _version in approved_goals()}, reverse=True)
