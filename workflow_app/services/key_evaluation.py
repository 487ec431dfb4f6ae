"""财政重点评价 (key evaluation): domain behaviour around bpmn/key_evaluation.bpmn.

The BPMN decides the order of the steps; this module selects projects, keeps the selection marks, validates and
stores the indicator tree, commissions the agency (one instance per project), stores what each step produced
(per-task handlers), computes totals and grades, tells the department the result, opens the rectification of
the findings and records the result for next year's budget. Who may see an evaluation: the bureau-wide roles,
finance sections and supervisors; the project's (and competent) department; and the commissioned agency, which
sees ONLY the evaluations it is commissioned for (everything else is 404 to it).

Files of this process: bpmn/key_evaluation.bpmn, forms/key_evaluation.py, models/key_evaluation.py, this module
and key_evaluation_report.py, api/key_evaluation.py, web/key_evaluation.py, templates/processes/key_evaluation/,
templates/pdf/key_evaluation_report.html; its declaration for the generic code is processes/key_evaluation.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import false, func, or_, select, true

from ..engine import now
from ..extensions import db
from ..models import (Attachment, Department, GoalReview, GoalStatus, GoalVersion, HumanTask, InstanceStatus,
                      ProcessInstance, Project, Role, User)
from ..models.key_evaluation import (DEFAULT_TREE, DIMENSIONS, RESULT_DIMENSIONS, RESULT_MIN_SHARE, TOTAL_POINTS,
                                     KeyEvaluation, KeyEvaluationMark, KeyEvaluationOpinion, KeyEvaluationStatus)
from . import attachments, audit, evaluation_scoring, instances, policy, projects, result_application
from . import rectification as rectifications
from .errors import Conflict, Invalid, NotFound
from .hooks import Completion, ProcessHooks
from .notifications import notify
from .transaction import transactional

KEY_EVALUATION = "key_evaluation"
SOURCE = "key_evaluation"           # the rectification's and the result application's source
MAX_INDICATORS = 60
FUND_SOURCES = ("general", "fund", "state_capital")


# -- grading ------------------------------------------------------------------------------------
# 10号's bands (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差), the same for 单位自评, 部门评价 and 财政评价: one table, in
# services/evaluation_scoring.py (GRADE_BANDS).
grade_of = evaluation_scoring.grade_of


def _points(value: Any, field: str, errors: dict[str, list[str]], *, maximum: Decimal = TOTAL_POINTS,
            minimum: Decimal = Decimal(0), strict_min: bool = False) -> Decimal | None:
    """A number of points: 0–maximum, at most two decimals (bool and text refused)."""
    if isinstance(value, bool) or value is None or value == "":
        errors.setdefault(field, []).append("必须是数字")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.setdefault(field, []).append("必须是数字")
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append("必须是数字")
        return None
    # The range first: quantizing a huge number (1E+1000) would itself fail.
    if number < minimum or (strict_min and number == minimum) or number > maximum:
        errors.setdefault(field, []).append(f"必须在 {minimum:f} 到 {maximum:f} 之间" + ("（不含0）" if strict_min else ""))
        return None
    if number != number.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append("最多两位小数")
        return None
    return number


# -- the indicator tree -------------------------------------------------------------------------
def default_tree() -> list[dict[str, Any]]:
    return validate_tree(DEFAULT_TREE)


def validate_tree(raw: Any) -> list[dict[str, Any]]:
    """The tree as stored: codes 1..n in order, points as numbers. Total 100, 产出+效益 ≥ 60, every dimension
    present (10号's four first-level indicators); otherwise Invalid (422)."""
    if not isinstance(raw, list) or not raw:
        raise Invalid("评价指标体系不能为空", {"indicators": ["至少一项指标"]})
    if len(raw) > MAX_INDICATORS:
        raise Invalid("评价指标过多", {"indicators": [f"最多 {MAX_INDICATORS} 项"]})
    errors: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        prefix = f"indicators.{index}"
        if not isinstance(item, dict):
            errors[prefix] = ["每项指标是一个对象"]
            continue
        dimension = item.get("dimension")
        if dimension not in DIMENSIONS:
            errors[f"{prefix}.dimension"] = ["一级指标只能是 决策、过程、产出 或 效益"]
        texts = {}
        for key, label, limit, required in (("level2", "二级指标", 50, True), ("name", "三级指标", 200, True),
                                            ("standard", "评分标准", 1000, False)):
            value = item.get(key, "")
            if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
                errors[f"{prefix}.{key}"] = [f"{label}{'必填，' if required else ''}不超过{limit}字"]
            else:
                texts[key] = value.strip()
        points = _points(item.get("points"), f"{prefix}.points", errors, strict_min=True)
        if not errors and points is not None:
            rows.append({"code": str(index + 1), "dimension": dimension, "level2": texts["level2"],
                         "name": texts["name"], "standard": texts.get("standard", ""), "points": float(points)})
    if errors:
        raise Invalid("评价指标有误", errors)
    total = sum(Decimal(str(r["points"])) for r in rows)
    if total != TOTAL_POINTS:
        raise Invalid(f"评价指标分值合计须为100分（现为{total.normalize():f}分）", {"indicators": ["分值合计须为100"]})
    missing = [d for d in DIMENSIONS if not any(r["dimension"] == d for r in rows)]
    if missing:
        raise Invalid("缺少一级指标：" + "、".join(missing), {"indicators": ["决策、过程、产出、效益均须设置"]})
    results = sum(Decimal(str(r["points"])) for r in rows if r["dimension"] in RESULT_DIMENSIONS)
    if results < RESULT_MIN_SHARE:
        raise Invalid(f"产出和效益指标分值合计不得低于60%（现为{results.normalize():f}分）",
                      {"indicators": ["产出+效益不得低于60分"]})
    return rows


# -- reading ------------------------------------------------------------------------------------
def visible_clause(actor: User):
    """The evaluations a user may list: every one for the bureau, finance sections and supervisors; its own
    project's (or, as competent department, its units') for a department; the commissioned ones for an agency."""
    if policy.may(actor, "see_every_key_evaluation"):
        return true()
    # The commissioned agency, or whoever its scoring step was reassigned to (转办 by the performance section).
    terms = [KeyEvaluation.agency == actor.username,
             KeyEvaluation.instance_id.in_(select(HumanTask.instance_id).where(HumanTask.assignee == actor.username))]
    if actor.department_id is not None:
        terms += [KeyEvaluation.department_id == actor.department_id,
                  KeyEvaluation.project_id.in_(select(Project.id).where(
                      Project.competent_department_id == actor.department_id))]
    return or_(*terms) if terms else false()


def may_see(actor: User, evaluation: KeyEvaluation) -> bool:
    if policy.may(actor, "see_every_key_evaluation") or evaluation.agency == actor.username:
        return True
    project = evaluation.project
    if actor.department_id is not None and actor.department_id in (
            evaluation.department_id, project.competent_department_id):
        return True
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.instance_id == evaluation.instance_id, HumanTask.assignee == actor.username)) > 0


