"""财政重点评价 (key evaluation) of a project by a commissioned third-party agency (财预〔2020〕10号).

One evaluation per instance of the `key_evaluation` process. The performance section selects the project and
commissions an agency (a user with role third_party), with an indicator tree (决策/过程/产出/效益, 100 points)
it may edit until the agency has scored; the agency scores every indicator and writes its findings and report;
the performance section reviews the agency's work, the department may object, and the performance section
finalises score and grade. The result goes to the department, to rectification and to next year's budget.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .project import Project
from .types import UTCDateTime, utcnow

# The four first-level dimensions of 10号附件2, in the order of the score table.
DIMENSIONS: tuple[str, ...] = ("决策", "过程", "产出", "效益")
# 产出 + 效益 weigh at least 60 % of the 100 points (10号).
RESULT_DIMENSIONS: tuple[str, ...] = ("产出", "效益")
RESULT_MIN_SHARE = Decimal(60)
TOTAL_POINTS = Decimal(100)

# The default indicator tree: 10号附件2's framework (一级/二级/三级), with the points most county and provincial
# schemes give it (决策 20, 过程 20, 产出 30, 效益 30). The performance section adapts it per evaluation.
DEFAULT_TREE: list[dict[str, Any]] = [
    {"dimension": "决策", "level2": "项目立项", "name": "立项依据充分性", "points": 3},
    {"dimension": "决策", "level2": "项目立项", "name": "立项程序规范性", "points": 3},
    {"dimension": "决策", "level2": "绩效目标", "name": "绩效目标合理性", "points": 4},
    {"dimension": "决策", "level2": "绩效目标", "name": "绩效指标明确性", "points": 4},
    {"dimension": "决策", "level2": "资金投入", "name": "预算编制科学性", "points": 3},
    {"dimension": "决策", "level2": "资金投入", "name": "资金分配合理性", "points": 3},
    {"dimension": "过程", "level2": "资金管理", "name": "资金到位率", "points": 4},
    {"dimension": "过程", "level2": "资金管理", "name": "预算执行率", "points": 4},
    {"dimension": "过程", "level2": "资金管理", "name": "资金使用合规性", "points": 4},
    {"dimension": "过程", "level2": "组织实施", "name": "管理制度健全性", "points": 4},
    {"dimension": "过程", "level2": "组织实施", "name": "制度执行有效性", "points": 4},
    {"dimension": "产出", "level2": "产出数量", "name": "实际完成率", "points": 10},
    {"dimension": "产出", "level2": "产出质量", "name": "质量达标率", "points": 8},
    {"dimension": "产出", "level2": "产出时效", "name": "完成及时性", "points": 6},
    {"dimension": "产出", "level2": "产出成本", "name": "成本节约率", "points": 6},
    {"dimension": "效益", "level2": "项目效益", "name": "社会效益", "points": 10},
    {"dimension": "效益", "level2": "项目效益", "name": "经济效益", "points": 5},
    {"dimension": "效益", "level2": "项目效益", "name": "生态效益", "points": 5},
    {"dimension": "效益", "level2": "项目效益", "name": "可持续影响", "points": 4},
    {"dimension": "效益", "level2": "满意度", "name": "服务对象满意度", "points": 6},
]


class KeyEvaluationStatus(str, enum.Enum):
    SCORING = "scoring"          # commissioned: the agency scores (again, when returned)
    REVIEWING = "reviewing"      # the performance section reviews the agency's work
    FEEDBACK = "feedback"        # the department may object (反馈意见) until the deadline
    FINALISING = "finalising"    # the performance section finalises score and grade
    FINISHED = "finished"


STATUS_LABELS: dict[str, str] = {"scoring": "第三方评价中", "reviewing": "绩效科审核中", "feedback": "部门反馈中",
                                 "finalising": "绩效科定稿中", "finished": "已完成"}


class KeyEvaluation(db.Model):
    __tablename__ = "key_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    # The commissioned agency: the third-party user who scores (the only outsider who sees the evaluation).
    agency: Mapped[str] = mapped_column(String(64), index=True)
    agency_name: Mapped[str] = mapped_column(String(200))
    # The indicator tree: [{"code", "dimension", "level2", "name", "points", "score", "comment"}], 100 points.
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The agency's work: method, findings (存在的问题, one per entry), conclusion, experience, suggestions.
    method: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    experience: Mapped[str] = mapped_column(Text, default="")
    suggestions: Mapped[str] = mapped_column(Text, default="")
    report_attachment_ids: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    agency_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The department's 反馈意见: None until it answers (or the deadline passes: waived).
    objection: Mapped[bool | None] = mapped_column(Boolean)
    objection_text: Mapped[str] = mapped_column(Text, default="")
    # The performance section's final word.
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    grade: Mapped[str | None] = mapped_column(String(2))
    adjust_reason: Mapped[str] = mapped_column(Text, default="")
    reduce_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id"))
    status: Mapped[str] = mapped_column(String(12), default=KeyEvaluationStatus.SCORING.value)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(lazy="joined")
    opinions: Mapped[list[KeyEvaluationOpinion]] = relationship(order_by="KeyEvaluationOpinion.id", lazy="selectin")

    def dimension_totals(self, key: str = "points") -> dict[str, Decimal]:
        """Points (or scores) per dimension, in the order of DIMENSIONS."""
        totals = {d: Decimal(0) for d in DIMENSIONS}
        for row in self.indicators or []:
            value = row.get(key)
            if value is not None:
                totals[row["dimension"]] += Decimal(str(value))
        return totals


class KeyEvaluationOpinion(db.Model):
    """What one step said: the review of the agency's work, the department's feedback, the finalisation."""

    __tablename__ = "key_evaluation_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("key_evaluations.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    kind: Mapped[str] = mapped_column(String(20))     # review | feedback | finalise
    author: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyEvaluationMark(db.Model):
    """The performance section's selection marks on a project: 社会关注度高, 覆盖面广."""

    __tablename__ = "key_evaluation_marks"
    __table_args__ = (UniqueConstraint("project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    public_concern: Mapped[bool] = mapped_column(default=False)
    wide_coverage: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


__all__ = ["DEFAULT_TREE", "DIMENSIONS", "KeyEvaluation", "KeyEvaluationMark", "KeyEvaluationOpinion",
           "KeyEvaluationStatus", "STATUS_LABELS"]
