"""The approved 绩效目标表 (goal table) in and out: printed as PDF, exported to Excel, imported from Excel into a
draft, and offered for disclosure (信息公开) as the goal review's publication kind.

One layout everywhere, as the bureau prints it with the department budget: 项目名称, 主管部门, 实施单位,
资金情况（万元）, 总体目标, then the indicator table 一级指标 / 二级指标 / 三级指标 / 运算符 / 指标值 / 计量单位 /
权重. The Excel export is the import's template: a department fills the same sheet (or edits an exported one).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from zipfile import BadZipFile
from typing import Any

from flask import render_template
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..json_provider import exact_number
from ..models import GoalReview, GoalVersion, ProcessInstance, Project
from ..models.goal import LEVELS, OPERATORS
from ..processes.registry import PublishableDocument
from . import instances, pdf, policy
from .errors import Conflict, Invalid, NotFound
from .goal_review import GOAL_REVIEW

KIND = "goal_table"
FUND_SOURCES = {"general": "一般公共预算", "fund": "政府性基金预算", "state_capital": "国有资本经营预算"}
INDICATOR_HEADERS = ["一级指标", "二级指标", "三级指标", "运算符", "指标值", "计量单位", "权重", "允许负值"]
WIDTHS = [14, 20, 30, 8, 16, 10, 8, 9]
OPERATOR_ALIASES = {"≥": ">=", "≤": "<=", "＝": "=", "＞=": ">=", "＜=": "<="}
YES = {"是", "Y", "y", "yes", "true", "1", "TRUE", "√"}
MAX_ROWS = 100
MAX_FILE_BYTES = 2 * 1024 * 1024


def merged_spans(items: list[Any], *keys: Callable[[Any], Any]) -> list[tuple[int, ...]]:
    """Per item, for each key the rowspan of its merged cell: consecutive items with the same key print as one
    cell (the first carries the span, the rest 0: the cell above covers them). Also the 自评表's indicator rows."""
    result = []
    for n, item in enumerate(items):
        def run(key: Callable[[Any], Any], n: int = n, item: Any = item) -> int:
            if n and key(items[n - 1]) == key(item):
                return 0
            length = 1
            while n + length < len(items) and key(items[n + length]) == key(item):
                length += 1
            return length
        result.append(tuple(run(key) for key in keys))
    return result


@dataclass
class GoalTable:
    """What one goal table shows: the project, the goal version it prints, and the approval if any."""

    project: Project
    version: GoalVersion | None
    review: GoalReview | None = None
    approved_at: Any = None

    @property
    def amount(self) -> Decimal | None:
        if self.version is not None and self.version.amount is not None:
            return self.version.amount
        return self.project.amount

    @property
    def competent(self) -> str:
        return (self.project.competent_department or self.project.department).name

    def printed_rows(self) -> list[tuple[Any, int, int]]:
        """(indicator, rowspan of its 一级指标 cell, rowspan of its 二级指标 cell) in the table's order."""
        items = list(self.version.indicators) if self.version else []
        return [(item, *spans) for item, spans in zip(
            items, merged_spans(items, lambda i: i.level1, lambda i: (i.level1, i.level2)))]

    @property
    def fund_source(self) -> str:
        return FUND_SOURCES.get(self.project.fund_source, self.project.fund_source or "")


# -- the approved goal tables (the publication kind) ------------------------------------------------------------
def _approved_query():
    return (select(GoalReview, Project, GoalVersion, ProcessInstance.completed_at)
            .join(Project, Project.id == GoalReview.project_id)
            .join(GoalVersion, GoalVersion.id == GoalReview.approved_version_id)
            .join(ProcessInstance, ProcessInstance.id == GoalReview.instance_id)
            .where(GoalReview.outcome == "approved"))


def approved_tables(year: int | None = None) -> list[GoalTable]:
    """The latest approval (二下批复) of each project of the year (None: every year)."""
    query = _approved_query()
    if year is not None:
        query = query.where(Project.fiscal_year == year)
    rows = db.session.execute(query.order_by(Project.fiscal_year.desc(), Project.code, GoalReview.id.desc())).all()
    latest: dict[int, GoalTable] = {}
    for review, project, version, completed_at in rows:
        latest.setdefault(project.id, GoalTable(project, version, review, completed_at))
    return list(latest.values())


def approved_table(review_id: int) -> GoalTable:
    """One approval's goal table; NotFound unless it is an approved review (still the project's latest)."""
    row = db.session.execute(_approved_query().where(GoalReview.id == review_id)).first()
    if row is None:
        raise NotFound("绩效目标表不存在")
    review, project, version, completed_at = row
    return GoalTable(project, version, review, completed_at)


