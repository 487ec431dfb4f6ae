"""绩效运行监控 ("双监控"): in-year monitoring of budget execution and goal progress.

A **round** (MonitoringRound) is started by the performance section for a year and a cut-off month (1–7月,
1–8月): one **report** (MonitoringReport, the 监控表) per project whose goals were approved for that year, each
run by one instance of the `monitoring` process (bpmn/monitoring.bpmn), started through the batch start.
The report is prefilled from the project's approved goal version (`goal_version_id`): the funds (年初预算数 =
the version's amount, else the project's), the overall goal, and one **indicator row** (MonitoringIndicatorRow)
per indicator of that version. The department fills the progress, the forecast and, per row, the deviation
cause, the likelihood of meeting the target, the correction measures and its evidence; the warnings are computed
(never typed): the report's `colour` from the execution rate against time elapsed, each row's `flag` from its
likelihood and pro-rata progress (services/monitoring_warnings.py).

The review ends with an **outcome** (OUTCOMES): 继续执行, 纠偏 (the department corrects and reports again: the
same report, filled again), 调整预算 (new amount + adjusted goals = a NEW GoalVersion of the project,
`adjusted_goal_version_id`, and the project's amount), 暂缓拨款 / 停止拨款 (with a reason).

Money is 万元 with two places (Numeric(14, 2)), as Project.amount; the rate is a percentage (Numeric(7, 2)).
Who builds on these tables: the monitoring board and the 监控汇总表 export read rounds, reports and rows; they
need nothing beyond these columns (colour/flag are stored when a report is submitted, so a board of 3,000
projects is one query).
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .project import Project
from .types import UTCDateTime, utcnow

# The table's lists, as 财预〔2019〕136号's 监控表 names them; codes are what the API and the rows store.
CAUSES: dict[str, str] = {"funding": "经费保障", "institution": "制度保障", "staffing": "人员保障",
                          "hardware": "硬件条件保障", "other": "其他"}
LIKELIHOODS: dict[str, str] = {"certain": "确定能", "possible": "有可能", "impossible": "完全不可能"}
OUTCOMES: dict[str, str] = {"continue": "继续执行", "correct": "纠偏", "adjust": "调整预算",
                            "suspend": "暂缓拨款", "stop": "停止拨款"}
# Outcomes that must give a reason (the funding is held back or stopped).
OUTCOMES_NEEDING_REASON = ("suspend", "stop")
COLOURS: dict[str, str] = {"red": "红色预警", "yellow": "黄色预警", "green": "正常"}


class RoundStatus(str, enum.Enum):
    STARTING = "starting"        # the batch start is still creating instances
    RUNNING = "running"          # every report has its instance
    COMPLETED = "completed"      # every report has an outcome other than 纠偏


class ReportStatus(str, enum.Enum):
    PENDING = "pending"          # created with the round, its instance not started yet
    FILLING = "filling"          # the department fills (or corrects) the 监控表
    SIGNOFF = "signoff"          # the department head signs off
    BUSINESS_REVIEW = "business_review"   # the department's business section (对口业务科室) reviews
    DECISION = "decision"        # the performance section decides the outcome
    CONCLUDED = "concluded"      # an outcome other than 纠偏 was decided


class MonitoringRound(db.Model):
    __tablename__ = "monitoring_rounds"
    # One round per year and cut-off month: starting it again finds it (idempotent).
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    month: Mapped[int]                                   # the cut-off: data of months 1..month
    status: Mapped[str] = mapped_column(String(12), default=RoundStatus.STARTING.value)
    # The batch start's round name: its chunk keys are "<batch>:<first report id>-<last report id>".
    batch: Mapped[str | None] = mapped_column(String(100))
    started_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def period(self) -> str:
        return f"1-{self.month}月"


class MonitoringReport(db.Model):
    """The 监控表 of one project in one round (项目支出绩效目标执行监控表)."""

    __tablename__ = "monitoring_reports"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),
                      Index("ix_monitoring_reports_round_status", "round_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("monitoring_rounds.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    goal_version_id: Mapped[int] = mapped_column(ForeignKey("goal_versions.id"))   # prefilled from
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    # Funds (万元): 年初预算数, 执行数 to the cut-off (prefilled from the payments), 执行率 (%), 全年预计执行数.
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    executed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    execution_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    forecast: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    overall_goal: Mapped[str] = mapped_column(Text, default="")
    overall_progress: Mapped[str] = mapped_column(Text, default="")   # 年度总体目标执行情况
    evidence: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))   # attachment ids of the report
    # Computed when the report is submitted (services/monitoring_warnings.py): red | yellow | green.
    colour: Mapped[str | None] = mapped_column(String(8))
    flagged_rows: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.PENDING.value)
    times_submitted: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The review: the business section's opinion, then the performance section's outcome.
    business_opinion: Mapped[str | None] = mapped_column(Text)
    business_recommendation: Mapped[str | None] = mapped_column(String(10))   # one of OUTCOMES
    outcome: Mapped[str | None] = mapped_column(String(10))                   # one of OUTCOMES
    outcome_opinion: Mapped[str | None] = mapped_column(Text)
    outcome_reason: Mapped[str | None] = mapped_column(Text)                  # 暂缓/停止拨款: required
    adjusted_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))    # 调整预算: the new amount
    adjusted_goal_version_id: Mapped[int | None] = mapped_column(ForeignKey("goal_versions.id"))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectifications.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[MonitoringRound] = relationship(lazy="joined")
    project: Mapped[Project] = relationship(lazy="joined")
    rows: Mapped[list[MonitoringIndicatorRow]] = relationship(order_by="MonitoringIndicatorRow.position",
                                                              lazy="selectin")


class MonitoringIndicatorRow(db.Model):
    """One indicator of the approved goal version, as monitored: the version's row is copied (level 1–3,
    comparison, 年度指标值, unit) so the table reads the same after the goals are adjusted."""

    __tablename__ = "monitoring_indicator_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    position: Mapped[int]
    level1: Mapped[str] = mapped_column(String(20))
    level2: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(4))
    target: Mapped[str] = mapped_column(String(200))      # 年度指标值
    unit: Mapped[str] = mapped_column(String(40), default="")
    progress: Mapped[str] = mapped_column(Text, default="")   # 1–n月执行情况 (a number for a quantitative row)
    forecast: Mapped[str] = mapped_column(Text, default="")   # 全年预计完成情况
    cause: Mapped[str | None] = mapped_column(String(12))      # 偏差原因: one of CAUSES
    likelihood: Mapped[str | None] = mapped_column(String(12))  # 完成目标可能性: one of LIKELIHOODS
    measures: Mapped[str] = mapped_column(Text, default="")   # 纠偏措施
    evidence: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))   # attachment ids
    flag: Mapped[bool] = mapped_column(default=False)          # computed: deviates (see the module docstring)

    @property
    def quantitative(self) -> bool:
        return self.operator != "定性"
