"""结果应用: every evaluation result lands in next year's budget, and the departments are ranked by their scores.

Callers (the self-evaluation, the finance re-check, the key evaluation, the whole-department evaluation) call
`record` inside their own transaction when a result is final. The grade decides:
优 → 优先保障 (priority), 良 → 维持 (maintain), 中 → 核减 (reduce, by an amount), 差 → 取消 (cancel),
the same codes as the rectification's `budget_decision` (services/ledger.py DECISION).

For one project and budget year several results may exist; the one that counts is the strongest source:
重点评价 (a third party's key evaluation) over 财政复核 (finance's re-check) over 单位自评 (the department's own).
The project's `budget_decision` shows the counting one.

Read side: the next-year budget decision list (per department, with the amount suggested for the next year)
and the departments' annual ranking by their average counting score (部门绩效考核), both as pages and Excel.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import Department, Project, User
from ..models.result_application import ResultApplication
from . import audit, policy, spreadsheets
from .errors import Invalid, NotFound
from .transaction import transactional

SELF_EVALUATION, RECHECK, KEY_EVALUATION = "self_evaluation", "recheck", "key_evaluation"
SOURCES = {SELF_EVALUATION: "单位自评", RECHECK: "财政复核", KEY_EVALUATION: "重点评价"}
PRECEDENCE = {SELF_EVALUATION: 1, RECHECK: 2, KEY_EVALUATION: 3}
GRADE_DECISION = {"优": "priority", "良": "maintain", "中": "reduce", "差": "cancel"}
# The labels of services/ledger.py DECISION (the rectification's result uses the same codes).
DECISION_LABELS = {"priority": "优先保障", "maintain": "维持", "reduce": "核减", "cancel": "取消"}
TWO = Decimal("0.01")


def decision_for(grade: str) -> str:
    try:
        return GRADE_DECISION[grade]
    except KeyError:
        raise Invalid("评价等级只能是优、良、中、差", {"grade": ["只能是优、良、中、差"]}) from None


def budget_year_after(project: Project) -> int:
    """The budget an evaluation of `project` decides: the year after the project's fiscal year."""
    return project.fiscal_year + 1


