"""The rectification ledger (整改台账) of a year as an Excel workbook a bureau would print."""
from __future__ import annotations

from io import BytesIO

from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import Rectification, RectificationRecord, User
from . import rectification, spreadsheets

HEADERS = ["序号", "项目编码", "项目名称", "责任部门", "问题来源", "问题描述", "整改措施", "整改期限", "整改状态",
           "完成情况", "逾期天数", "办结日期", "督办审核结果", "预算安排", "收回存量资金（万元）"]
STATUS = {"planning": "制定方案", "in_progress": "整改中", "auditing": "待审核", "closed": "已办结"}
AUDIT = {"accept": "通过", "return": "退回", None: ""}
DECISION = {"priority": "优先保障", "maintain": "维持", "reduce": "核减", "cancel": "取消", None: ""}
PROGRESS = {"done": "已完成", "continue": "未完成"}
WIDTHS = [6, 16, 28, 24, 10, 44, 40, 12, 10, 40, 9, 12, 12, 10, 14]
DATE_COLUMNS = ("整改期限", "办结日期")
AMOUNT_COLUMN = "收回存量资金（万元）"


def _numbered(lines: list[str]) -> str:
    """Several entries in one cell, one per line, numbered as a clerk would write them."""
    if len(lines) == 1:
        return lines[0]
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def _latest(rect: Rectification, kind: str) -> RectificationRecord | None:
    return next((r for r in reversed(rect.records) if r.kind == kind), None)


def _measures(rect: Rectification) -> str:
    plan = _latest(rect, "plan")
    return _numbered(plan.items or []) if plan is not None else ""


def _completion(rect: Rectification) -> str:
    """The latest progress report: whether the department calls it done, and what it says."""
    report = _latest(rect, "progress")
    if report is None:
        return "尚未报送"
    state = PROGRESS.get(report.decision or "", "")
    return f"{state}：{report.text}" if state else report.text


def rows(actor: User, year: int | None) -> list[list[object]]:
    """One row per rectification: its findings and measures each in one cell, so the amount column sums right.
    `year` None: every year the actor may see."""
    conditions = [rectification.visible_clause(actor)]
    if year is not None:
        conditions.append(Rectification.fiscal_year == year)
    items = db.session.scalars(select(Rectification).where(*conditions).order_by(
        Rectification.fiscal_year, Rectification.department_id, Rectification.deadline, Rectification.id)).all()
    result: list[list[object]] = []
    moment = now()
    for rect in items:
        closed = rect.closed_at.astimezone(rectification.LOCAL).date() if rect.closed_at else None
        result.append([
            len(result) + 1, rect.project.code, rect.project.name, rect.project.department.name,
            rectification.SOURCES.get(rect.source, rect.source), _numbered(list(rect.findings)), _measures(rect),
            rect.deadline, STATUS.get(rect.status, rect.status), _completion(rect),
            rectification.overdue_days(rect, moment), closed,
            AUDIT.get(rect.audit_result, rect.audit_result), DECISION.get(rect.budget_decision, ""),
            rect.recovered_amount,  # a Decimal: openpyxl writes its digits, so the column sums to the cent
        ])
    return result


def title_of(year: int | None) -> str:
    return f"{year}年度预算绩效评价问题整改台账" if year is not None else "预算绩效评价问题整改台账（全部年度）"


def build(actor: User, year: int | None) -> BytesIO:
    return spreadsheets.titled_table(
        title=title_of(year),
        subtitle=f"填报单位：县财政局绩效管理科　　导出时间：{now().astimezone(rectification.LOCAL):%Y-%m-%d %H:%M}",
        sheet_title=f"{year}年整改台账" if year is not None else "整改台账",
        headers=HEADERS, widths=WIDTHS, rows=rows(actor, year),
        formats={**dict.fromkeys(DATE_COLUMNS, spreadsheets.DATE), AMOUNT_COLUMN: spreadsheets.MONEY})
