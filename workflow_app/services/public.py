"""Disclosure (信息公开): approved goals, published with the department budget. No login needed."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Department, GoalReview, GoalVersion, Project


def approved_goals(fiscal_year: int | None = None, department_code: str | None = None
                   ) -> list[tuple[Project, GoalVersion]]:
    query = (select(Project, GoalVersion)
             .join(GoalReview, GoalReview.project_id == Project.id)
             .join(GoalVersion, GoalVersion.id == GoalReview.approved_version_id)
             .where(GoalReview.outcome == "approved"))
    if fiscal_year is not None:
        query = query.where(Project.fiscal_year == fiscal_year)
    if department_code:
        query = query.join(Department, Department.id == Project.department_id).where(Department.code == department_code)
    rows = db.session.execute(query.order_by(Project.fiscal_year.desc(), Project.code, GoalReview.id.desc())).all()
    latest: dict[int, tuple[Project, GoalVersion]] = {}
    for project, version in rows:
        latest.setdefault(project.id, (project, version))  # the most recent approval of each project
    return list(latest.values())


def published_departments() -> list[Department]:
    return list(db.session.scalars(
        select(Department).where(Department.id.in_(
            select(Project.department_id).join(GoalReview, GoalReview.project_id == Project.id)
            .where(GoalReview.outcome == "approved"))).order_by(Department.code)))


def published_years() -> list[int]:
    return sorted(set(db.session.scalars(
        select(Project.fiscal_year).join(GoalReview, GoalReview.project_id == Project.id)
        .where(GoalReview.outcome == "approved"))), reverse=True)
