"""单位自评 (project self-evaluation) rounds, the 自评表 of each project, and its 财政复核 (finance re-check)."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .project import Project
from .types import UTCDateTime, utcnow


class SelfEvaluationStatus(str, enum.Enum):
    FILLING = "filling"        # the department fills the 自评表
    SIGNING = "signing"        # the head signs it off
    SUBMITTED = "submitted"    # with finance: the department's score counts
    RECHECKED = "rechecked"    # finance re-scored it: finance's score counts


STATUS_LABELS = {"filling": "填报中", "signing": "待部门负责人审核", "submitted": "已报送财政", "rechecked": "已复核"}
RECHECK_REASONS = {"sampled": "随机抽取", "flagged": "自评满分且未反映问题", "chosen": "绩效科指定"}


class EvaluationRound(db.Model):
    """One year's self-evaluation round: the projects of `fiscal_year` with approved goals from `min_amount` on."""

    __tablename__ = "evaluation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(unique=True)
    min_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    projects: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The latest re-check draw (the seed is typed by the performance section, so the draw can be repeated).
    sample_seed: Mapped[str | None] = mapped_column(String(64))
    sample_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    sample_count: Mapped[int | None]
    sampled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sampled_by: Mapped[str | None] = mapped_column(String(64))


class SelfEvaluation(db.Model):
    """The 自评表 of one project (财预〔2020〕10号 附件1) and, when drawn, finance's re-check of it.

    `rows` keeps each indicator of the approved goal version with the filer's figures: {level1, level2, name,
    category, operator, target, unit, weight, kind, actual, level, share, cause}; `breakdown` is the scoring
    module's result (services/evaluation_scoring.py) as the server computed it.
    """

    __tablename__ = "self_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    goal_version_id: Mapped[int | None] = mapped_column(ForeignKey("goal_versions.id"))
    status: Mapped[str] = mapped_column(String(12), default=SelfEvaluationStatus.FILLING.value)
    # Funds in 万元.
    initial_budget: Mapped[Decimal] = mapped_column(Numeric(14, 2))          # 年初预算数
    annual_budget: Mapped[Decimal] = mapped_column(Numeric(14, 2))           # 全年预算数
    executed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))         # 全年执行数
    executed_from_payments: Mapped[bool] = mapped_column(default=False)
    overall_goal: Mapped[str] = mapped_column(Text, default="")              # 年度总体目标 (预期)
    overall_actual: Mapped[str] = mapped_column(Text, default="")            # 实际完成情况
    problems: Mapped[str] = mapped_column(Text, default="")                  # 存在的问题及改进措施
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    evidence: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    grade: Mapped[str | None] = mapped_column(String(2))
    breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    flagged: Mapped[bool] = mapped_column(default=False)     # every row full marks and no problem named
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 财政复核
    recheck_reason: Mapped[str | None] = mapped_column(String(10))   # sampled | flagged | chosen (None: not drawn)
    # The re-check's own instance (process self_evaluation_recheck); unique: an evaluation is re-checked once.
    recheck_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    recheck_rows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    recheck_executed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    recheck_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    recheck_grade: Mapped[str | None] = mapped_column(String(2))
    recheck_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    score_gap: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # department's score − finance's
    recheck_opinion: Mapped[str | None] = mapped_column(Text)
    recheck_findings: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id"))
    rechecked_by: Mapped[str | None] = mapped_column(String(64))
    rechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(lazy="joined")
    round: Mapped[EvaluationRound] = relationship(lazy="joined")

    @property
    def final_score(self) -> Decimal | None:
        return self.recheck_score if self.recheck_score is not None else self.score

    @property
    def final_grade(self) -> str | None:
        return self.recheck_grade if self.recheck_grade is not None else self.grade