def _amount(value: Any, name: str, errors: dict[str, list[str]], upper: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0:
        errors.setdefault(name, []).append("须为不小于 0 的金额（万元）")
        return None
    number = number.quantize(TWO, ROUND_HALF_UP)
    if upper is not None and number > upper:
        errors.setdefault(name, []).append(f"核减金额不能超过项目金额 {upper} 万元")
    return number


def record(project: Project, budget_year: int, source: str, score: Any, grade: str, decided_by: User | None,
           reduce_amount: Any = None, note: str = "") -> ResultApplication:
    """Store (or replace) one source's result for the project's `budget_year` budget and return it.

    Runs inside the caller's transaction (no commit here); raises Invalid (nothing written) on bad input.
    `reduce_amount` (万元) goes with 中 (核减); None there means "amount to be set" by the performance section.
    """
    errors: dict[str, list[str]] = {}
    if source not in SOURCES:
        errors["source"] = [f"来源只能是{'、'.join(SOURCES)}"]
    if grade not in GRADE_DECISION:
        errors["grade"] = ["只能是优、良、中、差"]
    try:
        score_value = Decimal(str(score)).quantize(TWO, ROUND_HALF_UP)
        if not Decimal(0) <= score_value <= Decimal(100):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["score"] = ["须为 0–100 的分数"]
        score_value = Decimal(0)
    amount = _amount(reduce_amount, "reduce_amount", errors, Decimal(project.amount))
    if amount is not None and grade in GRADE_DECISION and grade != "中":
        errors.setdefault("reduce_amount", []).append("只有等级为“中”（核减）时才填写核减金额")
    if not isinstance(budget_year, int) or budget_year < project.fiscal_year:
        errors["budget_year"] = ["预算年度不能早于项目年度"]
    if errors:
        raise Invalid("评价结果有误", errors)
    row = db.session.scalars(select(ResultApplication).where(
        ResultApplication.project_id == project.id, ResultApplication.budget_year == budget_year,
        ResultApplication.source == source)).first()
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = ResultApplication(project_id=project.id, department_id=project.department_id,
                                evaluated_year=project.fiscal_year, budget_year=budget_year, source=source)
        db.session.add(row)
    row.score, row.grade, row.decision = score_value, grade, GRADE_DECISION[grade]
    row.reduce_amount, row.note = amount, (note or "").strip()
    row.decided_by = decided_by.username if decided_by is not None else "system"
    row.decided_at = now()
    db.session.flush()
    project.budget_decision = effective(project.id, budget_year).decision
    audit.record("result_applied", decided_by, object_type="project", object_id=project.id,
                 before=before, after=_snapshot(row))
    return row


@transactional
def set_reduce_amount(actor: User, result_id: int, reduce_amount: Any, note: str | None = None) -> ResultApplication:
    """The performance section sets (or corrects) the cut of a 核减 result (a self-evaluation records none)."""
    row = db.session.get(ResultApplication, result_id)
    if row is None or not policy.may(actor, "see_project", row.project):
        raise NotFound("评价结果不存在")
    policy.require(actor, "set_reduce_amount")
    errors: dict[str, list[str]] = {}
    if row.decision != "reduce":
        raise Invalid("只有应用结果为“核减”的项目才有核减金额", {"reduce_amount": ["该项目的应用结果不是核减"]})
    amount = _amount(reduce_amount, "reduce_amount", errors, Decimal(row.project.amount))
    if amount is None and not errors:
        errors["reduce_amount"] = ["请填写核减金额（万元）"]
    if errors:
        raise Invalid("核减金额有误", errors)
    before = _snapshot(row)
    row.reduce_amount = amount
    if note is not None:
        row.note = note.strip()
    audit.record("result_reduce_amount_set", actor, object_type="project", object_id=row.project_id,
                 before=before, after=_snapshot(row))
    return row


def _snapshot(row: ResultApplication) -> dict[str, Any]:
    return {"budget_year": row.budget_year, "source": row.source, "score": str(row.score), "grade": row.grade,
            "decision": row.decision, "reduce_amount": None if row.reduce_amount is None else str(row.reduce_amount)}


def _strongest(rows: list[ResultApplication]) -> ResultApplication:
    return max(rows, key=lambda r: (PRECEDENCE.get(r.source, 0), r.decided_at, r.id))


def effective(project_id: int, budget_year: int) -> ResultApplication | None:
    """The result that counts for the project's `budget_year` budget (None: not evaluated)."""
    rows = list(db.session.scalars(select(ResultApplication).where(
        ResultApplication.project_id == project_id, ResultApplication.budget_year == budget_year)))
    return _strongest(rows) if rows else None


def for_project(actor: User, project: Project) -> list[ResultApplication]:
    """Every result recorded for a project (the project page), newest budget year first."""
    policy.require(actor, "see_project", project)
    return list(db.session.scalars(select(ResultApplication).where(ResultApplication.project_id == project.id)
                                   .order_by(ResultApplication.budget_year.desc(), ResultApplication.id)))


# -- the next-year budget decision list -----------------------------------------------------------------------
@dataclass
class Decision:
    result: ResultApplication
    superseded: list[ResultApplication] = field(default_factory=list)   # weaker sources of the same project

    @property
    def project(self) -> Project:
        return self.result.project

    @property
    def suggested_amount(self) -> Decimal | None:
        """下年度建议安排数 from this year's amount: kept, less the cut, or nothing; None while a cut is unset."""
        amount = Decimal(self.project.amount)
        if self.result.decision == "cancel":
            return Decimal("0.00")
        if self.result.decision == "reduce":
            return None if self.result.reduce_amount is None else amount - self.result.reduce_amount
        return amount


def decisions(actor: User, budget_year: int, department: str | None = None) -> list[Decision]:
    """The counting result of every project the actor may see for `budget_year`, by department and project."""
    query = (select(ResultApplication).join(Project, Project.id == ResultApplication.project_id)
             .where(ResultApplication.budget_year == budget_year, policy.visible_projects_clause(actor)))
    if department:
        query = query.join(Department, Department.id == ResultApplication.department_id).where(
            Department.code == department)
    by_project: dict[int, list[ResultApplication]] = defaultdict(list)
    for row in db.session.scalars(query):
        by_project[row.project_id].append(row)
    result = []
    for rows in by_project.values():
        best = _strongest(rows)
        result.append(Decision(best, [r for r in rows if r is not best]))
    result.sort(key=lambda d: (d.project.department.code, d.project.code))
    return result


# -- the departments' annual ranking (部门绩效考核) ----------------------------------------------------------------
@dataclass
class RankingRow:
    rank: int
    department: Department
    projects: int
    average: Decimal
    grades: dict[str, int]
    recheck_gap: Decimal | None = None   # mean |department − finance| over re-checked projects (RANKING_GAPS)


# Providers of the ranking's quality figure: evaluated year → {department id: mean score gap}. The finance
# re-check (services/self_evaluation.py) adds one, so this module needs not know the re-check's tables.
RANKING_GAPS: list[Callable[[int], dict[int, Decimal]]] = []


def ranking(actor: User, evaluated_year: int) -> list[RankingRow]:
    """Departments by the average counting score of their projects evaluated for `evaluated_year`, best first.
    Equal averages share a rank (1, 1, 3)."""
    policy.require(actor, "see_evaluation_ranking")
    rows = list(db.session.scalars(select(ResultApplication).where(
        ResultApplication.evaluated_year == evaluated_year)))
    by_project: dict[tuple[int, int], list[ResultApplication]] = defaultdict(list)
    for row in rows:
        by_project[(row.project_id, row.budget_year)].append(row)
    per_department: dict[int, list[ResultApplication]] = defaultdict(list)
    for group in by_project.values():
        best = _strongest(group)
        per_department[best.department_id].append(best)
    departments = {d.id: d for d in db.session.scalars(select(Department).where(
        Department.id.in_(per_department)))}
    table = []
    for department_id, results in per_department.items():
        average = (sum((r.score for r in results), Decimal(0)) / len(results)).quantize(TWO, ROUND_HALF_UP)
        grades = {g: sum(1 for r in results if r.grade == g) for g in GRADE_DECISION}
        table.append(RankingRow(0, departments[department_id], len(results), average, grades))
    gaps: dict[int, Decimal] = {}
    for provider in RANKING_GAPS:
        gaps.update(provider(evaluated_year))
    for row in table:
        row.recheck_gap = gaps.get(row.department.id)
    table.sort(key=lambda r: (-r.average, r.department.code))
    for index, row in enumerate(table):
        row.rank = table[index - 1].rank if index and table[index - 1].average == row.average else index + 1
    return table


# -- Excel ----------------------------------------------------------------------------------------------------
DECISION_HEADERS = ["序号", "部门", "项目编码", "项目名称", "评价年度", "结果来源", "评价得分", "评价等级", "应用结果",
                    "本年项目金额（万元）", "核减金额（万元）", "下年度建议安排数（万元）", "说明"]
DECISION_WIDTHS = [6, 22, 16, 30, 9, 10, 9, 9, 10, 14, 12, 16, 36]
RANKING_HEADERS = ["名次", "部门", "评价项目数", "平均得分", "优", "良", "中", "差", "自评与复核平均差异（分）"]
RANKING_WIDTHS = [6, 26, 10, 10, 6, 6, 6, 6, 20]


def decision_rows(items: list[Decision]) -> list[list[object]]:
    return [[index, d.project.department.name, d.project.code, d.project.name, d.result.evaluated_year,
             SOURCES.get(d.result.source, d.result.source), d.result.score, d.result.grade,
             DECISION_LABELS.get(d.result.decision, d.result.decision), Decimal(d.project.amount),
             d.result.reduce_amount, d.suggested_amount, d.result.note]
            for index, d in enumerate(items, start=1)]


def ranking_rows(items: list[RankingRow]) -> list[list[object]]:
    return [[r.rank, r.department.name, r.projects, r.average, *(r.grades[g] for g in GRADE_DECISION),
             r.recheck_gap] for r in items]


def workbook(title: str, sheet_title: str, headers: list[str], widths: list[int], rows: list[list[object]],
             number_columns: set[str]) -> BytesIO:
    """A printable sheet in the style of the rectification ledger: title, subtitle, bordered table."""
    return spreadsheets.titled_table(
        title=title, subtitle=f"编制单位：县财政局绩效管理科　　导出时间：{now().astimezone(_local()):%Y-%m-%d %H:%M}",
        sheet_title=sheet_title, headers=headers, widths=widths, rows=rows,
        formats=dict.fromkeys(number_columns, spreadsheets.MONEY))


def _local():
    from .rectification import LOCAL
    return LOCAL


def decisions_workbook(actor: User, budget_year: int, department: str | None = None) -> BytesIO:
    return workbook(f"{budget_year}年度预算安排绩效评价结果应用清单", f"{budget_year}年结果应用", DECISION_HEADERS,
                    DECISION_WIDTHS, decision_rows(decisions(actor, budget_year, department)),
                    {"评价得分", "本年项目金额（万元）", "核减金额（万元）", "下年度建议安排数（万元）"})


def ranking_workbook(actor: User, evaluated_year: int, items: list[RankingRow] | None = None) -> BytesIO:
    items = ranking(actor, evaluated_year) if items is None else items
    return workbook(f"{evaluated_year}年度部门绩效评价得分排名（部门绩效考核）", f"{evaluated_year}年排名",
                    RANKING_HEADERS, RANKING_WIDTHS, ranking_rows(items), {"平均得分", "自评与复核平均差异（分）"})
