"""The 项目支出绩效自评表 (财预〔2020〕10号 附件1, 单位自评) of one self-evaluation as a PDF.

The layout of the form: 项目名称 · 主管部门 / 实施单位 · 项目资金（万元）with 年初预算数 / 全年预算数 / 全年执行数 /
分值 / 执行率 / 得分 · 年度总体目标 (预期目标 | 实际完成情况) · the 绩效指标 table (一级 / 二级 / 三级指标, 年度指标值,
实际完成值, 分值, 得分, 偏差原因分析及改进措施) · 总分 and 等级; and, once finance has re-checked it, a 财政复核
section beside the department's figures with finance's score, grade and opinion.

Every point and score printed is the one stored with the evaluation (`breakdown` / `recheck_breakdown`, the
result of services/evaluation_scoring.py as the server computed it when the table was filled or re-checked):
the form never scores anything itself. A table stored without its breakdown prints its total and "—" per row.

Which evaluations print: every one with a stored score. One not yet submitted to finance (填报中, 待部门负责人
审核) prints with a 草稿 watermark (the head reads it on paper before signing off); one never filled has nothing
to print (409). Who may read it: whoever may read the evaluation (services/self_evaluation.get: 404 otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..labels import OPERATOR_LABELS
from ..models.self_evaluation import RECHECK_REASONS, STATUS_LABELS, SelfEvaluation, SelfEvaluationStatus
from .evaluation_scoring import GRADE_BANDS
from . import pdf
from .errors import Conflict
from .goal_table import merged_spans

TEMPLATE = "pdf/self_evaluation_form.html"
NOT_FILLED = "自评表尚未填报完成，暂无可打印的自评结果"
DRAFT_STATUSES = (SelfEvaluationStatus.FILLING.value, SelfEvaluationStatus.SIGNING.value)
DASH = "—"


@dataclass
class Line:
    """One printed indicator row: the indicator, the department's figures and (re-checked) finance's."""
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    points: str
    score: str
    cause: str
    span1: int
    span2: int
    recheck_actual: str = ""
    recheck_score: str = ""
    recheck_cause: str = ""


@dataclass
class Funds:
    """The 项目资金（万元）row of 年度资金总额 (the data has no split into 当年财政拨款 / 上年结转 / 其他资金)."""
    initial: str
    annual: str
    executed: str
    points: str
    rate: str
    score: str


@dataclass
class Recheck:
    reason: str
    done: bool
    funds: Funds | None = None
    score: str = ""
    grade: str = ""
    gap: str = ""
    opinion: str = ""
    findings: list[str] = field(default_factory=list)
    by: str | None = None
    at: Any = None


@dataclass
class PrintedForm:
    evaluation: SelfEvaluation
    competent: str
    funds: Funds
    lines: list[Line]
    full_points: str
    total: str
    grade: str
    draft: bool
    status_label: str
    recheck: Recheck | None
    grade_rule: str


def _money(value: Decimal | None) -> str:
    return DASH if value is None else f"{Decimal(value):.2f}"


def _points(value: Any) -> str:
    return DASH if value is None else f"{Decimal(str(value)):.2f}"


def _rate(value: Any) -> str:
    return DASH if value is None else f"{Decimal(str(value)) * 100:.2f}%"


def target_text(row: dict[str, Any]) -> str:
    """年度指标值 as the goal table prints it: "≥3000人次"; a qualitative target as written."""
    target = str(row.get("target") or "")
    if row.get("kind") != "quantitative":
        return target
    symbol = str(OPERATOR_LABELS.get(row.get("operator", ""), ""))
    prefix = "" if target[:1] in "≥≤=<>" else symbol
    unit = row.get("unit") or ""
    return f"{prefix}{target}{unit if unit and not target.endswith(unit) else ''}"


def actual_text(row: dict[str, Any]) -> str:
    """实际完成值: a number with its unit; a qualitative row its words, level and share of the points."""
    actual = str(row.get("actual") or "").strip()
    if row.get("kind") == "quantitative":
        return f"{actual}{row.get('unit') or ''}" if actual else DASH
    level, share = row.get("level") or "", row.get("share") or ""
    judged = f"{level}（{share}%）" if level and share != "" else level
    return "；".join(part for part in (actual, judged) if part) or DASH


def _scored(breakdown: dict[str, Any] | None) -> dict[int, dict[str, Any]]:
    return {r["index"]: r for r in (breakdown or {}).get("rows", [])}


def _funds(evaluation: SelfEvaluation, executed: Decimal | None, breakdown: dict[str, Any] | None) -> Funds:
    b = breakdown or {}
    return Funds(_money(evaluation.initial_budget), _money(evaluation.annual_budget), _money(executed),
                 _points(b.get("execution_points")), _rate(b.get("execution_rate")), _points(b.get("execution_score")))


def printed(evaluation: SelfEvaluation) -> PrintedForm:
    """What the form shows, every figure as stored. Conflict when nothing has been scored yet."""
    if evaluation.score is None:
        raise Conflict(NOT_FILLED)
    rows = evaluation.rows or []
    own = _scored(evaluation.breakdown)
    rechecked = evaluation.recheck_score is not None
    theirs = _scored(evaluation.recheck_breakdown) if rechecked else {}
    finance_rows = (evaluation.recheck_rows or []) if rechecked else []
    spans = merged_spans(rows, lambda r: r.get("level1"), lambda r: (r.get("level1"), r.get("level2")))
    lines = []
    for i, (row, (span1, span2)) in enumerate(zip(rows, spans)):
        scored = own.get(i, {})
        line = Line(row.get("level1", ""), row.get("level2", ""), row.get("name", ""), target_text(row),
                    actual_text(row), _points(scored.get("points")), _points(scored.get("score")),
                    row.get("cause") or "", span1, span2)
        if rechecked:
            finance = finance_rows[i] if i < len(finance_rows) else {}
            line.recheck_actual = actual_text(finance) if finance else DASH
            line.recheck_score = _points(theirs.get(i, {}).get("score"))
            line.recheck_cause = finance.get("cause") or ""
        lines.append(line)
    # The form's 总分 column: the execution points and every row's points as stored (they add up to 100).
    full_points = None
    if own:
        full_points = Decimal(str(evaluation.breakdown.get("execution_points", 0))) + sum(
            (Decimal(str(r["points"])) for r in own.values()), Decimal(0))
    recheck = None
    if evaluation.recheck_reason:
        recheck = Recheck(RECHECK_REASONS.get(evaluation.recheck_reason, evaluation.recheck_reason), rechecked)
        if rechecked:
            recheck.funds = _funds(evaluation, evaluation.recheck_executed, evaluation.recheck_breakdown)
            recheck.score, recheck.grade = _points(evaluation.recheck_score), evaluation.recheck_grade or ""
            recheck.gap = _points(evaluation.score_gap)
            recheck.opinion, recheck.findings = evaluation.recheck_opinion or "", evaluation.recheck_findings or []
            recheck.by, recheck.at = evaluation.rechecked_by, evaluation.rechecked_at
    project = evaluation.project
    return PrintedForm(
        evaluation=evaluation, competent=(project.competent_department or project.department).name,
        funds=_funds(evaluation, evaluation.executed, evaluation.breakdown), lines=lines,
        full_points=_points(full_points), total=_points(evaluation.score), grade=evaluation.grade or "",
        draft=evaluation.status in DRAFT_STATUSES, status_label=STATUS_LABELS.get(evaluation.status, evaluation.status),
        recheck=recheck, grade_rule=grade_rule())


def grade_rule() -> str:
    """"90分（含）以上为优，80（含）—90分为良，…" from the scoring module's bands."""
    parts, upper = [], None
    for grade, lowest in GRADE_BANDS:
        if upper is None:
            parts.append(f"{lowest}分（含）以上为{grade}")
        elif lowest > 0:
            parts.append(f"{lowest}（含）—{upper}分为{grade}")
        else:
            parts.append(f"{upper}分以下为{grade}")
        upper = lowest
    return "，".join(parts)


def render(evaluation: SelfEvaluation) -> bytes:
    return pdf.render_pdf(TEMPLATE, form=printed(evaluation))


def filename(evaluation: SelfEvaluation) -> str:
    return f"项目支出绩效自评表_{evaluation.project.code}_{evaluation.id}.pdf"