def acts_as_agency(actor: User, evaluation: KeyEvaluation) -> bool:
    """The commissioned agency, or the one its scoring step was reassigned to."""
    return evaluation.agency == actor.username or db.session.scalar(
        select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == evaluation.instance_id, HumanTask.name == "agency_score",
            HumanTask.assignee == actor.username)) > 0


# While the agency scores and the performance section reviews, its work is a draft that does not count yet:
# the department reads it once the performance section has accepted it (then it may object).
DRAFT_STATUSES = (KeyEvaluationStatus.SCORING.value, KeyEvaluationStatus.REVIEWING.value)


def work_visible(actor: User, evaluation: KeyEvaluation) -> bool:
    """May this user read the agency's scores, findings and report (not only that the evaluation exists)?"""
    return (evaluation.status not in DRAFT_STATUSES or policy.may(actor, "see_every_key_evaluation")
            or acts_as_agency(actor, evaluation))


def check_report_readable(actor: User, evaluation: KeyEvaluation) -> None:
    if not work_visible(actor, evaluation):
        raise Conflict("第三方机构的评价经绩效科审核通过后才向被评价部门公开")


def get(actor: User, evaluation_id: int) -> KeyEvaluation:
    evaluation = db.session.get(KeyEvaluation, evaluation_id)
    if evaluation is None or not may_see(actor, evaluation):
        raise NotFound("重点评价不存在")
    return evaluation


