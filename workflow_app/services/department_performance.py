"""部门整体绩效 (whole-department performance): domain behaviour around bpmn/department_performance.bpmn.

One case a year per department. The BPMN decides the order of the steps; this module starts the year's cases,
keeps the annual goals as immutable versions (a return with the performance section's opinion makes the
department write a new one), stores what each step produced (per-task handlers in a table), scores the
self-evaluation (services/department_performance_scoring.py → evaluation_scoring) and prints the
self-evaluation report that goes to 人大 in August (`finished_reports`, `report_pdf`).

Files of this process: bpmn/department_performance.bpmn, forms/department_performance.py,
models/department_performance.py, this module and department_performance_scoring.py,
api/department_performance.py, web/department_performance.py, templates/processes/department_performance/,
templates/pdf/department_performance_report.html, department_performance_goal_table.py (the goal table in and
out); its declaration for the generic code is
processes/department_performance.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..engine import now
from ..extensions import db
from ..models import Department, InstanceStatus, Role, User, UserRole
from ..processes.registry import PublishableDocument
from ..models.department_performance import (DEFAULT_MANAGEMENT_INDICATORS, STATUS_LABELS, CaseStatus,
                                             DepartmentGoalVersion, DepartmentIndicator, DepartmentPerformance,
                                             DepartmentPerformanceOpinion)
from . import attachments, audit, evaluation_scoring, goals, instances, notifications, pdf, policy
from . import department_performance_scoring as scoring
from .errors import Conflict, Invalid, NotFound
from .hooks import Completion, ProcessHooks
from .transaction import transactional

DEPARTMENT_PERFORMANCE = "department_performance"
START_ENDPOINT = "POST /api/v1/department-performance"
GOAL_TASKS = ("draft_dept_goals",)
EVALUATION_TASK = "dept_self_evaluate"
MAX_YEAR_SPAN = 5   # a year this far from today's is a typing slip, not a plan


# -- starting ---------------------------------------------------------------------------------------
def default_departments() -> list[Department]:
    """The departments that file (have a 部门填报人): the spending departments of the county, not the
    finance bureau's sections or the expert pool."""
    filer_departments = select(User.department_id).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.DEPARTMENT_FILER.value, User.active.is_(True), User.department_id.is_not(None))
    return list(db.session.scalars(select(Department).where(Department.id.in_(filer_departments))
                                   .order_by(Department.code)))


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise Invalid("year 须为整数年度", {"year": ["整数年度，如 2027"]})
    this_year = now().year
    if not this_year - MAX_YEAR_SPAN <= year <= this_year + MAX_YEAR_SPAN:
        raise Invalid(f"年度须在 {this_year - MAX_YEAR_SPAN}–{this_year + MAX_YEAR_SPAN} 之间", {"year": ["年度超出范围"]})
    return year


