"""部门整体支出绩效目标表: a department's annual goals (部门整体绩效) in and out, as the project goal table is.

The approved version (or, before approval, the current one) prints as PDF in the bureau's layout — 部门名称, 年度,
部门预算总额（万元）, 年度总体目标, then the indicator table 一级指标 (履职效能 / 管理效率) / 二级指标 / 三级指标 /
指标值 / 权重 — and exports to Excel; the department imports the same sheet into its goal editor
(draft_dept_goals). The sheet is written and read by services/goal_table.py's `write_sheet`/`read_sheet` with
this process's layout (`DEPARTMENT_SHEET`): the same reader as the project's, so the same behaviour — every bad row
reported as 第N行 with its column and reason, nothing imported half, nothing stored until the editor is submitted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from flask import render_template
from sqlalchemy import select

from ..extensions import db
from ..json_provider import exact_number
from ..models import HumanTask, TaskState, User
from ..models.department_performance import (LEVELS, OPERATORS, DepartmentGoalVersion, DepartmentPerformance)
from . import audit, pdf, policy
from . import department_performance as dp
from .errors import Conflict, Invalid
from .goal_table import Column, ImportedGoals, SheetLayout, merged_rows, read_sheet, write_sheet
from .transaction import transactional


def _row_form() -> type:
    from forms.department_performance import DeptIndicatorForm  # noqa: PLC0415 - the editor's own row rules
    return DeptIndicatorForm


OVERALL_LABEL = "年度总体目标"
AMOUNT_LABEL = "部门预算总额（万元）"
DEPARTMENT_SHEET = SheetLayout(
    sheet_title="部门整体绩效目标表", template_name="部门整体支出绩效目标表",
    columns=(Column("一级指标", "level1", 12), Column("二级指标", "level2", 12), Column("三级指标", "name", 30),
             Column("运算符", "operator", 8), Column("指标值", "target", 20, "value"), Column("计量单位", "unit", 10),
             Column("权重", "weight", 8, "number")),
    levels=LEVELS, operators=OPERATORS, row_form=_row_form,
    # The editor calls it 年度整体绩效目标; a sheet filled by hand may use either name.
    overall_labels=(OVERALL_LABEL, "年度整体绩效目标", "年度绩效目标"), amount_labels=("部门预算总额", "年度预算"))


@dataclass
class DepartmentGoalTable:
    """What one department goal table shows: the case, the version it prints, whether that is the approved one."""

    case: DepartmentPerformance
    version: DepartmentGoalVersion | None
    approved_at: datetime | None = None

    @property
    def approved(self) -> bool:
        return self.version is not None and self.version.number == self.case.approved_version

    def printed_rows(self) -> list[tuple[Any, int, int]]:
        return merged_rows(self.version.indicators if self.version else [])

    def section_weights(self) -> dict[str, Decimal]:
        """The weight of each 一级指标 (履职效能, 管理效率): printed under its name in the merged cell."""
        totals: dict[str, Decimal] = {}
        for indicator in (self.version.indicators if self.version else []):
            totals[indicator.level1] = totals.get(indicator.level1, Decimal(0)) + indicator.weight
        return totals


def case_table(actor: User, case_id: int) -> DepartmentGoalTable:
    """The case's goal table as it stands: the approved version, else the latest written, else empty.
    Another department's case does not exist (404)."""
    case = dp.get(actor, case_id)
    version = dp.approved_version(case) or dp.current_version(case)
    approved_at = None
    if case.approved_version is not None:
        # The performance section's approving review opinion dates the approval (批复, with the budget).
        approved_at = max((o.created_at for o in case.opinions
                           if o.kind == "goals_review" and o.decision == "approved"), default=None)
    return DepartmentGoalTable(case, version, approved_at)


# -- out ----------------------------------------------------------------------------------------------------------------
def html(table: DepartmentGoalTable) -> str:
    return render_template("pdf/department_goal_table.html", table=table)


def pdf_stream(table: DepartmentGoalTable) -> BytesIO:
    return BytesIO(pdf.render_pdf("pdf/department_goal_table.html", table=table))


def to_xlsx(table: DepartmentGoalTable) -> BytesIO:
    case, version = table.case, table.version
    amount = version.amount if version else None
    return write_sheet(
        DEPARTMENT_SHEET, f"{case.year}年度部门整体支出绩效目标表",
        [[("部门名称", case.department.name, 3), ("年度", case.year, 2)],
         [(AMOUNT_LABEL, _amount(amount), 3), ("目标版本", _version_label(table), 2)]],
        (OVERALL_LABEL, version.overall_goal if version else ""), version.indicators if version else [])


def _amount(value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _version_label(table: DepartmentGoalTable) -> str:
    if table.version is None:
        return "（尚未编制）"
    return f"第{table.version.number}版（{'已批复' if table.approved else '尚未批复'}）"


def filename(table: DepartmentGoalTable, extension: str) -> str:
    return f"{table.case.year}-{table.case.department.code}-部门整体绩效目标表.{extension}"


# -- in -------------------------------------------------------------------------------------------------------------------
def draft_task(actor: User, case_id: int) -> HumanTask:
    """The case's goal editor step (编制年度部门整体绩效目标) the actor may do now: 404 for another department's
    case, 409 when the goals are not being drafted, 403 for someone who sees the case but does not draft."""
    case = dp.get(actor, case_id)
    task = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == case.instance_id, HumanTask.name.in_(dp.GOAL_TASKS),
        HumanTask.state == TaskState.READY.value)).first()
    if task is None:
        raise Conflict("年度绩效目标当前不在编制中，不能导入")
    policy.require(actor, "complete", task)
    return task


@transactional
def import_into_case(actor: User, case_id: int, stream: Any) -> tuple[HumanTask, ImportedGoals]:
    """Read a department goal table file for the case's draft step: (task, the rows). Nothing of the goals is
    stored: the editor shows the rows and the department submits them as typed ones. The import is audited."""
    task = draft_task(actor, case_id)
    if stream is None:
        raise Invalid("请选择要导入的 Excel 文件（.xlsx）", {"file": ["请选择文件"]})
    goals = read_sheet(DEPARTMENT_SHEET, stream)
    audit.record("dept_perf_goal_table_imported", actor, instance_id=task.instance_id, task_id=task.id,
                 task_name=task.name, object_type="department_performance", object_id=case_id,
                 after={"indicators": len(goals.indicators), "amount": goals.amount or None})
    return task, goals


def imported_json(goals: ImportedGoals) -> dict[str, Any]:
    """The rows as `POST /tasks/<id>/complete` takes them for draft_dept_goals (the amount as written)."""
    return {"overall_goal": goals.overall_goal, "amount": goals.amount or None,
            "indicators": [{**row, "weight": exact_number(row["weight"])} for row in goals.indicators]}
