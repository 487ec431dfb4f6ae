"""单位自评 (project self-evaluation) and 财政复核 (finance re-check): domain behaviour around bpmn/self_evaluation.bpmn.

A round for a year covers the projects of that year with approved goals whose amount reaches the setting
EVALUATION_MIN_AMOUNT (万元); it creates one 自评表 per project, prefilled from the approved goal version, and
starts one instance per project in batch (services/batches.py through the worker). The department fills the
table (the product scores it: services/evaluation_scoring.py), the head signs it off, and it is submitted to
finance: the department's score becomes the project's result (services/result_application.py, source
self_evaluation). A table with every row at full marks and no problem named is flagged for re-check.

The performance section then draws a sample of the round (random with a seed it types, a share or a count,
plus every flagged one): each drawn table gets a re-check task of its own (process self_evaluation_recheck,
services/self_evaluation_recheck.py) whose completion re-scores it with finance's figures; the gap between the department's and
finance's score is kept per evaluation and shown per department; the final grade goes to the department,
findings open a rectification (source 自评复核) in the same step, and the result is recorded (source recheck).
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from ..engine import now
from ..extensions import db
from ..models import GoalStatus, Project, Role, User
from ..models.self_evaluation import (RECHECK_REASONS, EvaluationRound, SelfEvaluation, SelfEvaluationStatus)
from . import attachments, audit, batches, evaluation_scoring, goal_review, policy, result_application
from .errors import Conflict, Invalid, NotFound
from .evaluation_settings import scoring_options, setting
from .hooks import Completion, ProcessHooks
from .notifications import notify
from .transaction import after_commit, transactional

SELF_EVALUATION = "self_evaluation"
START_ENDPOINT = "POST /api/v1/self-evaluation-rounds"
CHUNK_SIZE = 100
TWO = Decimal("0.01")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
CAUSE_REQUIRED = "未达到目标（或大幅超过目标）的指标须填写偏差原因分析及改进措施"


# -- prefill ----------------------------------------------------------------------------------------------------
def category_of(level1: str) -> str:
    """产出指标 → 产出: the goal's first-level name without its suffix is the scoring category."""
    return level1[:-2] if level1.endswith("指标") else level1


def target_number(target: str) -> Decimal | None:
    """The number in a quantitative target as the goal states it ("3000", "≥90%", "95.5"); None without one."""
    match = NUMBER.search(target or "")
    return Decimal(match.group()) if match else None


def rows_from_goal(version) -> list[dict[str, Any]]:
    rows = []
    for indicator in version.indicators:
        quantitative = indicator.operator != "定性" and target_number(indicator.target) is not None
        rows.append({"level1": indicator.level1, "level2": indicator.level2, "name": indicator.name,
                     "category": category_of(indicator.level1), "unit": indicator.unit,
                     "operator": indicator.operator if quantitative else "定性", "target": indicator.target,
                     "target_value": str(target_number(indicator.target)) if quantitative else None,
                     "weight": str(indicator.weight), "kind": "quantitative" if quantitative else "qualitative",
                     "actual": "", "level": "", "share": "", "cause": ""})
    return rows


def executed_from_payments(project_ids: list[int], year: int) -> dict[int, Decimal]:
    """全年执行数 from the payments (services/execution.py, another helper's module) when it is installed."""
    try:
        from . import execution  # type: ignore[attr-defined]
    except ImportError:
        return {}
    try:
        amounts = execution.executed_amounts(project_ids, year, 12)
    except (AttributeError, TypeError, ValueError):   # another signature: a convenience, never a reason to fail
        return {}
    # It answers 0.00 for a project without payments: that is "not imported" as often as "nothing paid", so the
    # filer types it then (and a prefilled figure stays editable).
    return {pid: Decimal(str(v)) for pid, v in amounts.items() if Decimal(str(v)) > 0}


def eligible_projects(year: int, min_amount: Decimal) -> list[Project]:
    """The year's projects with approved goals from `min_amount` on that have no 自评表 yet."""
    done = select(SelfEvaluation.project_id).where(SelfEvaluation.fiscal_year == year)
    return list(db.session.scalars(select(Project).where(
        Project.fiscal_year == year, Project.goal_status == GoalStatus.APPROVED.value, Project.amount >= min_amount,
        Project.id.not_in(done)).order_by(Project.department_id, Project.code)))