def for_instance(instance_id: int) -> KeyEvaluation | None:
    return db.session.scalars(select(KeyEvaluation).where(KeyEvaluation.instance_id == instance_id)).first()


def running_for(project_id: int) -> KeyEvaluation | None:
    return db.session.scalars(select(KeyEvaluation).where(
        KeyEvaluation.project_id == project_id,
        KeyEvaluation.status != KeyEvaluationStatus.FINISHED.value)).first()


@dataclass
class Listing:
    items: list[Any]
    total: int


def _department_id(code: str | None) -> int | None:
    if not code:
        return None
    department = projects.department_by_code(code)
    return department.id if department is not None else -1


def list_evaluations(actor: User, *, year: int | None = None, department: str | None = None,
                     status: str | None = None, limit: int = 50, offset: int = 0) -> Listing:
    conditions = [visible_clause(actor)]
    if year is not None:
        conditions.append(KeyEvaluation.fiscal_year == year)
    if department:
        conditions.append(KeyEvaluation.department_id == _department_id(department))
    if status:
        if status not in {s.value for s in KeyEvaluationStatus}:
            raise Invalid("status 无效", {"status": ["scoring|reviewing|feedback|finalising|finished"]})
        conditions.append(KeyEvaluation.status == status)
    total = db.session.scalar(select(func.count()).select_from(KeyEvaluation).where(*conditions)) or 0
    items = list(db.session.scalars(select(KeyEvaluation).where(*conditions)
                                    .order_by(KeyEvaluation.id.desc()).limit(limit).offset(offset)))
    return Listing(items, total)


def for_project(actor: User, project_id: int) -> list[KeyEvaluation]:
    return list(db.session.scalars(select(KeyEvaluation).where(
        visible_clause(actor), KeyEvaluation.project_id == project_id).order_by(KeyEvaluation.id.desc())))


def finished_evaluations(year: int | None = None) -> list[KeyEvaluation]:
    """The finished key evaluations (for the public portal and the 人大 package: their reports are published)."""
    conditions = [KeyEvaluation.status == KeyEvaluationStatus.FINISHED.value]
    if year is not None:
        conditions.append(KeyEvaluation.fiscal_year == year)
    return list(db.session.scalars(select(KeyEvaluation).where(*conditions).order_by(KeyEvaluation.id)))


def approved_goal(project: Project) -> GoalVersion | None:
    """The approved goal version (二下 批复) of the project, if any: the report's 绩效目标."""
    version_id = db.session.scalar(select(GoalReview.approved_version_id).where(
        GoalReview.project_id == project.id, GoalReview.approved_version_id.is_not(None))
        .order_by(GoalReview.id.desc()).limit(1))
    return db.session.get(GoalVersion, version_id) if version_id else None


def report_files(evaluation: KeyEvaluation) -> list[Attachment]:
    ids = evaluation.report_attachment_ids or []
    return list(db.session.scalars(select(Attachment).where(Attachment.id.in_(ids)))) if ids else []


# -- selection ----------------------------------------------------------------------------------
@dataclass
class Candidate:
    project: Project
    mark: KeyEvaluationMark | None
    running: KeyEvaluation | None


def _bool_arg(value: Any, field: str) -> bool | None:
    if value in (None, ""):
        return None
    if value in (True, "true", "1", 1):
        return True
    if value in (False, "false", "0", 0):
        return False
    raise Invalid(f"{field} 只能是 true 或 false", {field: ["true|false"]})


