"""部门整体绩效 (whole-department performance): one yearly case per department.

The case carries the department's annual goals (整体绩效目标) as immutable versions, like a project's goal
versions: the overall goal, the department's budget total and the indicator rows of the indicator system
(履职效能: 产出/效益/满意度; 管理效率: 预算执行、结转结余、三公经费、政府采购、资产管理). After the year the
department self-evaluates against the approved version; the score comes from services/evaluation_scoring.py.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Department
from .types import UTCDateTime, utcnow

EFFICACY = "履职效能"
MANAGEMENT = "管理效率"
# 一级 → 二级 of the indicator system. 履职效能's three parts are scored separately (their share of its points
# is a setting); 管理效率 is scored as one category.
LEVELS: dict[str, tuple[str, ...]] = {
    EFFICACY: ("产出", "效益", "满意度"),
    MANAGEMENT: ("预算执行", "结转结余", "三公经费", "政府采购", "资产管理"),
}
OPERATORS = (">=", "<=", "=", "定性")

# The default 管理效率 indicators a new draft starts with (财预〔2013〕53号's 共性指标); the department may adjust them.
DEFAULT_MANAGEMENT_INDICATORS: tuple[dict[str, Any], ...] = (
    {"level1": MANAGEMENT, "level2": "预算执行", "name": "预算执行率", "operator": ">=", "target": "95",
     "unit": "%", "weight": Decimal(10)},
    {"level1": MANAGEMENT, "level2": "结转结余", "name": "结转结余率", "operator": "<=", "target": "5",
     "unit": "%", "weight": Decimal(5)},
    {"level1": MANAGEMENT, "level2": "三公经费", "name": "“三公经费”控制率", "operator": "<=", "target": "100",
     "unit": "%", "weight": Decimal(5)},
    {"level1": MANAGEMENT, "level2": "政府采购", "name": "政府采购执行率", "operator": ">=", "target": "95",
     "unit": "%", "weight": Decimal(5)},
    {"level1": MANAGEMENT, "level2": "资产管理", "name": "资产管理规范性", "operator": "定性",
     "target": "制度健全、账实相符", "unit": "", "weight": Decimal(5)},
)


def scoring_category(level1: str, level2: str) -> str:
    """The category an indicator is scored in: 产出/效益/满意度 inside 履职效能, 管理效率 as a whole."""
    return level2 if level1 == EFFICACY else MANAGEMENT


class CaseStatus(str, enum.Enum):
    GOALS = "goals"                  # the department drafts the annual goals (and the head signs off)
    GOALS_REVIEW = "goals_review"    # the performance section reviews them
    GOALS_APPROVED = "goals_approved"  # approved with the budget; the year runs
    EVALUATING = "evaluating"        # after the year: the department self-evaluates
    EVALUATION_REVIEW = "evaluation_review"  # the performance section confirms the self-evaluation
    FINISHED = "finished"


STATUS_LABELS: dict[str, str] = {
    CaseStatus.GOALS.value: "部门编制目标", CaseStatus.GOALS_REVIEW.value: "绩效科审核目标",
    CaseStatus.GOALS_APPROVED.value: "目标已批复", CaseStatus.EVALUATING.value: "部门自评",
    CaseStatus.EVALUATION_REVIEW.value: "绩效科确认自评", CaseStatus.FINISHED.value: "已完成",
}


class DepartmentPerformance(db.Model):
    __tablename__ = "department_performances"
    __table_args__ = (UniqueConstraint("department_id", "year", name="uq_department_performances_department_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.GOALS.value)
    # The version under review or approved (the latest written); its number, not a foreign key (the versions
    # point at the case).
    current_version: Mapped[int | None] = mapped_column()
    approved_version: Mapped[int | None] = mapped_column()
    # The self-evaluation: per indicator {"key": [l1, l2, name], "actual", "reason", "achievement"?}.
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    overall_actual: Mapped[str] = mapped_column(Text, default="")     # 年度总体目标实际完成情况
    executed_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))   # 全年执行数（万元）
    analysis: Mapped[str] = mapped_column(Text, default="")           # 绩效分析
    problems: Mapped[str] = mapped_column(Text, default="")           # 存在的问题
    improvements: Mapped[str] = mapped_column(Text, default="")       # 改进措施
    evidence: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))   # attachment ids (佐证材料)
    # The score: total, per category and per indicator (strings of exact decimals), and its grade.
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    grade: Mapped[str | None] = mapped_column(String(4))
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department] = relationship(lazy="joined")
    versions: Mapped[list[DepartmentGoalVersion]] = relationship(
        order_by="DepartmentGoalVersion.number.desc()", lazy="selectin", back_populates="case")
    opinions: Mapped[list[DepartmentPerformanceOpinion]] = relationship(
        order_by="DepartmentPerformanceOpinion.id", lazy="selectin")

    def version(self, number: int | None) -> DepartmentGoalVersion | None:
        return next((v for v in self.versions if v.number == number), None) if number else None


class DepartmentGoalVersion(db.Model):
    """One submission of the annual goals; never changed after it is written."""

    __tablename__ = "department_goal_versions"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_department_goal_versions_case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("department_performances.id"), index=True)
    number: Mapped[int] = mapped_column()
    round: Mapped[str | None] = mapped_column(String(10))    # 申报 | 修改
    overall_goal: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # the department's budget total (万元)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[DepartmentPerformance] = relationship(back_populates="versions")
    indicators: Mapped[list[DepartmentIndicator]] = relationship(order_by="DepartmentIndicator.position",
                                                                 lazy="selectin")


class DepartmentIndicator(db.Model):
    __tablename__ = "department_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("department_goal_versions.id"), index=True)
    position: Mapped[int] = mapped_column()
    level1: Mapped[str] = mapped_column(String(20))
    level2: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(4))
    target: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    # The project goal diff (services/goals.diff, templates/projects/_diff.html) reads these two.
    allow_negative = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.name)

    @property
    def category(self) -> str:
        return scoring_category(self.level1, self.level2)


class DepartmentPerformanceOpinion(db.Model):
    """What a review step said: the head's sign-offs, the performance section's goal review and confirmation."""

    __tablename__ = "department_performance_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("department_performances.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    kind: Mapped[str] = mapped_column(String(24))
    author: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