# -- the round ----------------------------------------------------------------------------------------------------
def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise Invalid("年度须为 2000–2100 的整数", {"fiscal_year": ["2000–2100 的整数"]})
    return value


def _min_amount(value: Any) -> Decimal:
    if value is None or value == "":
        return setting("EVALUATION_MIN_AMOUNT")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise Invalid("金额下限须为不小于 0 的数（万元）", {"min_amount": ["不小于 0 的数"]})
    return amount.quantize(TWO, ROUND_HALF_UP)


@transactional
def start_round(actor: User, fiscal_year: Any, min_amount: Any = None) -> tuple[EvaluationRound, int]:
    """Open (or extend) the year's round: a 自评表 per eligible project, its instance started in batch.
    Returns the round and how many projects were added now (a second call adds only new ones)."""
    policy.require(actor, "manage_self_evaluation")
    year, floor = _year(fiscal_year), _min_amount(min_amount)
    round_ = db.session.scalars(select(EvaluationRound).where(EvaluationRound.fiscal_year == year)).first()
    if round_ is None:
        round_ = EvaluationRound(fiscal_year=year, min_amount=floor, created_by=actor.username)
        db.session.add(round_)
        db.session.flush()
    else:
        round_.min_amount = floor
    projects = eligible_projects(year, floor)
    executed = executed_from_payments([p.id for p in projects], year)
    created: list[SelfEvaluation] = []
    for project in projects:
        version = goal_review.approved_version(project)
        if version is None:
            continue
        evaluation = SelfEvaluation(
            round_id=round_.id, project_id=project.id, department_id=project.department_id, fiscal_year=year,
            goal_version_id=version.id, initial_budget=Decimal(version.amount or project.amount),
            annual_budget=Decimal(project.amount), executed=executed.get(project.id),
            executed_from_payments=project.id in executed, overall_goal=version.overall_goal,
            rows=rows_from_goal(version))
        db.session.add(evaluation)
        created.append(evaluation)
    db.session.flush()
    round_.projects = db.session.scalar(select(func.count()).select_from(SelfEvaluation).where(
        SelfEvaluation.round_id == round_.id)) or 0
    audit.record("self_evaluation_round_started", actor, object_type="evaluation_round", object_id=round_.id,
                 after={"fiscal_year": year, "min_amount": str(floor), "added": len(created)})
    # New tables, and any whose instance a failed chunk did not start (a chunk that committed is not started twice).
    pending = db.session.scalars(select(SelfEvaluation).where(
        SelfEvaluation.round_id == round_.id, SelfEvaluation.instance_id.is_(None)).order_by(SelfEvaluation.id))
    items = [{"self_evaluation_id": e.id, "project_id": e.project_id} for e in pending]
    username, round_id = actor.username, round_.id

    def send() -> None:
        batches.send_chunks(SELF_EVALUATION, items, username, f"{SELF_EVALUATION}:{round_id}",
                            lambda item: item["self_evaluation_id"], CHUNK_SIZE)
    if items:
        after_commit(send)   # the rows exist before any worker looks for them
    return round_, len(created)


def rounds() -> list[EvaluationRound]:
    return list(db.session.scalars(select(EvaluationRound).order_by(EvaluationRound.fiscal_year.desc())))


def get_round(actor: User, round_id: int) -> EvaluationRound:
    round_ = db.session.get(EvaluationRound, round_id)
    if round_ is None:
        raise NotFound("自评轮次不存在")
    return round_


def evaluations(actor: User, *, year: int | None = None, round_id: int | None = None, department: str | None = None,
                status: str | None = None, recheck: bool | None = None) -> list[SelfEvaluation]:
    """The 自评表 the actor may see (a department its own), by department and project."""
    query = select(SelfEvaluation).join(Project, Project.id == SelfEvaluation.project_id).where(
        policy.visible_projects_clause(actor))
    if year is not None:
        query = query.where(SelfEvaluation.fiscal_year == year)
    if round_id is not None:
        query = query.where(SelfEvaluation.round_id == round_id)
    if status:
        query = query.where(SelfEvaluation.status == status)
    if recheck is not None:
        query = query.where(SelfEvaluation.recheck_reason.is_not(None) if recheck
                            else SelfEvaluation.recheck_reason.is_(None))
    items = list(db.session.scalars(query.order_by(SelfEvaluation.department_id, Project.code)))
    if department:
        items = [e for e in items if e.project.department.code == department]
    return items