def candidates(actor: User, filters: dict[str, Any]) -> list[Candidate]:
    """选取评价对象: the projects of a year matching the filters (amount ≥ x 万元, department, fund source, the
    marks, approved goals), with their marks and any running evaluation. The performance section only."""
    policy.require(actor, "commission_key_evaluation")
    errors: dict[str, list[str]] = {}
    conditions = []
    year = filters.get("fiscal_year")
    if year not in (None, ""):
        try:
            number = int(year)
        except (TypeError, ValueError):
            number = 0
        if not 1900 <= number <= 9999:
            errors["fiscal_year"] = ["必须是年份"]
        conditions.append(Project.fiscal_year == number)
    if filters.get("min_amount") not in (None, ""):
        amount = _points(filters["min_amount"], "min_amount", errors, maximum=Decimal("1000000000000"))
        if amount is not None:
            conditions.append(Project.amount >= amount)
    if filters.get("department"):
        conditions.append(Project.department_id == _department_id(filters["department"]))
    source = filters.get("fund_source")
    if source:
        if source not in FUND_SOURCES:
            errors["fund_source"] = ["只能是 general、fund 或 state_capital"]
        conditions.append(Project.fund_source == source)
    try:
        approved = _bool_arg(filters.get("approved_goals"), "approved_goals")
        concern = _bool_arg(filters.get("public_concern"), "public_concern")
        coverage = _bool_arg(filters.get("wide_coverage"), "wide_coverage")
    except Invalid as error:
        errors.update(error.fields)
        approved = concern = coverage = None
    if errors:
        raise Invalid("筛选条件有误", errors)
    if approved:
        conditions.append(Project.goal_status == GoalStatus.APPROVED.value)
    marked = select(KeyEvaluationMark.project_id)
    if concern:
        conditions.append(Project.id.in_(marked.where(KeyEvaluationMark.public_concern.is_(True))))
    if coverage:
        conditions.append(Project.id.in_(marked.where(KeyEvaluationMark.wide_coverage.is_(True))))
    found = list(db.session.scalars(select(Project).where(*conditions)
                                    .order_by(Project.amount.desc(), Project.code).limit(500)))
    ids = [p.id for p in found]
    marks = {m.project_id: m for m in db.session.scalars(
        select(KeyEvaluationMark).where(KeyEvaluationMark.project_id.in_(ids)))} if ids else {}
    running = {e.project_id: e for e in db.session.scalars(select(KeyEvaluation).where(
        KeyEvaluation.project_id.in_(ids), KeyEvaluation.status != KeyEvaluationStatus.FINISHED.value))} if ids else {}
    return [Candidate(p, marks.get(p.id), running.get(p.id)) for p in found]


def mark_of(project_id: int) -> KeyEvaluationMark | None:
    return db.session.scalars(select(KeyEvaluationMark).where(KeyEvaluationMark.project_id == project_id)).first()


@transactional
def set_marks(actor: User, project_id: int, payload: dict[str, Any]) -> KeyEvaluationMark:
    """社会关注度高 / 覆盖面广: the performance section's marks that the selection filters on."""
    project = projects.get_project(actor, project_id)
    policy.require(actor, "commission_key_evaluation")
    errors: dict[str, list[str]] = {}
    values = {}
    for key in ("public_concern", "wide_coverage"):
        if key in payload and not isinstance(payload[key], bool):
            errors[key] = ["只能是 true 或 false"]
        values[key] = payload.get(key)
    if errors:
        raise Invalid("标记有误", errors)
    mark = mark_of(project.id)
    before = {"public_concern": mark.public_concern, "wide_coverage": mark.wide_coverage} if mark else None
    if mark is None:
        mark = KeyEvaluationMark(project_id=project.id, public_concern=False, wide_coverage=False)
        db.session.add(mark)
    for key, value in values.items():
        if value is not None:
            setattr(mark, key, value)
    mark.updated_by = actor.username
    db.session.flush()
    audit.record("key_evaluation_marks", actor, object_type="project", object_id=project.id, before=before,
                 after={"public_concern": mark.public_concern, "wide_coverage": mark.wide_coverage})
    return mark


# -- commissioning ------------------------------------------------------------------------------
def agencies() -> list[User]:
    """The agencies that may be commissioned: active users with role third_party."""
    return list(db.session.scalars(select(User).where(User.holding(Role.THIRD_PARTY.value), User.active.is_(True))
                                   .order_by(User.username)))


def _agency(username: Any) -> User:
    agency = None
    if isinstance(username, str) and username:
        agency = next((u for u in agencies() if u.username == username), None)
    if agency is None:
        raise Invalid("受托第三方机构无效", {"agency": ["须为具有第三方机构角色的有效用户"]})
    return agency


