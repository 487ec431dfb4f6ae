"""The monitoring board (监控看板) of one round: per department and per project, the warning colours, the
flagged indicators and the outcomes, the worst deviations first; and the round's 监控汇总表 as Excel.

Everything is aggregated in SQL from the columns the reports store when they are submitted (colour, flagged_rows,
execution_rate, outcome: models/monitoring.py): the department table is one grouped statement, the project list
one ordered statement with a limit, so a round of 3,000 projects costs the same few statements as one of three.
Who sees what: the performance section, the business sections and supervisors every report; a department only
its own projects' (services/monitoring.visible_reports_clause, the project library's rule).

Worst first: red, then yellow, then green, then not yet reported; within a colour the lowest 执行率 first (the
furthest behind time), then the most flagged indicators.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Any

from sqlalchemy import case, func, literal, select

from ..engine import now
from ..extensions import db
from ..models import Department, MonitoringReport, MonitoringRound, Project, User
from ..models.monitoring import COLOURS, OUTCOMES, MonitoringIndicatorRow, ReportStatus
from . import monitoring
from .execution import execution_rate
from .rectification import LOCAL

NOT_REPORTED = "none"             # a report without a colour yet (not submitted)
COLOUR_ORDER = ("red", "yellow", "green", NOT_REPORTED)
BOARD_COLOUR_LABELS = {**COLOURS, NOT_REPORTED: "未报送"}
STATUS_LABELS = {ReportStatus.PENDING.value: "待启动", ReportStatus.FILLING.value: "部门填报",
                 ReportStatus.SIGNOFF.value: "部门负责人审核", ReportStatus.BUSINESS_REVIEW.value: "业务科室审核",
                 ReportStatus.DECISION.value: "绩效科审定", ReportStatus.CONCLUDED.value: "已办结"}
PAGE_SIZE = 50


@dataclass
class DepartmentFigures:
    department_id: int
    code: str
    name: str
    projects: int = 0
    budget: Decimal = Decimal("0.00")
    executed: Decimal = Decimal("0.00")
    colours: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLOUR_ORDER, 0))
    flagged_rows: int = 0          # indicators flagged, over all its reports
    flagged_projects: int = 0      # reports with at least one flagged indicator
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def rate(self) -> Decimal | None:
        """The department's 执行率: its executed over its budget (not an average of the projects' rates)."""
        return execution_rate(self.executed, self.budget)

    @property
    def warnings(self) -> int:
        return self.colours["red"] + self.colours["yellow"]


@dataclass(frozen=True)
class ProjectLine:
    report_id: int
    project_id: int
    code: str
    name: str
    department: str
    budget: Decimal
    executed: Decimal | None
    rate: Decimal | None
    colour: str                    # red | yellow | green | none
    flagged_rows: int
    outcome: str | None
    status: str
    rectification_id: int | None


@dataclass
class Board:
    round: MonitoringRound
    departments: list[DepartmentFigures]
    total: DepartmentFigures
    projects: list[ProjectLine]    # the worst first, one page of them
    project_count: int             # every visible report of the round (the filter applied)
    department_filter: str | None = None


def _colour_column():
    return func.coalesce(MonitoringReport.colour, literal(NOT_REPORTED))


def _conditions(actor: User, round_id: int, department: str | None) -> list[Any]:
    conditions = [MonitoringReport.round_id == round_id, monitoring.visible_reports_clause(actor)]
    if department:
        conditions.append(MonitoringReport.department_id.in_(select(Department.id)
                                                             .where(Department.code == department)))
    return conditions


def board(actor: User, round_id: int, *, department: str | None = None, limit: int = PAGE_SIZE,
          offset: int = 0) -> Board:
    """The board of a round as this user may see it (see the module docstring); `department`: one department's
    code (a filter of the bureau's view; a department sees only its own anyway)."""
    round_ = monitoring.get_round(actor, round_id)
    conditions = _conditions(actor, round_.id, department)
    departments = _departments(conditions)
    total = DepartmentFigures(0, "", "合计")
    for figures in departments:
        total.projects += figures.projects
        total.budget += figures.budget
        total.executed += figures.executed
        total.flagged_rows += figures.flagged_rows
        total.flagged_projects += figures.flagged_projects
        for key, n in figures.colours.items():
            total.colours[key] += n
        for key, n in figures.outcomes.items():
            total.outcomes[key] += n
    # Departments with the most warnings first (red weighs most), then by code.
    departments.sort(key=lambda d: (-d.colours["red"], -d.warnings, -d.flagged_rows, d.code))
    projects = project_lines(conditions, limit=limit, offset=offset) if total.projects else []
    return Board(round_, departments, total, projects, total.projects, department)


def _departments(conditions: list[Any]) -> list[DepartmentFigures]:
    colour = _colour_column()
    columns = [func.count(MonitoringReport.id).label("projects"),
               func.coalesce(func.sum(MonitoringReport.budget), 0).label("budget"),
               func.coalesce(func.sum(MonitoringReport.executed), 0).label("executed"),
               func.coalesce(func.sum(MonitoringReport.flagged_rows), 0).label("flagged_rows"),
               func.sum(case((MonitoringReport.flagged_rows > 0, 1), else_=0)).label("flagged_projects")]
    columns += [func.sum(case((colour == key, 1), else_=0)).label(f"colour_{key}") for key in COLOUR_ORDER]
    columns += [func.sum(case((MonitoringReport.outcome == key, 1), else_=0)).label(f"outcome_{key}")
                for key in OUTCOMES]
    query = (select(Department.id, Department.code, Department.name, *columns)
             .join(Department, Department.id == MonitoringReport.department_id)
             .where(*conditions).group_by(Department.id, Department.code, Department.name))
    result = []
    for row in db.session.execute(query).mappings():
        result.append(DepartmentFigures(
            row["id"], row["code"], row["name"], row["projects"], _money(row["budget"]), _money(row["executed"]),
            {key: int(row[f"colour_{key}"] or 0) for key in COLOUR_ORDER}, int(row["flagged_rows"] or 0),
            int(row["flagged_projects"] or 0), {key: int(row[f"outcome_{key}"] or 0) for key in OUTCOMES}))
    return result


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _worst_first() -> list[Any]:
    colour_rank = case((MonitoringReport.colour == "red", 0), (MonitoringReport.colour == "yellow", 1),
                       (MonitoringReport.colour == "green", 2), else_=3)
    # NULL rates (no budget, not reported) after every number, on SQLite and PostgreSQL alike.
    no_rate = case((MonitoringReport.execution_rate.is_(None), 1), else_=0)
    return [colour_rank, no_rate, MonitoringReport.execution_rate, MonitoringReport.flagged_rows.desc(),
            Project.code, MonitoringReport.id]


def project_lines(conditions: list[Any], *, limit: int | None, offset: int = 0) -> list[ProjectLine]:
    query = (select(MonitoringReport.id, MonitoringReport.project_id, Project.code, Project.name, Department.name,
                    MonitoringReport.budget, MonitoringReport.executed, MonitoringReport.execution_rate,
                    _colour_column(), MonitoringReport.flagged_rows, MonitoringReport.outcome,
                    MonitoringReport.status, MonitoringReport.rectification_id)
             .join(Project, Project.id == MonitoringReport.project_id)
             .join(Department, Department.id == MonitoringReport.department_id)
             .where(*conditions).order_by(*_worst_first()).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [ProjectLine(*row) for row in db.session.execute(query)]


def chart_data(result: Board) -> dict[str, Any]:
    """What the page's charts draw (static/js/monitoring-board.js); the same figures are in its tables."""
    names = [d.name for d in result.departments]
    return {
        "colours": {"labels": names, "series": [
            {"key": key, "name": BOARD_COLOUR_LABELS[key], "values": [d.colours[key] for d in result.departments]}
            for key in COLOUR_ORDER]},
        "outcomes": {"labels": [OUTCOMES[key] for key in OUTCOMES],
                     "values": [result.total.outcomes[key] for key in OUTCOMES], "series": "项目数"},
        "rates": {"labels": names, "values": [float(d.rate) if d.rate is not None else 0
                                              for d in result.departments], "series": "执行率", "unit": "%"},
    }


# == the 监控汇总表 (Excel) ===========================================================================
SUMMARY_HEADERS = ["序号", "项目编码", "项目名称", "实施单位", "年初预算数（万元）", "执行数（万元）", "执行率（%）",
                   "时间进度（%）", "预警", "偏离指标数", "偏离指标", "监控结果", "处理意见", "办理状态"]
SUMMARY_WIDTHS = [6, 16, 30, 24, 14, 14, 11, 11, 10, 10, 40, 10, 36, 14]


def summary_filename(round_: MonitoringRound) -> str:
    return f"绩效运行监控汇总表-{round_.year}年1-{round_.month}月.xlsx"


def summary_xlsx(actor: User, round_id: int, *, department: str | None = None) -> tuple[BytesIO, MonitoringRound]:
    """The round's 监控汇总表: one row per visible project, the worst first, and a sheet per department."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    round_ = monitoring.get_round(actor, round_id)
    conditions = _conditions(actor, round_.id, department)
    lines = project_lines(conditions, limit=None)
    opinions = dict(db.session.execute(select(MonitoringReport.id, MonitoringReport.outcome_opinion)
                                       .where(*conditions)).all())
    flagged: dict[int, list[str]] = {}
    for report_id, name in db.session.execute(
            select(MonitoringIndicatorRow.report_id, MonitoringIndicatorRow.name)
            .join(MonitoringReport, MonitoringReport.id == MonitoringIndicatorRow.report_id)
            .where(*conditions, MonitoringIndicatorRow.flag.is_(True))
            .order_by(MonitoringIndicatorRow.report_id, MonitoringIndicatorRow.position)):
        flagged.setdefault(report_id, []).append(name)
    departments = _departments(conditions)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "监控汇总表"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fills = {"red": PatternFill("solid", fgColor="F8D7DA"), "yellow": PatternFill("solid", fgColor="FFF3CD"),
             "green": PatternFill("solid", fgColor="D1E7DD")}
    sheet.append([f"{round_.year}年1-{round_.month}月项目支出绩效运行监控汇总表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SUMMARY_HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"导出时间：{now().astimezone(LOCAL):%Y-%m-%d %H:%M}　时间进度：{elapsed(round_.month)}%　单位：万元"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(SUMMARY_HEADERS))
    sheet.append(SUMMARY_HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    time_progress = elapsed(round_.month)
    # One named style per kind of cell, set once per cell: assigning a Border and an Alignment to each of 42,000
    # cells made openpyxl hash those objects 250,000 times (12 s for 3,000 rows).
    styles = _cell_styles(workbook, border, fills)
    column_styles = ["text"] * len(SUMMARY_HEADERS)
    column_styles[4] = column_styles[5] = "money"
    column_styles[6] = column_styles[7] = "percent"
    for number, line in enumerate(lines, start=1):
        sheet.append([number, line.code, line.name, line.department, line.budget, line.executed,
                      line.rate, time_progress, BOARD_COLOUR_LABELS.get(line.colour, line.colour), line.flagged_rows,
                      "、".join(flagged.get(line.report_id, [])), OUTCOMES.get(line.outcome or "", ""),
                      opinions.get(line.report_id) or "", STATUS_LABELS.get(line.status, line.status)])
        # The row by number: sheet.max_row and sheet[row] scan every cell, which made 3,000 rows quadratic.
        row = 3 + number
        for column, kind in enumerate(column_styles, start=1):
            sheet.cell(row, column).style = styles[kind]
        if line.colour in fills:
            sheet.cell(row, 9).style = styles[line.colour]
    sheet.freeze_panes = "A4"
    for index, width in enumerate(SUMMARY_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    by_department = workbook.create_sheet("分部门汇总")
    headers = ["部门", "项目数", "年初预算数（万元）", "执行数（万元）", "执行率（%）", "红色预警", "黄色预警", "正常",
               "未报送", "偏离指标数", *OUTCOMES.values()]
    by_department.append(headers)
    for cell in by_department[1]:
        cell.font = Font(bold=True)
        cell.border = border
    for d in sorted(departments, key=lambda d: d.code):
        by_department.append([d.name, d.projects, d.budget, d.executed, d.rate, *(d.colours[k] for k in COLOUR_ORDER),
                              d.flagged_rows, *(d.outcomes[k] for k in OUTCOMES)])
    for index, width in enumerate([26, 8, 16, 14, 11, 9, 9, 9, 9, 10, 10, 8, 10, 10, 10], start=1):
        by_department.column_dimensions[get_column_letter(index)].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer, round_


def _cell_styles(workbook: Any, border: Any, fills: dict[str, Any]) -> dict[str, str]:
    from openpyxl.styles import Alignment, NamedStyle
    top = Alignment(vertical="top", wrap_text=True)
    specs = {"text": {}, "money": {"number_format": "#,##0.00"}, "percent": {"number_format": "0.00"},
             **{colour: {"fill": fill} for colour, fill in fills.items()}}
    names = {}
    for kind, extra in specs.items():
        name = f"summary_{kind}"
        workbook.add_named_style(NamedStyle(name=name, border=border, alignment=top, **extra))
        names[kind] = name
    return names


def elapsed(month: int) -> Decimal:
    """时间进度: the share of the year elapsed at the end of the cut-off month, in percent."""
    return (Decimal(month) * 100 / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