def _as_document(t: GoalTable) -> PublishableDocument:
    return PublishableDocument(
        id=t.review.id, title=t.project.name, code=t.project.code, department_id=t.project.department_id,
        department_name=t.project.department.name, fiscal_year=t.project.fiscal_year, approved_at=t.approved_at,
        grade=t.review.grade, score=t.review.review_score)


def documents(year: int | None) -> list[PublishableDocument]:
    return [_as_document(t) for t in approved_tables(year)]


def document(review_id: int) -> PublishableDocument | None:
    """The approval's goal table, if it is still the project's latest approval (an older one is superseded)."""
    try:
        table = approved_table(review_id)
    except NotFound:
        return None
    latest = db.session.scalar(select(func.max(GoalReview.id)).where(
        GoalReview.project_id == table.project.id, GoalReview.outcome == "approved"))
    return _as_document(table) if latest == review_id else None


def html(review_id: int) -> str:
    return render_template("pdf/goal_table.html", table=approved_table(review_id))


def table_pdf(table: GoalTable) -> bytes:
    return pdf.render_pdf("pdf/goal_table.html", table=table)


def project_table(project: Project) -> GoalTable:
    """The project's goal table as it stands: the approved version, else the latest submitted, else empty."""
    tables = [t for t in approved_tables(project.fiscal_year) if t.project.id == project.id]
    if tables:
        return tables[0]
    latest = db.session.scalars(select(GoalVersion).where(GoalVersion.project_id == project.id)
                                .order_by(GoalVersion.number.desc())).first()
    return GoalTable(project, latest)


# -- Excel out ------------------------------------------------------------------------------------------------------
def _number(value: Decimal | None) -> int | float | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def to_xlsx(table: GoalTable) -> BytesIO:
    """The goal table as one sheet in the printed layout; also the import template."""
    project, version = table.project, table.version
    book = Workbook()
    sheet = book.active
    sheet.title = "绩效目标表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center")
    fill = PatternFill("solid", fgColor="F0F0F0")
    last = len(INDICATOR_HEADERS)

    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.cell(1, 1, f"{project.fiscal_year}年度项目绩效目标表").font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")

    def label_row(row: int, pairs: list[tuple[str, Any, int]]) -> None:
        column = 1
        for label, value, span in pairs:
            sheet.cell(row, column, label).font = bold
            sheet.cell(row, column).fill = fill
            sheet.merge_cells(start_row=row, start_column=column + 1, end_row=row, end_column=column + span)
            sheet.cell(row, column + 1, value)
            column += span + 1

    label_row(2, [("项目名称", project.name, 3), ("项目编码", project.code, 3)])
    label_row(3, [("主管部门", table.competent, 3), ("实施单位", project.department.name, 3)])
    label_row(4, [("资金情况（万元）", _number(table.amount), 3), ("资金来源", table.fund_source, 3)])
    label_row(5, [("总体目标", version.overall_goal if version else "", last - 1)])
    sheet.row_dimensions[5].height = 60
    for column, header in enumerate(INDICATOR_HEADERS, 1):
        cell = sheet.cell(6, column, header)
        cell.font, cell.fill = bold, fill
    row = 7
    for indicator in (version.indicators if version else []):
        values = [indicator.level1, indicator.level2, indicator.name, indicator.operator, indicator.target,
                  indicator.unit, _number(indicator.weight), "是" if indicator.allow_negative else ""]
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row, column, value)
            if column == 5:
                cell.number_format = "@"   # 指标值 is text: "3000" stays "3000", 明显提升 stays words
        row += 1
    # The template's choices as dropdowns (the import checks them again: a typed value is still reported).
    last_row = max(row, 7) + MAX_ROWS
    for column, choices in ((1, list(LEVELS)), (2, [l2 for l2s in LEVELS.values() for l2 in l2s]),
                            (4, list(OPERATORS))):
        validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(f"{chr(64 + column)}7:{chr(64 + column)}{last_row}")
    for r in range(2, max(row, 7)):
        for c in range(1, last + 1):
            sheet.cell(r, c).border = border
            sheet.cell(r, c).alignment = wrap
    for column, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[chr(64 + column)].width = width
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