def get(actor: User, evaluation_id: int) -> SelfEvaluation:
    evaluation = db.session.get(SelfEvaluation, evaluation_id)
    if evaluation is None or not policy.may(actor, "see_project", evaluation.project):
        raise NotFound("自评表不存在")
    return evaluation


def for_instance(instance_id: int) -> SelfEvaluation | None:
    return db.session.scalars(select(SelfEvaluation).where(SelfEvaluation.instance_id == instance_id)).first()


# -- scoring ------------------------------------------------------------------------------------------------------
def scoring_rows(rows: list[dict[str, Any]]) -> list[evaluation_scoring.Row]:
    return [evaluation_scoring.Row(
        category=r["category"], weight=r["weight"], kind=r["kind"],
        operator=r["operator"] if r["kind"] == "quantitative" else ">=", target=r.get("target_value"),
        actual=r.get("actual") or None, level=r.get("level") or None, share=r.get("share") or None,
        name=r.get("name", "")) for r in rows]


def merged_rows(stored: list[dict[str, Any]], typed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored indicator rows with what was typed for each (the indicator itself is never taken from input)."""
    if len(typed) != len(stored):
        raise Invalid("自评表的指标行数与批复的绩效目标不一致", {"rows": [f"须为 {len(stored)} 行"]})
    merged = []
    for row, values in zip(stored, typed):
        clean = {k: str(values.get(k) or "").strip() for k in ("actual", "level", "share", "cause")}
        merged.append({**row, **clean})
    return merged


def compute(budget: Any, executed: Any, rows: list[dict[str, Any]], *, causes_required: bool
            ) -> evaluation_scoring.Result:
    """Score the table; a scoring problem or a missing deviation cause is a 422 naming the field."""
    try:
        result = evaluation_scoring.score(budget, executed, scoring_rows(rows), **scoring_options())
    except evaluation_scoring.ScoringError as error:
        fields = {("annual_budget" if k == "budget" else k): v for k, v in error.fields.items()}
        raise Invalid("自评表有误：" + described(fields, rows), fields) from None
    if causes_required:
        missing = {f"rows.{i}.cause": [CAUSE_REQUIRED] for i in result.needs_cause if not rows[i].get("cause")}
        if missing:
            raise Invalid(f"{CAUSE_REQUIRED}：" + "、".join(
                f"第{i + 1}行“{rows[i]['name']}”" for i in result.needs_cause if not rows[i].get("cause")), missing)
    return result


FIELD_LABELS = {"executed": "全年执行数", "annual_budget": "全年预算数"}
ROW_FIELD = re.compile(r"rows\.(\d+)\.")


def described(fields: dict[str, list[str]], rows: list[dict[str, Any]]) -> str:
    """The errors as a person reads them: "第2行“培训合格率”：请填写实际完成值"."""
    parts = []
    for key, messages in fields.items():
        match = ROW_FIELD.match(key)
        if match and int(match.group(1)) < len(rows):
            where = f"第{int(match.group(1)) + 1}行“{rows[int(match.group(1))]['name']}”"
        else:
            where = FIELD_LABELS.get(key, key)
        parts.append(f"{where}：{'，'.join(messages)}")
    return "；".join(parts)


def is_uncritical(result: evaluation_scoring.Result, rows: list[dict[str, Any]], problems: str) -> bool:
    """Every row full marks and no problem named anywhere: the kind of 自评 the county distrusts."""
    return result.all_rows_full and not problems.strip() and not any(r.get("cause") for r in rows)


# -- the steps ----------------------------------------------------------------------------------------------------
def _fill(c: Completion, evaluation: SelfEvaluation) -> None:
    form = c.form
    rows = merged_rows(evaluation.rows, form.figures()["rows"])
    budget = form.annual_budget.data if form.annual_budget.data is not None else evaluation.annual_budget
    executed = form.executed.data
    if executed is None:
        raise Invalid("请填写全年执行数", {"executed": ["请填写全年执行数（万元）"]})
    result = compute(budget, executed, rows, causes_required=True)
    problems = (form.problems.data or "").strip()
    evaluation.annual_budget = Decimal(budget).quantize(TWO)
    evaluation.executed = Decimal(executed).quantize(TWO)
    evaluation.overall_actual = form.overall_actual.data.strip()
    evaluation.problems = problems
    evaluation.rows = rows
    evaluation.score, evaluation.grade, evaluation.breakdown = result.total, result.grade, result.as_dict()
    evaluation.flagged = is_uncritical(result, rows, problems)
    used = attachments.claim_for(c.actor, form.evidence_ids(), c.instance.id, f"self_evaluation:{evaluation.id}")
    evaluation.evidence = sorted(set(evaluation.evidence or []) | {a.id for a in used})
    evaluation.status = SelfEvaluationStatus.SIGNING.value
    c.task_data.update({"self_evaluation_score": float(result.total), "self_evaluation_grade": result.grade})


def _signoff(c: Completion, evaluation: SelfEvaluation) -> None:
    if not c.form.approved.data:
        evaluation.status = SelfEvaluationStatus.FILLING.value
        return
    evaluation.status = SelfEvaluationStatus.SUBMITTED.value
    evaluation.submitted_at = now()
    project = evaluation.project
    result_application.record(project, result_application.budget_year_after(project),
                              result_application.SELF_EVALUATION, evaluation.score, evaluation.grade, c.actor,
                              note="单位自评")
    flag = "（自评满分且未反映问题，已列入复核）" if evaluation.flagged else ""
    notify(_performance_section(), "self_evaluation_submitted",
           f"自评表已报送：{project.code} {project.name}，自评 {evaluation.score} 分（{evaluation.grade}）{flag}",
           instance_id=c.instance.id)


ON_COMPLETE = {"fill_evaluation": _fill, "evaluation_signoff": _signoff}


def _performance_section() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.holding(Role.PERFORMANCE_SECTION.value))))


def department_people(department_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.active.is_(True), User.department_id == department_id,
        User.holding(Role.DEPARTMENT_FILER.value, Role.DEPARTMENT_HEAD.value))))


class SelfEvaluationHooks(ProcessHooks):
    def before_start(self, actor, project, data) -> None:
        # Only start_round creates the 自评表 the instance belongs to.
        if project is None or not isinstance(data.get("self_evaluation_id"), int):
            raise Invalid(f"单位自评须通过 {START_ENDPOINT} 发起", {"key": [f"请使用 {START_ENDPOINT}"]})
        evaluation = db.session.get(SelfEvaluation, data["self_evaluation_id"])
        if evaluation is None or evaluation.project_id != project.id:
            raise Invalid("自评表与项目不符", {"self_evaluation_id": ["与项目不符"]})
        if evaluation.instance_id is not None:
            raise Conflict("该项目的自评已经开始")

    def initial_data(self, task, project) -> dict[str, Any] | None:
        evaluation = for_instance(task.instance_id)
        if evaluation is None or task.name != "fill_evaluation":
            return None
        return {"annual_budget": evaluation.annual_budget, "executed": evaluation.executed,
                "overall_actual": evaluation.overall_actual, "problems": evaluation.problems,
                "rows": [{k: r.get(k, "") for k in ("actual", "level", "share", "cause")} for r in evaluation.rows]}

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        from ..models import Attachment
        evaluation = for_instance(task.instance_id)
        if evaluation is None:
            return {}
        files = list(db.session.scalars(select(Attachment).where(Attachment.instance_id == task.instance_id)))
        unused = list(db.session.scalars(select(Attachment).where(
            Attachment.uploaded_by == viewer.username, Attachment.instance_id.is_(None))))
        return {"evaluation": evaluation, "evaluation_files": files, "unused_uploads": unused,
                "scoring_page": page_settings()}

    def before_complete(self, c: Completion) -> None:
        evaluation = for_instance(c.instance.id)
        assert evaluation is not None
        ON_COMPLETE[c.task.name](c, evaluation)
        audit.record(f"self_evaluation_{c.task.name}", c.actor, instance_id=c.instance.id,
                     object_type="self_evaluation", object_id=evaluation.id,
                     after={"status": evaluation.status, "score": str(evaluation.score), "grade": evaluation.grade})

    def after_step(self, instance, run, completion) -> None:
        if completion is None and for_instance(instance.id) is None and instance.project_id is not None:
            # Just started by the batch: the instance belongs to the project's 自评表 of this round.
            evaluation = db.session.scalars(select(SelfEvaluation).where(
                SelfEvaluation.project_id == instance.project_id, SelfEvaluation.instance_id.is_(None))).first()
            if evaluation is not None:
                evaluation.instance_id = instance.id


def page_settings() -> dict[str, Any]:
    """What the page's live breakdown needs (static/js/evaluation-scoring.js reads them as data attributes)."""
    options = scoring_options()
    return {"category_points": {k: float(v) for k, v in evaluation_scoring.DEFAULT_CATEGORY_POINTS.items()},
            "equal_tolerance": float(options["equal_tolerance"]), "overshoot_ratio": float(options["overshoot_ratio"])}


# -- 财政复核 ------------------------------------------------------------------------------------------------------
@dataclass
class Draw:
    round: EvaluationRound
    sampled: list[SelfEvaluation]
    flagged: list[SelfEvaluation]


@transactional
def draw_sample(actor: User, round_id: int, payload: dict[str, Any]) -> Draw:
    """Draw the re-check sample of a round's submitted evaluations: a random share or count (seeded: the same
    seed over the same evaluations draws the same ones) plus every flagged one. Drawn ones stay drawn."""
    policy.require(actor, "manage_self_evaluation")
    round_ = get_round(actor, round_id)
    errors: dict[str, list[str]] = {}
    seed = payload.get("seed")
    if not isinstance(seed, str | int) or isinstance(seed, bool) or not str(seed).strip() or len(str(seed)) > 64:
        errors["seed"] = ["请填写随机种子（1–64 个字符）"]
    share, count = payload.get("share"), payload.get("count")
    if count not in (None, ""):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            errors["count"] = ["抽取数量须为不小于 0 的整数"]
    elif share not in (None, ""):
        try:
            share = Decimal(str(share))
            if not share.is_finite() or not 0 <= share <= 100:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["share"] = ["抽取比例须为 0–100（%）"]
    else:
        share = setting("EVALUATION_RECHECK_SHARE")
    if errors:
        raise Invalid("抽取条件有误", errors)
    submitted = list(db.session.scalars(select(SelfEvaluation).where(
        SelfEvaluation.round_id == round_.id, SelfEvaluation.status.in_(
            (SelfEvaluationStatus.SUBMITTED.value, SelfEvaluationStatus.RECHECKED.value)))
        .order_by(SelfEvaluation.id)))
    if not submitted:
        raise Conflict("本轮还没有已报送的自评表，无法抽取")
    flagged = [e for e in submitted if e.flagged and e.recheck_reason is None]
    for evaluation in flagged:
        evaluation.recheck_reason = "flagged"
    pool = [e for e in submitted if e.recheck_reason is None]
    if count not in (None, ""):
        size = min(int(count), len(pool))
        round_.sample_count, round_.sample_share = int(count), None
    else:
        size = min(len(pool), math.ceil(len(submitted) * Decimal(share) / 100))
        round_.sample_share, round_.sample_count = Decimal(share).quantize(TWO), None
    sampled = random.Random(str(seed).strip()).sample(pool, size)
    for evaluation in sampled:
        evaluation.recheck_reason = "sampled"
    round_.sample_seed, round_.sampled_at, round_.sampled_by = str(seed).strip(), now(), actor.username
    audit.record("self_evaluation_sample_drawn", actor, object_type="evaluation_round", object_id=round_.id,
                 after={"seed": round_.sample_seed, "share": None if round_.sample_share is None else str(share),
                        "count": round_.sample_count, "sampled": [e.id for e in sampled],
                        "flagged": [e.id for e in flagged]})
    from . import self_evaluation_recheck
    # Every drawn table not re-checked yet gets its re-check task now: the new ones, and any drawn before
    # re-checks were a process (a draw with count 0 catches those up). One with a task keeps it: never two.
    waiting = [e for e in submitted if e.recheck_reason is not None and e.recheck_instance_id is None
               and e.status == SelfEvaluationStatus.SUBMITTED.value]
    self_evaluation_recheck.start_for(actor, waiting)
    return Draw(round_, sorted(sampled, key=lambda e: e.id), flagged)


@transactional
def choose_for_recheck(actor: User, evaluation_id: int) -> SelfEvaluation:
    """The performance section adds one submitted evaluation to the re-check by hand."""
    evaluation = get(actor, evaluation_id)
    policy.require(actor, "manage_self_evaluation")
    if evaluation.status != SelfEvaluationStatus.SUBMITTED.value:
        raise Conflict("只有已报送财政、尚未复核的自评表可以列入复核")
    if evaluation.recheck_reason is None:
        evaluation.recheck_reason = "chosen"
        audit.record("self_evaluation_chosen_for_recheck", actor, object_type="self_evaluation",
                     object_id=evaluation.id)
    from . import self_evaluation_recheck
    self_evaluation_recheck.start_for(actor, [evaluation])   # chosen again: the one it has
    return evaluation


def _findings(payload: dict[str, Any]) -> list[str]:
    findings = payload.get("findings") or []
    if not isinstance(findings, list) or not all(isinstance(f, str) for f in findings):
        raise Invalid("复核发现的问题须为文字列表", {"findings": ["文字列表"]})
    return [f.strip() for f in findings if f.strip()]


@transactional
def recheck(actor: User, evaluation_id: int, payload: dict[str, Any]) -> SelfEvaluation:
    """Finance re-scores a drawn evaluation with its own figures: {"executed", "rows": [{actual, level, share,
    cause}], "opinion", "findings": [str], "deadline": date (with findings), "reduce_amount"}. This completes
    the table's re-check task (process self_evaluation_recheck), which does the re-check itself."""
    from . import instances, self_evaluation_recheck
    evaluation = get(actor, evaluation_id)
    policy.require(actor, "manage_self_evaluation")
    if evaluation.status != SelfEvaluationStatus.SUBMITTED.value:
        raise Conflict("只有已报送财政、尚未复核的自评表可以复核")
    if evaluation.recheck_reason is None:
        raise Conflict("该自评表未列入复核，请先抽取或指定")
    # The body's shape is checked here, where its types are still JSON's (the task form reads text).
    typed = payload.get("rows")
    if not isinstance(typed, list) or not all(isinstance(r, dict) for r in typed):
        raise Invalid("复核表的指标行有误", {"rows": ["每个指标一行"]})
    opinion = payload.get("opinion") or ""
    if not isinstance(opinion, str) or len(opinion) > 5000:
        raise Invalid("复核意见不超过5000字", {"opinion": ["不超过5000字"]})
    _findings(payload)
    task = self_evaluation_recheck.open_task(actor, evaluation)
    # Inside this unit of work: a refused re-check leaves the task open and nothing saved.
    instances.complete_task.__wrapped__(actor, task.id, json=self_evaluation_recheck.form_json(payload))
    return evaluation


# -- the quality figure: department's score vs finance's ----------------------------------------------------------
@dataclass
class Quality:
    department: Any
    rechecked: int
    mean_gap: Decimal           # mean of (department − finance): positive = the department scores itself higher
    mean_abs_gap: Decimal       # mean |department − finance|
    flagged: int


def quality(year: int) -> list[Quality]:
    """Per department: how far its self-scores lie from finance's re-check (largest gap first)."""
    from ..models import Department
    rows = list(db.session.scalars(select(SelfEvaluation).where(
        SelfEvaluation.fiscal_year == year, SelfEvaluation.score_gap.is_not(None))))
    flagged = dict(db.session.execute(select(SelfEvaluation.department_id, func.count()).where(
        SelfEvaluation.fiscal_year == year, SelfEvaluation.flagged.is_(True)).group_by(SelfEvaluation.department_id)).all())
    by_department: dict[int, list[Decimal]] = {}
    for row in rows:
        by_department.setdefault(row.department_id, []).append(Decimal(row.score_gap))
    result = []
    for department_id, gaps in by_department.items():
        n = len(gaps)
        result.append(Quality(db.session.get(Department, department_id), n,
                              (sum(gaps) / n).quantize(TWO, ROUND_HALF_UP),
                              (sum(abs(g) for g in gaps) / n).quantize(TWO, ROUND_HALF_UP),
                              int(flagged.get(department_id, 0))))
    result.sort(key=lambda q: (-q.mean_abs_gap, q.department.code))
    return result


def _ranking_gaps(year: int) -> dict[int, Decimal]:
    return {q.department.id: q.mean_abs_gap for q in quality(year)}


result_application.RANKING_GAPS.append(_ranking_gaps)
RECHECK_REASON_LABELS = RECHECK_REASONS
