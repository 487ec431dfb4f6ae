"""Performance goals (绩效目标): immutable versions with their indicators, review opinions, and the
review record of one goal-review instance."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

LEVELS: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
OPERATORS = (">=", "<=", "=", "定性")
GRADES = ("优", "良", "中", "差")


class GoalVersion(db.Model):
    """One submission of a project's goals (一上 or 二上). Never changed after it is written."""

    __tablename__ = "goal_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    number: Mapped[int]
    round: Mapped[str] = mapped_column(String(8))  # 一上 | 二上
    overall_goal: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicators: Mapped[list[Indicator]] = relationship(order_by="Indicator.position", lazy="selectin")


class Indicator(db.Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_version_id: Mapped[int] = mapped_column(ForeignKey("goal_versions.id"), index=True)
    position: Mapped[int]
    level1: Mapped[str] = mapped_column(String(20))
    level2: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(4))
    target: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # A quantitative target below zero is refused unless the filer declared it (e.g. a rate to lower).
    allow_negative: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.name)


class GoalReview(db.Model):
    """What one goal-review instance decided: control number, suggestion, grade, approved version."""

    __tablename__ = "goal_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    round_no: Mapped[int] = mapped_column(default=1)   # joint review rounds (a 中 adds one)
    experts: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    review_score: Mapped[float | None]
    suggested_grade: Mapped[str | None] = mapped_column(String(2))
    grade: Mapped[str | None] = mapped_column(String(2))
    override_reason: Mapped[str | None] = mapped_column(Text)
    control_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    approved_version_id: Mapped[int | None] = mapped_column(ForeignKey("goal_versions.id"))
    outcome: Mapped[str | None] = mapped_column(String(10))  # approved | rejected


class ReviewOpinion(db.Model):
    """An opinion given in a goal review (sign-off, formal check, the three reviewers, consolidation, final)."""

    __tablename__ = "review_opinions"
    __table_args__ = (Index("ix_review_opinions_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("human_tasks.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    goal_version_id: Mapped[int | None] = mapped_column(ForeignKey("goal_versions.id"))
    round_no: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(64))
    reviewer_name: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str | None] = mapped_column(String(2))
    decision: Mapped[bool | None]
    opinion: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    total: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
