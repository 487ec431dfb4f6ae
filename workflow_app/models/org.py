"""People and departments: who works here, in which department, with which roles."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ColumnElement, ForeignKey, FunctionElement, String, UniqueConstraint, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .types import UTCDateTime, utcnow


class Role(str, enum.Enum):
    """The roles of API.md; they are also the BPMN lane names."""

    DEPARTMENT_FILER = "department_filer"
    DEPARTMENT_HEAD = "department_head"
    FINANCE_BUSINESS = "finance_business"
    PERFORMANCE_SECTION = "performance_section"
    EXPERT = "expert"
    THIRD_PARTY = "third_party"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @classmethod
    def values(cls) -> list[str]:
        return [r.value for r in cls]


# Lanes whose role only counts inside the project's (or the named) department.
DEPARTMENT_SCOPED_ROLES = frozenset({Role.DEPARTMENT_FILER.value, Role.DEPARTMENT_HEAD.value})
# Lanes routed to the project department's business section (对口业务科室), or to every section without one.
SECTION_ROUTED_ROLES = frozenset({Role.FINANCE_BUSINESS.value})
# Roles that oversee every department's processes.
BUREAU_WIDE_ROLES = frozenset({Role.PERFORMANCE_SECTION.value, Role.ADMIN.value})


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # The finance bureau's business section (对口业务科室) that reviews this department's money: its finance
    # tasks go to that section's queue only. None: every finance section may take them.
    business_section_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    parent: Mapped[Department | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    business_section: Mapped[Department | None] = relationship(remote_side=[id], foreign_keys=[business_section_id])

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class UserRole(db.Model):
    """One role a user holds: the key (user, role) keeps each once; the index on role serves "everyone
    holding this role" (a lane's candidates, the expert pool, the supervisors)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class _role_codes(FunctionElement[str]):
    """A user's roles joined by commas in one column, so that a user (by itself, or joined to a token or a
    stand-in) arrives with its roles in the same statement: no extra query per request or per person."""

    type = String()
    inherit_cache = True


@compiles(_role_codes)
def _role_codes_default(element: _role_codes, compiler, **kw) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"  # SQLite


@compiles(_role_codes, "postgresql")
def _role_codes_postgresql(element: _role_codes, compiler, **kw) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship(lazy="joined")
    # The rows are read only to change them (`roles = [...]`); reading goes through `_role_list`.
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    _role_list: Mapped[str | None] = column_property(
        select(_role_codes(UserRole.role)).where(UserRole.user_id == id).correlate_except(UserRole)
        .scalar_subquery())

    @property
    def roles(self) -> list[str]:
        """The user's role codes, sorted. Authorization asks services/policy.py, never this list."""
        rows = self.__dict__.get("role_rows")
        if rows is not None:  # changed (or read) in this session: the rows are the truth until reloaded
            return sorted(r.role for r in rows)
        return sorted(r for r in (self._role_list or "").split(",") if r)

    @roles.setter
    def roles(self, values: list[str]) -> None:
        # Keep the rows that stay (deleting and re-inserting the same key would collide in one flush).
        wanted = set(values)
        rows = self.role_rows
        for row in [r for r in rows if r.role not in wanted]:
            rows.remove(row)
        rows.extend(UserRole(role=role) for role in sorted(wanted - {r.role for r in rows}))

    def has_role(self, *roles: str) -> bool:
        mine = self.roles
        return any(r in mine for r in roles)

    @classmethod
    def holding(cls, *roles: str) -> ColumnElement[bool]:
        """Users who hold any of these roles, as a condition for a query (one range of user_roles' role index)."""
        return cls.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles)))

    @property
    def department_code(self) -> str | None:
        return self.department.code if self.department else None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored, so a leaked database leaks no token."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
