"""The project library (项目库)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update

from ..extensions import db
from ..models import Department, FundSource, Project, ProjectKind, User
from . import audit, policy
from .errors import Conflict, Invalid, NotFound
from .transaction import transactional


def department_by_code(code: Any) -> Department | None:
    if not isinstance(code, str):
        return None
    return db.session.scalars(select(Department).where(Department.code == code)).first()


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """万元 with at most two places, positive."""
    if isinstance(value, bool) or value in (None, ""):
        raise Invalid("金额必填", {field: ["必填，单位万元"]})
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise Invalid("金额必须是数字", {field: ["必须是数字（万元）"]}) from error
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise Invalid("金额必须大于零", {field: ["必须大于零"]})
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("金额最多两位小数", {field: ["最多两位小数（万元）"]})
    return amount


@transactional
def create_project(actor: User, payload: dict[str, Any]) -> Project:
    errors: dict[str, list[str]] = {}
    code, name = payload.get("code"), payload.get("name")
    if not isinstance(code, str) or not code.strip() or len(code) > 40:
        errors["code"] = ["必填，最多40个字符"]
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors["name"] = ["必填，最多200个字符"]
    department = department_by_code(payload.get("department"))
    if department is None:
        errors["department"] = ["部门不存在"]
    competent = None
    if payload.get("competent_department") not in (None, ""):
        competent = department_by_code(payload.get("competent_department"))
        if competent is None:
            errors["competent_department"] = ["主管部门不存在"]
    year = payload.get("fiscal_year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["fiscal_year"] = ["必须是 2000–2100 之间的年份"]
    fund_source = payload.get("fund_source", FundSource.GENERAL.value)
    if fund_source not in {f.value for f in FundSource}:
        errors["fund_source"] = ["只能是 general、fund 或 state_capital"]
    kind = payload.get("kind", ProjectKind.PROJECT.value)
    if kind not in {k.value for k in ProjectKind}:
        errors["kind"] = ["只能是 project 或 policy"]
    try:
        amount = parse_amount(payload.get("amount"))
    except Invalid as error:
        errors.update(error.fields)
        amount = None
    if errors:
        raise Invalid("项目信息有误", errors)
    assert department is not None and amount is not None
    policy.require(actor, "create_project", department.id)
    exists = db.session.scalar(select(func.count()).select_from(Project).where(
        Project.code == code.strip(), Project.fiscal_year == year))
    if exists:
        raise Conflict(f"{year} 年度已有编码为 {code} 的项目")
    project = Project(code=code.strip(), name=name.strip(), department_id=department.id, department=department,
                      competent_department_id=competent.id if competent else None, competent_department=competent,
                      fiscal_year=year, amount=amount, fund_source=fund_source, kind=kind,
                      is_new=bool(payload.get("is_new", True)), created_by_id=actor.id)
    db.session.add(project)
    db.session.flush()
    audit.record("project_created", actor, object_type="project", object_id=project.id,
                 after={"code": project.code, "name": project.name, "amount": str(amount)})
    return project


def get_project(actor: User, project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("项目不存在")
    policy.require(actor, "see_project", project)
    return project


def lock_project(project: Project) -> None:
    """Take the project row's write lock, so that two starts at the same moment cannot both pass a "none
    running yet" check made after it."""
    db.session.execute(update(Project).where(Project.id == project.id).values(goal_status=Project.goal_status))


@dataclass
class ProjectPage:
    items: list[Project]
    total: int


SEARCH_LIMIT = 100


def search_clause(q: str | None) -> ColumnElement[bool] | None:
    """A part of the name or code, case-insensitive, its own % and _ taken literally; None for no search."""
    text = (q or "").strip()
    if not text:
        return None
    if len(text) > SEARCH_LIMIT:
        raise Invalid(f"搜索词不超过{SEARCH_LIMIT}字", {"q": [f"不超过{SEARCH_LIMIT}字"]})
    from .tasks import like_pattern
    pattern = like_pattern(text)
    return or_(Project.name.ilike(pattern, escape="\\"), Project.code.ilike(pattern, escape="\\"))


def list_projects(actor: User, *, fiscal_year: int | None = None, department: str | None = None,
                  q: str | None = None, limit: int = 50, offset: int = 0) -> ProjectPage:
    conditions = [policy.visible_projects_clause(actor)]
    search = search_clause(q)
    if search is not None:
        conditions.append(search)
    if fiscal_year is not None:
        conditions.append(Project.fiscal_year == fiscal_year)
    if department:
        dept = department_by_code(department)
        if dept is None:
            return ProjectPage([], 0)
        conditions.append(Project.department_id == dept.id)
    total = db.session.scalar(select(func.count()).select_from(Project).where(*conditions)) or 0
    items = list(db.session.scalars(select(Project).where(*conditions)
                                    .order_by(Project.fiscal_year.desc(), Project.code).limit(limit).offset(offset)))
    return ProjectPage(items, total)


def search_choices(actor: User) -> tuple[list[Department], list[int]]:
    """The departments and years of the projects this user may see: the choices of the library's search."""
    visible = policy.visible_projects_clause(actor)
    departments = list(db.session.scalars(select(Department).where(Department.id.in_(
        select(Project.department_id).where(visible))).order_by(Department.code)))
    years = list(db.session.scalars(select(Project.fiscal_year).where(visible).distinct()
                                    .order_by(Project.fiscal_year.desc())))
    return departments, years