@transactional
def commission(actor: User, payload: dict[str, Any]) -> list[KeyEvaluation]:
    """委托第三方: one evaluation (and instance) per selected project, all or nothing."""
    policy.require(actor, "commission_key_evaluation")
    raw_ids = payload.get("project_ids")
    if (not isinstance(raw_ids, list) or not raw_ids or len(raw_ids) > 100
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in raw_ids)
            or len(set(raw_ids)) != len(raw_ids)):
        raise Invalid("请选择评价项目", {"project_ids": ["1–100 个不重复的项目编号"]})
    agency = _agency(payload.get("agency"))
    tree = validate_tree(payload["indicators"]) if payload.get("indicators") is not None else default_tree()
    started = []
    for project_id in raw_ids:
        project = projects.get_project(actor, project_id)
        projects.lock_project(project)
        running = running_for(project.id)
        if running is not None:
            raise Conflict(f"项目 {project.code} 已有进行中的重点评价（#{running.id}）")
        evaluation = KeyEvaluation(
            project_id=project.id, department_id=project.department_id, fiscal_year=project.fiscal_year,
            agency=agency.username, agency_name=agency.name, indicators=[dict(r) for r in tree],
            created_by=actor.username)
        db.session.add(evaluation)
        db.session.flush()
        run = instances.start_instance_unlocked(
            actor, KEY_EVALUATION, {"evaluation_id": evaluation.id, "agency": agency.username}, project)
        evaluation.instance_id = run.instance.id
        audit.record("key_evaluation_commissioned", actor, instance_id=run.instance.id, object_type="key_evaluation",
                     object_id=evaluation.id, after={"project_id": project.id, "agency": agency.username})
        started.append(evaluation)
    return started


@transactional
def update_indicators(actor: User, evaluation_id: int, raw: Any) -> KeyEvaluation:
    """The performance section adapts the tree until the agency has scored (then it is the basis of a score)."""
    evaluation = get(actor, evaluation_id)
    policy.require(actor, "commission_key_evaluation")
    if evaluation.status != KeyEvaluationStatus.SCORING.value or evaluation.agency_score is not None:
        raise Conflict("第三方机构已评分，评价指标不能再修改")
    tree = validate_tree(raw)
    before = evaluation.indicators
    evaluation.indicators = tree
    audit.record("key_evaluation_indicators", actor, instance_id=evaluation.instance_id,
                 object_type="key_evaluation", object_id=evaluation.id, before={"indicators": before},
                 after={"indicators": tree})
    return evaluation


# -- the steps ----------------------------------------------------------------------------------
def _opinion(c: Completion, e: KeyEvaluation, kind: str, decision: str | None, text: str) -> None:
    db.session.add(KeyEvaluationOpinion(evaluation_id=e.id, task_id=c.task.id, kind=kind, author=c.actor.username,
                                        author_name=c.actor.name, decision=decision, text=(text or "").strip()))


def score_rows(evaluation: KeyEvaluation, scores: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Decimal]:
    """The tree with the agency's scores: every indicator scored once, within its points, with a comment."""
    by_code: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(scores):
        code = str(item.get("code") or "").strip()
        if code in by_code:
            errors[f"scores.{index}.code"] = ["同一指标只能评一次分"]
        by_code[code] = item
    rows, total = [], Decimal(0)
    for row in evaluation.indicators:
        item = by_code.pop(row["code"], None)
        field = f"scores.{row['code']}"
        if item is None:
            errors[field] = [f"“{row['name']}”未评分"]
            continue
        score = _points(item.get("score"), f"{field}.score", errors, maximum=Decimal(str(row["points"])))
        if score is None:
            errors[f"{field}.score"] = [f"“{row['name']}”得分" + m for m in errors[f"{field}.score"]]
        comment = item.get("comment")
        comment = comment.strip() if isinstance(comment, str) else ""
        if not comment or len(comment) > 2000:
            errors[f"{field}.comment"] = [f"“{row['name']}”须写明评分依据（不超过2000字）"]
        if score is not None:
            rows.append({**row, "score": float(score), "comment": comment})
            total += score
    for code in by_code:
        errors[f"scores.{code}"] = ["没有这项指标"]
    if errors:
        first = "；".join(m for ms in list(errors.values())[:3] for m in ms)
        raise Invalid(f"指标评分有误（每项指标须在分值内评分并写明评分依据）：{first}", errors)
    return rows, total


