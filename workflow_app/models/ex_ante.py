"""事前绩效评估 (ex-ante performance assessment) of a new or continuing project or policy.

One assessment per instance of the `ex_ante` process. The department registers the item with its material
pack and self-assesses it on the five dimensions; the performance section reviews it with the business
section, drawn experts and optionally a third-party agency, scores it and records the conclusion, which is
then written to the project (项目库) and gates the project's goal review.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import LazyString, lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .attachment import Attachment
from .project import Project
from .types import UTCDateTime, utcnow


# The five dimensions of 中发〔2018〕34号, 20 points each, as two sub-items of 10 points (the retrieved county
# sheet splits 立项必要性 into 明确相关性 10 + 必要可行 10); codes are what the API and the stored grades use.
# Policy items (政策) carry the 市级办法's names of the same five dimensions.
DIMENSIONS: dict[str, dict[str, Any]] = {
    "necessity": {"name": "立项必要性", "policy_name": "政策设立必要性",
                  "items": {"relevance": "政策相关性", "need": "现实需求与必要性"}},
    "economy": {"name": "投入经济性", "policy_name": "政策保障充分性",
                "items": {"budget_basis": "预算编制科学性", "cost": "成本经济合理性"}},
    "goals": {"name": "绩效目标合理性", "policy_name": "政策目标合理性",
              "items": {"goal_fit": "目标明确相关", "indicators": "指标细化可衡量"}},
    "feasibility": {"name": "实施方案可行性", "policy_name": "政策实施可持续性",
                    "items": {"plan": "方案完整可行", "capacity": "组织保障与风险防控"}},
    "funding": {"name": "筹资合规性", "policy_name": "政策资金合规性",
                "items": {"sources": "资金来源合规", "sharing": "支出责任与分担合理"}},
}
DIMENSION_POINTS = 20
SUB_ITEM_POINTS = 10
# "necessity.relevance" → the sub-item's key in stored grades and in the API ("sub_grades").
SUB_ITEMS: tuple[str, ...] = tuple(f"{d}.{i}" for d, spec in DIMENSIONS.items() for i in spec["items"])
# The material pack (材料清单): the four the department must upload, then optional other papers.
REQUIRED_MATERIALS: dict[str, str] = {"application": "事前绩效评估申报书", "plan": "实施方案",
                                      "feasibility": "可行性研究报告", "budget_detail": "预算明细及测算说明"}
MATERIALS: dict[str, str] = {**REQUIRED_MATERIALS, "other": "其他材料"}
ITEM_KINDS: dict[str, str] = {"project": "项目", "policy": "政策"}
BASES: dict[str, str] = {"new": "新增", "continuing": "到期申请延续"}
CONCLUSION_LABELS: dict[str, str] = {"support": "予以支持", "partial": "部分支持", "reject": "不予支持"}


# --- the labels as pages show them ----------------------------------------------------------------------------
# The tables above stay plain Chinese: the API (conclusion_label, material labels) and the Excel report use them
# as they are. Pages and forms show them through this table, keyed by that Chinese label (the msgid is the
# label itself, written out literally for pybabel); tests/test_i18n.py checks that every label has an entry.
DISPLAY_LABELS: dict[str, LazyString] = {
    # item kinds, bases, conclusions
    "项目": _l("项目"), "政策": _l("政策"),
    "新增": _l("新增"), "到期申请延续": _l("到期申请延续"),
    "予以支持": _l("予以支持"), "部分支持": _l("部分支持"), "不予支持": _l("不予支持"),
    # the material pack
    "事前绩效评估申报书": _l("事前绩效评估申报书"), "实施方案": _l("实施方案"),
    "可行性研究报告": _l("可行性研究报告"), "预算明细及测算说明": _l("预算明细及测算说明"),
    "其他材料": _l("其他材料"),
    # the five dimensions (project and policy names) and their sub-items
    "立项必要性": _l("立项必要性"), "政策设立必要性": _l("政策设立必要性"),
    "政策相关性": _l("政策相关性"), "现实需求与必要性": _l("现实需求与必要性"),
    "投入经济性": _l("投入经济性"), "政策保障充分性": _l("政策保障充分性"),
    "预算编制科学性": _l("预算编制科学性"), "成本经济合理性": _l("成本经济合理性"),
    "绩效目标合理性": _l("绩效目标合理性"), "政策目标合理性": _l("政策目标合理性"),
    "目标明确相关": _l("目标明确相关"), "指标细化可衡量": _l("指标细化可衡量"),
    "实施方案可行性": _l("实施方案可行性"), "政策实施可持续性": _l("政策实施可持续性"),
    "方案完整可行": _l("方案完整可行"), "组织保障与风险防控": _l("组织保障与风险防控"),
    "筹资合规性": _l("筹资合规性"), "政策资金合规性": _l("政策资金合规性"),
    "资金来源合规": _l("资金来源合规"), "支出责任与分担合理": _l("支出责任与分担合理"),
    # opinion kinds (services/ex_ante_report.OPINION_KINDS)
    "部门负责人审核": _l("部门负责人审核"), "绩效科组织评审": _l("绩效科组织评审"), "业务科室意见": _l("业务科室意见"),
    "专家评审意见": _l("专家评审意见"), "第三方评估报告": _l("第三方评估报告"), "第三方报告审核": _l("第三方报告审核"),
    "综合评估意见": _l("综合评估意见"),
}


def display_label(text: str | None) -> LazyString | str:
    """One of the labels above in the page's language; anything unknown is shown as it is."""
    if not text:
        return ""
    return DISPLAY_LABELS.get(text, text)


