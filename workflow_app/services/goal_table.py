"""The approved 绩效目标表 (goal table) in and out: printed as PDF, exported to Excel, imported from Excel into a
draft, and offered for disclosure (信息公开) as the goal review's publication kind.

One layout everywhere, as the bureau prints it with the department budget: 项目名称, 主管部门, 实施单位,
资金情况（万元）, 总体目标, then the indicator table 一级指标 / 二级指标 / 三级指标 / 运算符 / 指标值 / 计量单位 /
权重. The Excel export is the import's template: a department fills the same sheet (or edits an exported one).

The sheet writer and reader (`write_sheet`, `read_sheet`) take a `SheetLayout`: the columns, the indicator system
and the editor's row form. The project's table is `PROJECT_SHEET`; 部门整体绩效 prints its annual goals with its own
layout through the same code (services/department_performance_goal_table.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
OPERATOR_ALIASES = {"≥": ">=", "≤": "<=", "＝": "=", "＞=": ">=", "＜=": "<="}
YES = {"是", "Y", "y", "yes", "true", "1", "TRUE", "√"}
MAX_ROWS = 100
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """One column of the indicator table: its header, the row form's field it fills, its width in Excel.
    kind: "text" as written; "value" text even when it looks like a number (指标值: "3000" stays "3000");
    "number" the form's parsed value (权重); "flag" 是 or blank (允许负值)."""

    header: str
    key: str
    width: int
    kind: str = "text"


@dataclass(frozen=True)
class SheetLayout:
    """What one kind of goal table is in Excel: what differs between the project's and the department's."""

    sheet_title: str
    template_name: str                          # in the messages: "请使用导出的<template_name>模板"
    columns: tuple[Column, ...]
    levels: Mapping[str, Sequence[str]]         # 一级 → 二级 (the dropdowns)
    operators: Sequence[str]
    row_form: Callable[[], type]                # the editor's row form (imported late: forms import the app)
    overall_labels: tuple[str, ...]             # the label cell of the overall goal row
    amount_labels: tuple[str, ...]              # how the label cell of the money row starts

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def letter(self, key: str) -> str | None:
        return next((chr(65 + n) for n, c in enumerate(self.columns) if c.key == key), None)


def _project_row_form() -> type:
    from forms.goal_review import IndicatorForm  # noqa: PLC0415 - the editor's own row rules, one place
    return IndicatorForm


PROJECT_SHEET = SheetLayout(
    sheet_title="绩效目标表", template_name="绩效目标表",
    columns=(Column("一级指标", "level1", 14), Column("二级指标", "level2", 20), Column("三级指标", "name", 30),
             Column("运算符", "operator", 8), Column("指标值", "target", 16, "value"), Column("计量单位", "unit", 10),
             Column("权重", "weight", 8, "number"), Column("允许负值", "allow_negative", 9, "flag")),
    levels=LEVELS, operators=tuple(OPERATORS), row_form=_project_row_form,
    overall_labels=("总体目标",), amount_labels=("资金情况",))


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


def merged_rows(items: Sequence[Any]) -> list[tuple[Any, int, int]]:
    """(indicator, rowspan of its 一级指标 cell, rowspan of its 二级指标 cell) in the table's order; a span of
    0: the cell above covers it (consecutive rows of the same category print as one merged cell)."""
    items = list(items)
    return [(item, *spans) for item, spans in zip(
        items, merged_spans(items, lambda i: i.level1, lambda i: (i.level1, i.level2)), strict=True)]


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
        return merged_rows(self.version.indicators if self.version else [])

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


LabelRow = list[tuple[str, Any, int]]     # (label, value, columns the value spans) across one row


def write_sheet(layout: SheetLayout, title: str, label_rows: list[LabelRow], overall: tuple[str, str],
                indicators: Sequence[Any]) -> BytesIO:
    """A goal table as one sheet in the printed layout: the title, the label rows (name, department, money),
    the overall goal, then the indicator table; also the import's template (`read_sheet` reads it back)."""
    book = Workbook()
    sheet = book.active
    sheet.title = layout.sheet_title
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center")
    fill = PatternFill("solid", fgColor="F0F0F0")
    last = len(layout.columns)

    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.cell(1, 1, title).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")

    def label_row(row: int, pairs: LabelRow) -> None:
        column = 1
        for label, value, span in pairs:
            sheet.cell(row, column, label).font = bold
            sheet.cell(row, column).fill = fill
            sheet.merge_cells(start_row=row, start_column=column + 1, end_row=row, end_column=column + span)
            sheet.cell(row, column + 1, value)
            column += span + 1

    for row, pairs in enumerate(label_rows, 2):
        label_row(row, pairs)
    overall_row = 2 + len(label_rows)
    label_row(overall_row, [(overall[0], overall[1], last - 1)])
    sheet.row_dimensions[overall_row].height = 60
    header = overall_row + 1
    for column, text in enumerate(layout.headers, 1):
        cell = sheet.cell(header, column, text)
        cell.font, cell.fill = bold, fill
    row = header + 1
    for indicator in indicators:
        for column, spec in enumerate(layout.columns, 1):
            value = getattr(indicator, spec.key)
            if spec.kind == "number":
                value = _number(value)
            elif spec.kind == "flag":
                value = "是" if value else ""
            cell = sheet.cell(row, column, value)
            if spec.kind == "value":
                cell.number_format = "@"   # 指标值 is text: "3000" stays "3000", 明显提升 stays words
        row += 1
    # The template's choices as dropdowns (the import checks them again: a typed value is still reported).
    first, last_row = header + 1, max(row, header + 1) + MAX_ROWS
    for key, choices in (("level1", list(layout.levels)),
                         ("level2", [l2 for l2s in layout.levels.values() for l2 in l2s]),
                         ("operator", list(layout.operators))):
        letter = layout.letter(key)
        if letter is None:
            continue
        validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(f"{letter}{first}:{letter}{last_row}")
    for r in range(2, max(row, header + 1)):
        for c in range(1, last + 1):
            sheet.cell(r, c).border = border
            sheet.cell(r, c).alignment = wrap
    for column, spec in enumerate(layout.columns, 1):
        sheet.column_dimensions[chr(64 + column)].width = spec.width
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def to_xlsx(table: GoalTable) -> BytesIO:
    """The project's goal table as one sheet in the printed layout; also the import template."""
    project, version = table.project, table.version
    return write_sheet(
        PROJECT_SHEET, f"{project.fiscal_year}年度项目绩效目标表",
        [[("项目名称", project.name, 3), ("项目编码", project.code, 3)],
         [("主管部门", table.competent, 3), ("实施单位", project.department.name, 3)],
         [("资金情况（万元）", _number(table.amount), 3), ("资金来源", table.fund_source, 3)]],
        ("总体目标", version.overall_goal if version else ""), version.indicators if version else [])