# -- Excel in ---------------------------------------------------------------------------------------------------------
@dataclass
class ImportedGoals:
    overall_goal: str
    indicators: list[dict[str, Any]]
    amount: str = ""          # 资金情况（万元） as written: the 二上 form's amount, checked there on submission

    def formdata(self) -> MultiDict:
        """As the indicator editor posts it (the draft form's fields), to show the rows for review."""
        data = MultiDict({"overall_goal": self.overall_goal, **({"amount": self.amount} if self.amount else {})})
        for n, row in enumerate(self.indicators):
            for key, value in row.items():
                if key == "allow_negative":
                    if value:
                        data.add(f"indicators-{n}-allow_negative", "y")
                else:
                    data.add(f"indicators-{n}-{key}", "" if value is None else str(value))
        return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def read_xlsx(stream: Any) -> ImportedGoals:
    """Read a goal table sheet (the export's layout). Every bad row is reported with its row number and the
    reason (Invalid, fields keyed "第N行"); nothing is returned half: either every row is good or none is used."""
    from forms.goal_review import IndicatorForm  # noqa: PLC0415 - the editor's own row rules, one place

    data = stream.read(MAX_FILE_BYTES + 1)
    if not data:
        raise Invalid("请选择要导入的 Excel 文件（.xlsx）", {"file": ["请选择文件"]})
    if len(data) > MAX_FILE_BYTES:
        raise Invalid("文件超过 2 MB", {"file": ["文件过大"]})
    try:
        sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError, AttributeError) as error:
        raise Invalid("不是有效的 Excel 文件（.xlsx），请使用导出的绩效目标表模板", {"file": ["文件格式不正确"]}) from error
    overall, amount = "", ""
    header = None
    for number, row in enumerate(rows, 1):
        first = _text(row[0]) if row else ""
        if first == "总体目标":
            overall = next((_text(v) for v in row[1:] if _text(v)), "")
        if first.startswith("资金情况"):
            amount = _text(row[1]) if len(row) > 1 else ""
        if first == "一级指标" and header is None:
            header = number
            break
    if header is None:
        raise Invalid("找不到指标表的表头（一级指标、二级指标、三级指标……），请使用导出的绩效目标表模板",
                      {"file": ["缺少表头行"]})
    problems: dict[str, list[str]] = {}
    indicators: list[dict[str, Any]] = []
    for number, row in enumerate(rows[header:], header + 1):
        cells = [_text(v) for v in (list(row) + [None] * len(INDICATOR_HEADERS))[:len(INDICATOR_HEADERS)]]
        if not any(cells):
            continue
        level1, level2, name, operator, target, unit, weight, negative = cells
        operator = OPERATOR_ALIASES.get(operator, operator)
        form = IndicatorForm(formdata=MultiDict({
            "level1": level1, "level2": level2, "name": name, "operator": operator, "target": target,
            "unit": unit, "weight": weight, **({"allow_negative": "y"} if negative in YES else {})}), meta={"csrf": False})
        if not form.validate():
            reasons = [f"{form[field].label.text}：{message}" for field, messages in form.errors.items()
                       for message in messages]
            problems[f"第{number}行"] = reasons
            continue
        indicators.append({"level1": level1, "level2": level2, "name": name.strip(), "operator": operator,
                           "target": target.strip(), "unit": unit.strip(), "weight": form.weight.data,
                           "allow_negative": bool(form.allow_negative.data)})
    if problems:
        raise Invalid(f"{len(problems)} 行有误，未导入任何内容：" + "；".join(
            f"{where}：{'，'.join(reasons)}" for where, reasons in problems.items()), problems)
    if not indicators:
        raise Invalid("表中没有指标行", {"file": ["没有指标行"]})
    if len(indicators) > MAX_ROWS:
        raise Invalid(f"指标最多{MAX_ROWS}个", {"file": [f"指标最多{MAX_ROWS}个"]})
    return ImportedGoals(overall, indicators, amount)


# -- importing into a draft task ----------------------------------------------------------------------------------------
IMPORT_TASKS = ("draft_goals", "revise_goals")   # the tasks with the indicator editor


def import_into_task(actor: Any, task_id: int, stream: Any) -> tuple[Any, ImportedGoals]:
    """Read a goal table file for the actor's draft task: (task, the rows). Nothing is stored: the editor shows
    the rows, and the department reviews and submits them as it would typed ones."""
    task = instances.visible_task(actor, task_id)
    if task.process_key != GOAL_REVIEW or task.name not in IMPORT_TASKS:
        raise Invalid("只有编制或修改绩效目标的任务可以导入绩效目标表", {"task": ["不能导入"]})
    if task.state != "ready":
        raise Conflict("任务已办理，不能再导入")
    policy.require(actor, "complete", task)
    if stream is None:
        raise Invalid("请选择要导入的 Excel 文件（.xlsx）", {"file": ["请选择文件"]})
    return task, read_xlsx(stream)


def imported_json(goals: ImportedGoals) -> dict[str, Any]:
    return {"overall_goal": goals.overall_goal,
            "indicators": [{**row, "weight": exact_number(row["weight"])} for row in goals.indicators]}


def pdf_stream(table: GoalTable) -> BytesIO:
    return BytesIO(table_pdf(table))


def filename(table: GoalTable, extension: str) -> str:
    return f"{table.project.fiscal_year}-{table.project.code}-绩效目标表.{extension}"