def _agency_score(c: Completion, e: KeyEvaluation) -> None:
    form = c.form
    rows, total = score_rows(e, form.score_items())
    ids = form.evidence_ids()
    if not ids and not e.report_attachment_ids:
        raise Invalid("请上传评价报告", {"evidence": ["须上传第三方评价报告文件"]})
    used = attachments.claim_for(c.actor, ids, c.instance.id, f"key_evaluation_report:{e.id}") if ids else []
    e.indicators = rows
    e.agency_score = total
    e.scored_at = now()
    e.method = form.method.data.strip()
    e.findings = form.finding_list()
    e.conclusion = form.conclusion.data.strip()
    e.experience = (form.experience.data or "").strip()
    e.suggestions = form.suggestions.data.strip()
    if used:
        e.report_attachment_ids = [a.id for a in used]
    e.status = KeyEvaluationStatus.REVIEWING.value
    audit.record("key_evaluation_scored", c.actor, instance_id=c.instance.id, object_type="key_evaluation",
                 object_id=e.id, after={"score": str(total), "findings": e.findings,
                                        "report": e.report_attachment_ids})


def _review_work(c: Completion, e: KeyEvaluation) -> None:
    accepted = bool(c.form.accepted.data)
    _opinion(c, e, "review", "accepted" if accepted else "returned", c.form.opinion.data)
    e.status = (KeyEvaluationStatus.FEEDBACK if accepted else KeyEvaluationStatus.SCORING).value


def _department_feedback(c: Completion, e: KeyEvaluation) -> None:
    objection = bool(c.form.objection.data)
    e.objection = objection
    e.objection_text = (c.form.opinion.data or "").strip()
    _opinion(c, e, "feedback", "objection" if objection else "waived", e.objection_text)
    e.status = KeyEvaluationStatus.FINALISING.value


def _finalise(c: Completion, e: KeyEvaluation) -> None:
    form = c.form
    errors: dict[str, list[str]] = {}
    agency_score = e.agency_score if e.agency_score is not None else Decimal(0)
    raw = form.final_score.data
    score = agency_score if raw in (None, "") else _points(raw, "final_score", errors)
    reason = (form.adjust_reason.data or "").strip()
    if score is not None and score != agency_score and not reason:
        errors["adjust_reason"] = ["调整第三方评分时须写明理由"]
    reduce_amount = None
    grade = grade_of(score) if score is not None else None
    if form.reduce_amount.data not in (None, ""):
        reduce_amount = _points(form.reduce_amount.data, "reduce_amount", errors,
                                maximum=Decimal(e.project.amount), strict_min=True)
    if grade == "中" and reduce_amount is None and "reduce_amount" not in errors:
        errors["reduce_amount"] = ["评价等级为“中”，须填写下年预算核减金额（万元）"]
    if errors:
        raise Invalid("评价结果有误", errors)
    assert score is not None and grade is not None
    e.score = score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    e.grade = grade
    e.adjust_reason = reason
    e.reduce_amount = reduce_amount if grade == "中" else None
    _opinion(c, e, "finalise", grade, form.opinion.data)


ON_COMPLETE: dict[str, Callable[[Completion, KeyEvaluation], None]] = {
    "agency_score": _agency_score, "review_work": _review_work,
    "department_feedback": _department_feedback, "finalise": _finalise,
}


# -- the result ---------------------------------------------------------------------------------
def department_people(department_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.department_id == department_id, User.active.is_(True),
        User.holding(Role.DEPARTMENT_FILER.value, Role.DEPARTMENT_HEAD.value))))


def _finish(instance: ProcessInstance, e: KeyEvaluation) -> None:
    e.status = KeyEvaluationStatus.FINISHED.value
    e.finished_at = now()
    project = e.project
    findings = "；".join(e.findings or []) or "无"
    notify(department_people(e.department_id), "key_evaluation_result",
           f"重点评价结果：{project.code} {project.name} 得分 {e.score}，等级 {e.grade}。存在的问题：{findings}",
           instance_id=instance.id)
    apply_result(e)
    audit.record("key_evaluation_finished", None, instance_id=instance.id, object_type="key_evaluation",
                 object_id=e.id, after={"score": str(e.score), "grade": e.grade})


