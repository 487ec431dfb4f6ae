"""结果应用: what an evaluation result means for a project's next budget (优先保障 / 维持 / 核减 / 取消)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .project import Project
from .types import UTCDateTime, utcnow


class ResultApplication(db.Model):
    """One evaluation's decision for a project's budget of `budget_year` (the year after the evaluated one).

    One row per project, budget year and source; a later result of the same source replaces the row. Which row
    counts is the source's precedence (services/result_application.py): 重点评价 over 财政复核 over 单位自评.
    """

    __tablename__ = "result_applications"
    __table_args__ = (UniqueConstraint("project_id", "budget_year", "source"),
                      Index("ix_result_applications_year_department", "budget_year", "department_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    evaluated_year: Mapped[int] = mapped_column(index=True)   # the project's fiscal year that was evaluated
    budget_year: Mapped[int]                                  # the budget the decision is for
    source: Mapped[str] = mapped_column(String(20))           # self_evaluation | recheck | key_evaluation
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    grade: Mapped[str] = mapped_column(String(2))             # 优 | 良 | 中 | 差
    decision: Mapped[str] = mapped_column(String(10))         # priority | maintain | reduce | cancel
    reduce_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))   # 万元, with 核减
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(lazy="joined")