def _departments_named(codes: Any) -> list[Department]:
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c for c in codes) \
            or len(codes) > 1000:
        raise Invalid("departments 须为部门编码的非空列表", {"departments": ["部门编码列表"]})
    found = {d.code: d for d in db.session.scalars(select(Department).where(Department.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise Invalid("部门不存在：" + "、".join(unknown), {"departments": [f"不存在：{c}" for c in unknown]})
    return [found[c] for c in dict.fromkeys(codes)]


def evaluation_opens_at(year: int) -> str:
    """The self-evaluation opens when the year is over (1 January of the next year, the county's time)."""
    return datetime(year + 1, 1, 1, tzinfo=timezone.utc).isoformat()


@dataclass
class YearStart:
    started: list[DepartmentPerformance]
    skipped: list[str]        # codes of departments that already had the year's case


@transactional
def start_year(actor: User, year: Any, department_codes: Any = None) -> YearStart:
    """One case per department for the year (the departments with filers, or those named); a department
    that already has the year's case is skipped, so starting again starts only the missing ones."""
    policy.require(actor, "start_department_performance")
    year = _check_year(year)
    departments = default_departments() if department_codes is None else _departments_named(department_codes)
    existing = set(db.session.scalars(select(DepartmentPerformance.department_id).where(
        DepartmentPerformance.year == year)))
    result = YearStart([], [d.code for d in departments if d.id in existing])
    for department in departments:
        if department.id in existing:
            continue
        case = DepartmentPerformance(department_id=department.id, year=year, created_by=actor.username,
                                     status=CaseStatus.GOALS.value)
        db.session.add(case)
        try:
            db.session.flush()
        except IntegrityError as error:   # started at the same moment by someone else
            raise Conflict(f"{department.name} {year} 年度的部门整体绩效已发起，请刷新后重试") from error
        started = instances.start_instance_unlocked(
            actor, DEPARTMENT_PERFORMANCE,
            {"case_id": case.id, "year": year, "evaluation_opens_at": evaluation_opens_at(year)},
            None, department_id=department.id)
        case.instance_id = started.instance.id
        audit.record("department_performance_started", actor, instance_id=started.instance.id,
                     object_type="department_performance", object_id=case.id,
                     after={"department": department.code, "year": year})
        result.started.append(case)
    return result


# -- reading ----------------------------------------------------------------------------------------
def visible_clause(actor: User):
    """The cases a user may list: all for the bureau, the business sections and the supervisors; a
    department its own; nobody else any."""
    if policy.may(actor, "see_every_department_performance"):
        return DepartmentPerformance.id.is_not(None)
    if actor.department_id is None:
        return DepartmentPerformance.id.is_(None)
    return DepartmentPerformance.department_id == actor.department_id


def get(actor: User, case_id: int) -> DepartmentPerformance:
    case = db.session.get(DepartmentPerformance, case_id)
    if case is None:
        raise NotFound("部门整体绩效不存在")
    policy.require(actor, "see_department_performance", case)
    return case


def for_instance(instance_id: int) -> DepartmentPerformance | None:
    return db.session.scalars(select(DepartmentPerformance).where(
        DepartmentPerformance.instance_id == instance_id)).first()


@dataclass
class Listing:
    items: list[DepartmentPerformance]
    total: int


def list_cases(actor: User, *, year: int | None = None, department: str | None = None,
               status: str | None = None, limit: int = 50, offset: int = 0) -> Listing:
    conditions = [visible_clause(actor)]
    if year is not None:
        conditions.append(DepartmentPerformance.year == year)
    if department:
        dept = db.session.scalars(select(Department).where(Department.code == department)).first()
        conditions.append(DepartmentPerformance.department_id == (dept.id if dept else -1))
    if status:
        if status not in STATUS_LABELS:
            raise Invalid("status 无效", {"status": [f"只能是 {'、'.join(STATUS_LABELS)}"]})
        conditions.append(DepartmentPerformance.status == status)
    total = db.session.scalar(select(func.count()).select_from(DepartmentPerformance).where(*conditions)) or 0
    items = list(db.session.scalars(
        select(DepartmentPerformance).join(Department, Department.id == DepartmentPerformance.department_id)
        .where(*conditions).order_by(DepartmentPerformance.year.desc(), Department.code)
        .limit(limit).offset(offset)))
    return Listing(items, total)


def years(actor: User) -> list[int]:
    return sorted(set(db.session.scalars(select(DepartmentPerformance.year).where(visible_clause(actor)))),
                  reverse=True)


def current_version(case: DepartmentPerformance) -> DepartmentGoalVersion | None:
    return case.version(case.current_version)


def approved_version(case: DepartmentPerformance) -> DepartmentGoalVersion | None:
    return case.version(case.approved_version)


def version_diffs(case: DepartmentPerformance) -> list[goals.GoalDiff]:
    """Each version against the one before it, newest first (the project goal diff: services/goals.diff)."""
    ordered = sorted(case.versions, key=lambda v: v.number)
    return [goals.diff(old, new) for old, new in zip(ordered, ordered[1:])][::-1]


def indicator_rows(version: DepartmentGoalVersion) -> list[dict[str, Any]]:
    """The indicators as the scoring reads them, with each one's points."""
    rows = [{"category": i.category, "weight": i.weight, "operator": i.operator, "target": i.target,
             "name": i.name} for i in version.indicators]
    for row, points in zip(rows, scoring.indicator_points(rows)):
        row["points"] = points
    return rows


def version_json(version: DepartmentGoalVersion) -> dict[str, Any]:
    from ..json_provider import exact_number
    points = [r["points"] for r in indicator_rows(version)] if version.indicators else []
    return {
        "id": version.id, "number": version.number, "round": version.round, "overall_goal": version.overall_goal,
        "amount": exact_number(version.amount), "created_by": version.created_by,
        "created_at": version.created_at.isoformat(),
        "indicators": [{"level1": i.level1, "level2": i.level2, "name": i.name, "operator": i.operator,
                        "target": i.target, "unit": i.unit, "weight": exact_number(i.weight),
                        "points": exact_number(p)} for i, p in zip(version.indicators, points)],
    }


def default_draft() -> dict[str, Any]:
    """A first draft: no 履职效能 indicators yet, the default 管理效率 set (the department adjusts it)."""
    return {"overall_goal": "", "indicators": [dict(i) for i in DEFAULT_MANAGEMENT_INDICATORS]}


# -- the steps ----------------------------------------------------------------------------------------
def _store_version(case: DepartmentPerformance, round_name: str, overall_goal: str, amount: Decimal,
                   rows: list[dict[str, Any]], created_by: str) -> DepartmentGoalVersion:
    number = max((v.number for v in case.versions), default=0) + 1
    version = DepartmentGoalVersion(case_id=case.id, number=number, round=round_name,
                                    overall_goal=overall_goal.strip(), amount=amount, created_by=created_by)
    version.indicators = [DepartmentIndicator(position=i, **row) for i, row in enumerate(rows)]
    db.session.add(version)
    db.session.flush()
    db.session.refresh(case, ["versions"])
    case.current_version = number
    return version


def _opinion(c: Completion, case: DepartmentPerformance, kind: str, decision: str, text: str | None) -> None:
    db.session.add(DepartmentPerformanceOpinion(
        case_id=case.id, task_id=c.task.id, kind=kind, author=c.actor.username, author_name=c.actor.name,
        decision=decision, text=(text or "").strip()))


def _draft_goals(c: Completion, case: DepartmentPerformance) -> None:
    round_name = "修改" if case.versions else "申报"
    version = _store_version(case, round_name, c.form.overall_goal.data, c.form.amount.data,
                             c.form.indicator_rows(), c.actor.username)
    c.task_data["goal_version"] = version.number
    case.status = CaseStatus.GOALS.value


def _decision(c: Completion) -> str:
    return "approved" if c.form.approved.data else "returned"


def _goals_signoff(c: Completion, case: DepartmentPerformance) -> None:
    _opinion(c, case, "goals_signoff", _decision(c), c.form.opinion.data)
    case.status = CaseStatus.GOALS_REVIEW.value if c.form.approved.data else CaseStatus.GOALS.value


def _review_goals(c: Completion, case: DepartmentPerformance) -> None:
    _opinion(c, case, "goals_review", _decision(c), c.form.opinion.data)
    if c.form.approved.data:
        # Approved together with the budget (批复): this version is the year's goals, never changed again.
        case.approved_version = case.current_version
        case.status = CaseStatus.GOALS_APPROVED.value
    else:
        case.status = CaseStatus.GOALS.value


def _result_field(path: str) -> str:
    """The engine's field path (rows.2.share) as the form's (results.2.achievement)."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "rows":
        name = "achievement" if parts[2] in ("share", "level") else parts[2]
        return f"results.{parts[1]}.{name}"
    return "results"


def score_results(case: DepartmentPerformance, results: list[dict[str, Any]]):
    version = approved_version(case)
    if version is None:
        raise Conflict("年度绩效目标尚未批复，不能自评")
    if len(results) != len(version.indicators):
        raise Invalid(f"须逐项填写全部 {len(version.indicators)} 个指标的完成情况",
                      {"results": [f"须为 {len(version.indicators)} 项，与批复的指标一一对应"]})
    try:
        return scoring.score(indicator_rows(version), results)
    except evaluation_scoring.ScoringError as error:
        fields: dict[str, list[str]] = {}
        for path, messages in error.fields.items():
            fields.setdefault(_result_field(path), []).extend(messages)
        raise Invalid("自评数据有误：" + "；".join(m for ms in fields.values() for m in ms), fields) from error


def _self_evaluate(c: Completion, case: DepartmentPerformance) -> None:
    results = c.form.result_rows()
    scored = score_results(case, results)
    version = approved_version(case)
    assert version is not None
    # The engine says which rows need a 偏差原因 (not met, or far above a target set too low).
    missing = [n for n in scored.needs_cause if not results[n]["reason"]]
    if missing:
        raise Invalid("未完成目标（或大幅超额完成）的指标须说明偏差原因",
                      {f"results.{n}.reason": ["请说明偏差原因及改进措施"] for n in missing})
    evidence = c.form.evidence_ids()
    # Files kept from a submission that was sent back belong to this case already; only new ones are claimed.
    new = [i for i in evidence if i not in (case.evidence or [])]
    if new:
        attachments.claim_for(c.actor, new, c.instance.id, "department_performance_evidence")
    case.results = [{**row, "key": list(i.key)} for row, i in zip(results, version.indicators)]
    case.overall_actual = c.form.overall_actual.data.strip()
    case.executed_amount = c.form.executed_amount.data
    case.analysis = c.form.analysis.data.strip()
    case.problems = c.form.problems.data.strip()
    case.improvements = c.form.improvements.data.strip()
    case.evidence = evidence
    case.score, case.grade, case.breakdown = scored.total, scored.grade, scoring.breakdown_json(scored)
    case.status = CaseStatus.EVALUATING.value
    c.task_data["self_score"] = str(scored.total)


def _evaluation_signoff(c: Completion, case: DepartmentPerformance) -> None:
    _opinion(c, case, "evaluation_signoff", _decision(c), c.form.opinion.data)
    case.status = CaseStatus.EVALUATION_REVIEW.value if c.form.approved.data else CaseStatus.EVALUATING.value


def _confirm_evaluation(c: Completion, case: DepartmentPerformance) -> None:
    _opinion(c, case, "evaluation_confirm", _decision(c), c.form.opinion.data)
    if c.form.approved.data:
        case.status = CaseStatus.FINISHED.value
        case.finished_at = now()
    else:
        case.status = CaseStatus.EVALUATING.value


# Per-task handlers (every user task of bpmn/department_performance.bpmn has one).
ON_COMPLETE: dict[str, Callable[[Completion, DepartmentPerformance], None]] = {
    "draft_dept_goals": _draft_goals, "dept_goals_signoff": _goals_signoff, "review_dept_goals": _review_goals,
    "dept_self_evaluate": _self_evaluate, "dept_evaluation_signoff": _evaluation_signoff,
    "confirm_dept_evaluation": _confirm_evaluation,
}


def _draft_source(case: DepartmentPerformance) -> dict[str, Any]:
    version = current_version(case)
    if version is None:
        return default_draft()
    return {"overall_goal": version.overall_goal, "amount": version.amount,
            "indicators": [{"level1": i.level1, "level2": i.level2, "name": i.name, "operator": i.operator,
                            "target": i.target, "unit": i.unit, "weight": i.weight} for i in version.indicators]}


def _evaluation_source(case: DepartmentPerformance) -> dict[str, Any]:
    version = approved_version(case)
    previous = case.results or []
    rows = []
    for n, _indicator in enumerate(version.indicators if version else []):
        old = previous[n] if n < len(previous) else {}
        achievement = old.get("achievement")
        rows.append({"actual": old.get("actual", ""), "reason": old.get("reason", ""),
                     "achievement": Decimal(str(achievement)) if achievement not in (None, "") else None})
    return {"results": rows, "overall_actual": case.overall_actual, "executed_amount": case.executed_amount,
            "analysis": case.analysis, "problems": case.problems, "improvements": case.improvements}


class DepartmentPerformanceHooks(ProcessHooks):
    def before_start(self, actor, project, data) -> None:
        # Only start_year creates the case row the instance belongs to.
        if project is not None or not isinstance(data.get("case_id"), int):
            raise Invalid(f"部门整体绩效须通过 {START_ENDPOINT} 发起", {"key": [f"请使用 {START_ENDPOINT}"]})

    def initial_data(self, task, project) -> dict[str, Any] | None:
        case = for_instance(task.instance_id)
        if case is None:
            return None
        if task.name in GOAL_TASKS:
            return _draft_source(case)
        if task.name == EVALUATION_TASK:
            return _evaluation_source(case)
        return None

    def form_context(self, task, project) -> dict[str, Any]:
        if task.name != EVALUATION_TASK:
            return {}
        case = for_instance(task.instance_id)
        version = approved_version(case) if case else None
        return {"indicators": list(version.indicators) if version else []}

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        case = for_instance(task.instance_id)
        if case is None:
            return {}
        context = {"case": case, "dp_current": current_version(case), "dp_approved": approved_version(case),
                   "dp_diffs": version_diffs(case)}
        if task.name == EVALUATION_TASK and context["dp_approved"] is not None:
            # The live breakdown (static/js/evaluation-scoring.js) scores with the same points and settings.
            rows = indicator_rows(context["dp_approved"])
            context["dp_points"] = [r["points"] for r in rows]
            context["dp_category_points"] = {k: float(v) for k, v in scoring.category_points(
                r["category"] for r in rows).items()}
            context["dp_scoring"] = {k: float(v) for k, v in scoring.scoring_options().items()}
        if task.name == EVALUATION_TASK:
            # The evaluator picks evidence from their uploads not yet used anywhere (as in a rectification report).
            from ..models import Attachment
            # After a return, the files the case already carries are offered (ticked) again with them.
            kept = list(db.session.scalars(select(Attachment).where(Attachment.id.in_(case.evidence or [-1]))))
            context["unused_uploads"] = kept + list(db.session.scalars(select(Attachment).where(
                Attachment.uploaded_by == viewer.username, Attachment.instance_id.is_(None))))
        return context

    def before_complete(self, c: Completion) -> None:
        case = for_instance(c.instance.id)
        assert case is not None
        ON_COMPLETE[c.task.name](c, case)
        audit.record("dept_perf_" + c.task.name, c.actor, instance_id=c.instance.id,
                     object_type="department_performance", object_id=case.id,
                     after={"status": case.status, "version": case.current_version,
                            "score": str(case.score) if case.score is not None else None})

    def after_step(self, instance, run, completion) -> None:
        case = for_instance(instance.id)
        if case is None:
            return
        if instance.status == InstanceStatus.COMPLETED.value and case.finished_at is not None \
                and completion is not None and completion.task.name == "confirm_dept_evaluation":
            filers = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
                User.department_id == case.department_id, UserRole.role == Role.DEPARTMENT_FILER.value))
            notifications.notify(list(filers), "dept_perf_finished",
                                 f"{case.year} 年度部门整体绩效自评已经绩效科确认，得分 {case.score}（{case.grade}）",
                                 instance_id=instance.id)


# -- the self-evaluation report (人大, August) -----------------------------------------------------------
def finished_reports(year: int) -> list[DepartmentPerformance]:
    """The year's confirmed self-evaluations, by department code: what goes to 人大 (and the public portal).
    No actor: the caller (the 人大 package job, the portal) decides who may have them."""
    return list(db.session.scalars(
        select(DepartmentPerformance).join(Department, Department.id == DepartmentPerformance.department_id)
        .where(DepartmentPerformance.year == year, DepartmentPerformance.status == CaseStatus.FINISHED.value)
        .order_by(Department.code)))


def report_context(case: DepartmentPerformance) -> dict[str, Any]:
    version = approved_version(case)
    rows = []
    if version is not None:
        scored_rows = (case.breakdown or {}).get("rows", [])
        results = case.results or []
        for n, indicator in enumerate(version.indicators):
            got = scored_rows[n] if n < len(scored_rows) else {}
            result = results[n] if n < len(results) else {}
            rows.append({"indicator": indicator, "actual": result.get("actual", ""),
                         "reason": result.get("reason", ""), "points": got.get("points"),
                         "score": got.get("score")})
    return {"case": case, "version": version, "rows": rows,
            "categories": (case.breakdown or {}).get("categories", {}),
            "opinions": case.opinions}


def report_html(case: DepartmentPerformance) -> str:
    return render_template("pdf/department_performance_report.html", **report_context(case))


def report_pdf(case: DepartmentPerformance) -> bytes:
    """The self-evaluation report as a PDF (the 人大 package and the portal take it from here)."""
    return pdf.html_to_pdf(report_html(case))


def report_filename(case: DepartmentPerformance) -> str:
    return f"{case.year}年度{case.department.name}部门整体绩效自评报告.pdf"


# -- disclosure (信息公开) and the 人大 package: the publication kind this process declares ----------------------------
PUBLICATION_KIND = "department_performance_report"


def _as_document(case: DepartmentPerformance) -> PublishableDocument:
    return PublishableDocument(
        id=case.id, title=f"{case.year}年度{case.department.name}部门整体绩效自评报告", code=case.department.code,
        department_id=case.department_id, department_name=case.department.name, fiscal_year=case.year,
        approved_at=case.finished_at, grade=case.grade,
        score=float(case.score) if case.score is not None else None)


def publishable(year: int | None) -> list[PublishableDocument]:
    """The confirmed self-evaluation reports of a year (every year: None)."""
    if year is not None:
        return [_as_document(c) for c in finished_reports(year)]
    return [_as_document(c) for c in db.session.scalars(
        select(DepartmentPerformance).where(DepartmentPerformance.status == CaseStatus.FINISHED.value)
        .order_by(DepartmentPerformance.year.desc(), DepartmentPerformance.id))]


def publishable_document(case_id: int) -> PublishableDocument | None:
    case = db.session.get(DepartmentPerformance, case_id)
    return _as_document(case) if case is not None and case.status == CaseStatus.FINISHED.value else None


def published_html(case_id: int) -> str:
    case = db.session.get(DepartmentPerformance, case_id)
    if case is None or case.status != CaseStatus.FINISHED.value:
        raise ValueError("only a confirmed self-evaluation report is published")
    return report_html(case)