# -- Excel in ---------------------------------------------------------------------------------------------------------
@dataclass
class ImportedGoals:
    overall_goal: str
    indicators: list[dict[str, Any]]
    amount: str = ""          # the money row as written: the form's amount, checked there on submission

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


def read_sheet(layout: SheetLayout, stream: Any) -> ImportedGoals:
    """Read a goal table sheet (the export's layout). Every bad row is reported with its row number, the column
    and the reason (Invalid, fields keyed "第N行"); nothing is returned half: either every row is good or none is
    used."""
    row_form = layout.row_form()
    template = f"请使用导出的{layout.template_name}模板"
    width = len(layout.columns)
    data = stream.read(MAX_FILE_BYTES + 1)
    if not data:
        raise Invalid("请选择要导入的 Excel 文件（.xlsx）", {"file": ["请选择文件"]})
    if len(data) > MAX_FILE_BYTES:
        raise Invalid("文件超过 2 MB", {"file": ["文件过大"]})
    try:
        sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError, AttributeError) as error:
        raise Invalid(f"不是有效的 Excel 文件（.xlsx），{template}", {"file": ["文件格式不正确"]}) from error
    overall, amount = "", ""
    header = None
    for number, row in enumerate(rows, 1):
        first = _text(row[0]) if row else ""
        if first in layout.overall_labels:
            overall = next((_text(v) for v in row[1:] if _text(v)), "")
        if first.startswith(layout.amount_labels):
            amount = _text(row[1]) if len(row) > 1 else ""
        if first == layout.columns[0].header and header is None:
            header = number
            break
    if header is None:
        raise Invalid(f"找不到指标表的表头（{'、'.join(layout.headers[:3])}……），{template}",
                      {"file": ["缺少表头行"]})
    headers = {c.key: c.header for c in layout.columns}
    problems: dict[str, list[str]] = {}
    indicators: list[dict[str, Any]] = []
    for number, row in enumerate(rows[header:], header + 1):
        cells = dict(zip(headers, (_text(v) for v in (list(row) + [None] * width)[:width])))
        if not any(cells.values()):
            continue
        if "operator" in cells:
            cells["operator"] = OPERATOR_ALIASES.get(cells["operator"], cells["operator"])
        formdata = MultiDict({key: value for key, value in cells.items()
                              if next(c for c in layout.columns if c.key == key).kind != "flag"})
        formdata.update({c.key: "y" for c in layout.columns if c.kind == "flag" and cells[c.key] in YES})
        form = row_form(formdata=formdata, meta={"csrf": False})
        if not form.validate():
            # The column as the sheet names it (the editor's label may differ: 比较 is the sheet's 运算符); a value
            # that did not even parse (权重 "abc") says only that, not also that it is out of range.
            problems[f"第{number}行"] = [
                f"{headers.get(field, form[field].label.text)}：{str(message).rstrip('。')}"
                for field, messages in form.errors.items() for message in (form[field].process_errors or messages)]
            continue
        indicators.append({c.key: (form[c.key].data if c.kind == "number" else
                                   bool(form[c.key].data) if c.kind == "flag" else cells[c.key])
                           for c in layout.columns})
    if problems:
        raise Invalid(f"{len(problems)} 行有误，未导入任何内容：" + "；".join(
            f"{where}：{'，'.join(reasons)}" for where, reasons in problems.items()), problems)
    if not indicators:
        raise Invalid("表中没有指标行", {"file": ["没有指标行"]})
    if len(indicators) > MAX_ROWS:
        raise Invalid(f"指标最多{MAX_ROWS}个", {"file": [f"指标最多{MAX_ROWS}个"]})
    return ImportedGoals(overall, indicators, amount)


def read_xlsx(stream: Any) -> ImportedGoals:
    """Read a project goal table sheet (see `read_sheet`)."""
    return read_sheet(PROJECT_SHEET, stream)


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