def display_labels(table: dict[str, str]) -> dict[str, LazyString | str]:
    """code → label of one of the tables above, for pages and select choices."""
    return {code: display_label(text) for code, text in table.items()}



def dimension_name(code: str, item_kind: str | None) -> str:
    spec = DIMENSIONS[code]
    return spec["policy_name"] if item_kind == "policy" else spec["name"]


class ExAnteStatus(str, enum.Enum):
    REGISTERING = "registering"      # the department registers, uploads and self-assesses
    IN_REVIEW = "in_review"          # signed off: the performance section organizes the review
    CONCLUDED = "concluded"


class ExAnteConclusion(str, enum.Enum):
    SUPPORT = "support"              # 予以支持
    PARTIAL = "partial"              # 部分支持 (调整完善后支持): with conditions
    REJECT = "reject"                # 不予支持


class ExAnteAssessment(db.Model):
    __tablename__ = "ex_ante_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    item_kind: Mapped[str] = mapped_column(String(10))          # project | policy (项目/政策)
    basis: Mapped[str] = mapped_column(String(12))              # new | continuing (到期申请延续)
    summary: Mapped[str] = mapped_column(Text, default="")      # 立项背景、主要内容、资金构成
    self_grades: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    self_report: Mapped[str] = mapped_column(Text, default="")
    use_third_party: Mapped[bool] = mapped_column(default=False)
    experts: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # The grade → share of a sub-item's points table read from the DMN when the scoring began.
    grade_ratios: Mapped[dict[str, float] | None] = mapped_column(JSON(none_as_null=True))
    sub_grades: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    dimension_scores: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    conclusion: Mapped[str | None] = mapped_column(String(12))
    conditions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ExAnteStatus.REGISTERING.value)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 部分支持: who acknowledged the conditions when starting the goal review, and when.
    conditions_acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    conditions_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(lazy="joined")
    materials: Mapped[list[ExAnteMaterial]] = relationship(order_by="ExAnteMaterial.id", lazy="selectin")
    opinions: Mapped[list[ExAnteOpinion]] = relationship(order_by="ExAnteOpinion.id", lazy="selectin")


class ExAnteMaterial(db.Model):
    """One file of the material pack (申报书, 实施方案, ...). A kind uploaded again supersedes the earlier file
    (the latest counts); the earlier stays on record."""

    __tablename__ = "ex_ante_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("ex_ante_assessments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachment: Mapped[Attachment] = relationship(lazy="joined")


class ExAnteOpinion(db.Model):
    """What one step said: the head's sign-off, the business section's and each expert's opinion, the third
    party's report and its check, the organizing decisions and the scoring."""

    __tablename__ = "ex_ante_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("ex_ante_assessments.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    kind: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(20))
    grades: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    text: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
