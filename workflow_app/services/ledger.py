"""The rectification ledger (整改台账) of a year as an Excel workbook a bureau would print."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import Rectification, User
from . import rectification

HEADERS = ["序号", "项目编码", "项目名称", "责任部门", "问题来源", "问题描述", "整改期限", "整改状态",
           "逾期天数", "督办审核结果", "预算安排", "收回存量资金（万元）"]
STATUS = {"planning": "制定方案", "in_progress": "整改中", "auditing": "待审核", "closed": "已办结"}
AUDIT = {"accept": "通过", "return": "退回", None: ""}
DECISION = {"priority": "优先保障", "maintain": "维持", "reduce": "核减", "cancel": "取消", None: ""}
WIDTHS = [6, 16, 28, 24, 10, 48, 12, 10, 9, 12, 10, 14]


def rows(actor: User, year: int) -> list[list[object]]:
    """One row per finding."""
    items = db.session.scalars(select(Rectification).where(
        Rectification.fiscal_year == year, rectification.visible_clause(actor))
        .order_by(Rectification.department_id, Rectification.deadline, Rectification.id)).all()
    result: list[list[object]] = []
    moment = now()
    for rect in items:
        for finding in rect.findings:
            result.append([
                len(result) + 1, rect.project.code, rect.project.name, rect.project.department.name,
                rectification.SOURCES.get(rect.source, rect.source), finding, rect.deadline.isoformat(),
                STATUS.get(rect.status, rect.status), rectification.overdue_days(rect, moment),
                AUDIT.get(rect.audit_result, rect.audit_result), DECISION.get(rect.budget_decision, ""),
                float(rect.recovered_amount) if rect.recovered_amount is not None else None,
            ])
    return result


def build(actor: User, year: int) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年整改台账"
    title = f"{year}年度预算绩效评价问题整改台账"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"填报单位：县财政局绩效管理科　　导出时间：{now().astimezone(rectification.LOCAL):%Y-%m-%d %H:%M}"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    sheet.append(HEADERS)
    thin = Side(style="thin")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows(actor, year):
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row > 3:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.freeze_panes = "A4"
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out
