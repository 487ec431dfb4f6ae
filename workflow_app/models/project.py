"""The project library (项目库): every project that spends county money."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Department
from .types import UTCDateTime, utcnow


class FundSource(str, enum.Enum):
    GENERAL = "general"          # 一般公共预算
    FUND = "fund"                # 政府性基金预算
    STATE_CAPITAL = "state_capital"  # 国有资本经营预算


class ProjectKind(str, enum.Enum):
    PROJECT = "project"
    POLICY = "policy"


class GoalStatus(str, enum.Enum):
    NONE = "none"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("code", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    competent_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    # 万元 with two places, never float.
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    fund_source: Mapped[str] = mapped_column(String(20), default=FundSource.GENERAL.value)
    kind: Mapped[str] = mapped_column(String(10), default=ProjectKind.PROJECT.value)
    is_new: Mapped[bool] = mapped_column(default=True)
    goal_status: Mapped[str] = mapped_column(String(12), default=GoalStatus.NONE.value)
    budget_decision: Mapped[str | None] = mapped_column(String(20))
    # 事前绩效评估结论 written back by the latest concluded ex-ante assessment (models/ex_ante.py):
    # support | partial | reject, None when never assessed. It gates the goal review of a new project.
    ex_ante_conclusion: Mapped[str | None] = mapped_column(String(12))
    ex_ante_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship(foreign_keys=[department_id], lazy="joined")
    competent_department: Mapped[Department | None] = relationship(
        foreign_keys=[competent_department_id], lazy="joined"
    )

    @property
    def authority_department(self) -> Department:
        """The competent department (主管部门); a project without one is its own authority."""
        return self.competent_department or self.department