def apply_result(e: KeyEvaluation) -> None:
    """结果应用: the result decides the project's next-year budget (重点评价 outranks 财政复核 and 单位自评)."""
    finaliser = next((o.author for o in reversed(e.opinions) if o.kind == "finalise"), None)
    decided_by = db.session.scalars(select(User).where(User.username == finaliser)).first() if finaliser else None
    result_application.record(e.project, result_application.budget_year_after(e.project),
                              result_application.KEY_EVALUATION, e.score, e.grade, decided_by,
                              reduce_amount=e.reduce_amount, note=f"重点评价 #{e.id}")


@transactional
def open_rectification(actor: User, evaluation_id: int, payload: dict[str, Any]):
    """The findings become a rectification (source 重点评价) in one step; once per evaluation."""
    evaluation = get(actor, evaluation_id)
    policy.require(actor, "open_rectification")
    if evaluation.status != KeyEvaluationStatus.FINISHED.value:
        raise Conflict("评价完成后才能下达整改")
    if evaluation.rectification_id is not None:
        raise Conflict(f"已下达整改（#{evaluation.rectification_id}）")
    if not evaluation.findings:
        raise Conflict("评价未发现问题，无需整改")
    body = {"findings": list(evaluation.findings), "deadline": payload.get("deadline"), "source": SOURCE}
    rectification = rectifications.start_rectification.__wrapped__(actor, evaluation.project_id, body)
    evaluation.rectification_id = rectification.id
    audit.record("key_evaluation_rectification", actor, instance_id=evaluation.instance_id,
                 object_type="key_evaluation", object_id=evaluation.id, after={"rectification_id": rectification.id})
    return rectification


# -- hooks --------------------------------------------------------------------------------------
def unused_uploads(viewer: User) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(
        Attachment.uploaded_by == viewer.username, Attachment.instance_id.is_(None)).order_by(Attachment.id)))


class KeyEvaluationHooks(ProcessHooks):
    def before_start(self, actor, project, data) -> None:
        if project is None or not isinstance(data.get("evaluation_id"), int):
            raise Invalid("重点评价须通过 POST /api/v1/key-evaluations 委托发起",
                          {"key": ["请使用 POST /api/v1/key-evaluations"]})

    def initial_data(self, task, project) -> dict[str, Any] | None:
        e = for_instance(task.instance_id)
        if e is None:
            return None
        if task.name == "agency_score":
            return {"scores": [{"code": r["code"], "score": r.get("score"), "comment": r.get("comment", "")}
                               for r in e.indicators],
                    "method": e.method, "findings": list(e.findings or []), "conclusion": e.conclusion,
                    "experience": e.experience, "suggestions": e.suggestions}
        if task.name == "finalise" and e.agency_score is not None:
            return {"final_score": e.agency_score}
        return None

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        e = for_instance(task.instance_id)
        if e is None:
            return {}
        return {"evaluation": e, "report_files": report_files(e), "hide_work": not work_visible(viewer, e),
                "unused_uploads": unused_uploads(viewer) if task.name == "agency_score" else []}

    def before_complete(self, c: Completion) -> None:
        e = for_instance(c.instance.id)
        assert e is not None
        ON_COMPLETE[c.task.name](c, e)

    def on_timers(self, instance, fired) -> None:
        e = for_instance(instance.id)
        if e is None:
            return
        for timer in fired:
            if timer.event_id == "department_feedback_deadline" and e.status == KeyEvaluationStatus.FEEDBACK.value:
                # No answer by the deadline: no objection (视为无异议).
                e.objection = False
                e.status = KeyEvaluationStatus.FINALISING.value
                db.session.add(KeyEvaluationOpinion(evaluation_id=e.id, kind="feedback", author="system",
                                                    author_name="系统", decision="expired",
                                                    text="反馈期限届满，视为无异议"))

    def after_step(self, instance, run, completion) -> None:
        e = for_instance(instance.id)
        if e is not None and instance.status == InstanceStatus.COMPLETED.value \
                and e.status != KeyEvaluationStatus.FINISHED.value:
            _finish(instance, e)


def evaluation_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).where(Department.id.in_(
        select(KeyEvaluation.department_id))).order_by(Department.code)))
