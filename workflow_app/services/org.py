"""Departments and users (operator commands and the demo seed use these)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Department, Role, User
from . import audit
from .errors import Conflict, Invalid


def _department(code: str, what: str) -> Department:
    department = db.session.scalars(select(Department).where(Department.code == code)).first()
    if department is None:
        raise Invalid(f"{what} {code} 不存在")
    return department


def set_business_section(code: str, section_code: str | None) -> Department:
    """Name the finance business section (对口业务科室) whose queue gets the department's finance tasks;
    None: every finance section's queue. Tasks already waiting keep their queue."""
    department = _department(code, "部门")
    section = _department(section_code, "业务科室") if section_code else None
    if section is not None and section.id == department.id:
        raise Invalid("部门不能是自己的对口业务科室")
    before = department.business_section.code if department.business_section else None
    department.business_section = section
    db.session.flush()
    audit.record("department_business_section", None, object_type="department", object_id=code,
                 before={"business_section": before}, after={"business_section": section_code or None})
    return department


def create_department(code: str, name: str, parent_code: str | None = None,
                      business_section_code: str | None = None) -> Department:
    if not code or not name:
        raise Invalid("部门编码和名称必填")
    if db.session.scalars(select(Department).where(Department.code == code)).first():
        raise Conflict(f"部门 {code} 已存在")
    parent = None
    if parent_code:
        parent = db.session.scalars(select(Department).where(Department.code == parent_code)).first()
        if parent is None:
            raise Invalid(f"上级部门 {parent_code} 不存在")
    section = _department(business_section_code, "业务科室") if business_section_code else None
    department = Department(code=code, name=name, parent=parent, business_section=section)
    db.session.add(department)
    db.session.flush()
    audit.record("department_created", None, object_type="department", object_id=code,
                 after={"name": name, "business_section": business_section_code or None})
    return department


def create_user(username: str, password: str, roles: list[str], department_code: str | None = None,
                name: str | None = None, email: str | None = None, *, password_hash: str | None = None) -> User:
    unknown = [r for r in roles if r not in Role.values()]
    if unknown:
        raise Invalid(f"未知角色：{', '.join(unknown)}（可选：{', '.join(Role.values())}）")
    if not roles:
        raise Invalid("至少需要一个角色")
    if len(password) < 8:
        raise Invalid("密码至少 8 位")
    if db.session.scalars(select(User).where(User.username == username)).first():
        raise Conflict(f"用户 {username} 已存在")
    department = None
    if department_code:
        department = db.session.scalars(select(Department).where(Department.code == department_code)).first()
        if department is None:
            raise Invalid(f"部门 {department_code} 不存在")
    user = User(username=username, name=name or username, department=department, email=email)
    user.roles = roles
    if password_hash:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", None, object_type="user", object_id=username,
                 after={"roles": user.roles, "department": department_code})
    return user
