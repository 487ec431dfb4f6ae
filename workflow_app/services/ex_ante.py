"""事前绩效评估 (ex-ante assessment): domain behaviour around bpmn/ex_ante.bpmn.

The BPMN decides the order of the steps; this module starts an assessment, keeps its material pack, stores
what each step produced (per-task handlers in a table), reads the grading table the DMN gave when the scoring
began, computes the score and the conclusion, writes the conclusion to the project (项目库) and answers the
goal review's question "may this project's goal review start?".

Everything that names this process lives in its own files (bpmn/ex_ante.bpmn, bpmn/ex_ante_scoring.dmn,
forms/ex_ante.py, models/ex_ante.py, this module and ex_ante_scoring.py, api/ex_ante.py, web/ex_ante.py,
templates/processes/ex_ante/); its declaration for the generic code is processes/ex_ante.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import func, select
from SpiffWorkflow.util.task import TaskState as SpiffState

from ..engine import now
from ..extensions import db
from ..models import (Department, HumanTask, InstanceStatus, ProcessInstance, Project, TaskState,
                      User)
from ..models.ex_ante import (CONCLUSION_LABELS, ITEM_KINDS, MATERIALS, REQUIRED_MATERIALS,
                              ExAnteAssessment, ExAnteConclusion, ExAnteMaterial, ExAnteOpinion, ExAnteStatus)
from . import (anonymity, attachments, audit, ex_ante_scoring, goal_review, instances, policy, process_settings,
               projects)
from .errors import Conflict, Forbidden, Invalid, NotFound
from .hooks import Completion, ProcessHooks
from .transaction import transactional
from forms.fields import strict_bool

EX_ANTE = "ex_ante"
START_ENDPOINT = "POST /api/v1/projects/<id>/ex-ante"
# The step whose page carries the material pack's uploads.
MATERIAL_TASK = "register_item"


# The process's settings (README): the conclusion's cut-offs on the 100-point score, and from which amount
# (万元) a NEW project is "major" (重大) and needs a supporting assessment before its goal review (0: every one).
SETTINGS: dict[str, str] = {"EX_ANTE_SUPPORT_MIN": "80", "EX_ANTE_PARTIAL_MIN": "60", "EX_ANTE_MIN_AMOUNT": "100"}


def setting(name: str) -> Decimal:
    """A setting of this process (services/process_settings.py)."""
    return process_settings.read(name, SETTINGS)


# -- starting -----------------------------------------------------------------------------------
def may_start(actor: User, project: Project) -> bool:
    """The department registers its own items (permission `start_ex_ante`, processes/ex_ante.py)."""
    return policy.may(actor, "start_ex_ante", project)


def running_assessment(project_id: int) -> ExAnteAssessment | None:
    return db.session.scalars(select(ExAnteAssessment).join(
        ProcessInstance, ProcessInstance.id == ExAnteAssessment.instance_id).where(
        ExAnteAssessment.project_id == project_id, ProcessInstance.status == InstanceStatus.RUNNING.value)).first()


@transactional
def start_assessment(actor: User, project_id: int) -> ExAnteAssessment:
    project = projects.get_project(actor, project_id)
    policy.require(actor, "start_ex_ante", project)
    projects.lock_project(project)  # first, so two starts at the same moment cannot both pass the check below
    running = running_assessment(project.id)
    if running is not None:
        raise Conflict(f"该项目已有进行中的事前绩效评估（流程 #{running.instance_id}）")
    assessment = ExAnteAssessment(
        project_id=project.id, department_id=project.department_id, fiscal_year=project.fiscal_year,
        item_kind=project.kind if project.kind in ITEM_KINDS else "project",
        basis="new" if project.is_new else "continuing", created_by=actor.username)
    db.session.add(assessment)
    db.session.flush()
    started = instances.start_instance_unlocked(
        actor, EX_ANTE, {"assessment_id": assessment.id, "item_kind": assessment.item_kind}, project)
    assessment.instance_id = started.instance.id
    audit.record("ex_ante_started", actor, instance_id=started.instance.id, object_type="ex_ante",
                 object_id=assessment.id, after={"project_id": project.id})
    return assessment


# -- reading ------------------------------------------------------------------------------------
def visible_clause(actor: User):
    """The assessments a user may list: those of the projects the user sees in the project library (the bureau,
    business sections and supervisors all; a department its own and those it is the competent department of)."""
    return ExAnteAssessment.project_id.in_(select(Project.id).where(policy.visible_projects_clause(actor)))


def get(actor: User, assessment_id: int) -> ExAnteAssessment:
    assessment = db.session.get(ExAnteAssessment, assessment_id)
    if assessment is None:
        raise NotFound("事前绩效评估不存在")
    instance = db.session.get(ProcessInstance, assessment.instance_id) if assessment.instance_id else None
    if not (policy.can_see_project(actor, assessment.project)
            or (instance is not None and policy.can_see_instance(actor, instance, assessment.project))):
        raise NotFound("事前绩效评估不存在")
    return assessment


def for_instance(instance_id: int) -> ExAnteAssessment | None:
    return db.session.scalars(select(ExAnteAssessment).where(ExAnteAssessment.instance_id == instance_id)).first()


def latest_for_project(project_id: int) -> ExAnteAssessment | None:
    return db.session.scalars(select(ExAnteAssessment).where(ExAnteAssessment.project_id == project_id)
                              .order_by(ExAnteAssessment.id.desc()).limit(1)).first()


@dataclass
class Listing:
    items: list[ExAnteAssessment]
    total: int


def list_assessments(actor: User, *, year: int | None = None, department: str | None = None,
                     conclusion: str | None = None, limit: int = 50, offset: int = 0) -> Listing:
    conditions = [visible_clause(actor)]
    if year is not None:
        conditions.append(ExAnteAssessment.fiscal_year == year)
    if department:
        dept = db.session.scalars(select(Department).where(Department.code == department)).first()
        conditions.append(ExAnteAssessment.department_id == (dept.id if dept else -1))
    if conclusion:
        if conclusion not in CONCLUSION_LABELS:
            raise Invalid("conclusion 只能是 support、partial 或 reject", {"conclusion": ["无效"]})
        conditions.append(ExAnteAssessment.conclusion == conclusion)
    total = db.session.scalar(select(func.count()).select_from(ExAnteAssessment).where(*conditions)) or 0
    items = list(db.session.scalars(select(ExAnteAssessment).where(*conditions)
                                    .order_by(ExAnteAssessment.id.desc()).limit(limit).offset(offset)))
    return Listing(items, total)


def current_materials(assessment: ExAnteAssessment) -> dict[str, list[ExAnteMaterial]]:
    """The pack by kind; a kind's latest file first (that is the one that counts)."""
    pack: dict[str, list[ExAnteMaterial]] = {kind: [] for kind in MATERIALS}
    for material in sorted(assessment.materials, key=lambda m: m.id, reverse=True):
        pack.setdefault(material.kind, []).append(material)
    return pack


def missing_materials(assessment: ExAnteAssessment) -> list[str]:
    pack = current_materials(assessment)
    return [label for kind, label in REQUIRED_MATERIALS.items() if not pack.get(kind)]


# -- the material pack --------------------------------------------------------------------------
def _material_task(actor: User, assessment: ExAnteAssessment) -> HumanTask:
    """The ready registration task the actor may work on: the pack changes only while it is being registered."""
    task = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == assessment.instance_id, HumanTask.name == MATERIAL_TASK,
        HumanTask.state == TaskState.READY.value)).first()
    if task is None:
        raise Conflict("材料只能在“登记评估事项”这一步上传")
    if not policy.may_act(actor, task):
        raise Forbidden("只有办理“登记评估事项”的部门填报人可以上传材料")
    return task


def check_may_upload(actor: User, assessment_id: int, kind: str | None) -> ExAnteAssessment:
    """Refusals before any file is kept: not found (404), not this step or not one's task (409/403), bad kind (422)."""
    assessment = get(actor, assessment_id)
    _material_task(actor, assessment)
    if kind not in MATERIALS:
        raise Invalid("材料类别无效", {"kind": [f"只能是 {'、'.join(MATERIALS)}"]})
    return assessment


def add_material(actor: User, assessment_id: int, kind: str | None, stream: IO[bytes] | None,
                 filename: str | None) -> ExAnteMaterial:
    check_may_upload(actor, assessment_id, kind)
    # The upload is checked (size, content) and stored as every upload is; an unused file it leaves behind
    # if the link below fails is like any upload never used.
    saved = attachments.save_upload(actor, stream, filename)
    return _link_material(actor, assessment_id, str(kind), saved.id)


@transactional
def _link_material(actor: User, assessment_id: int, kind: str, attachment_id: int) -> ExAnteMaterial:
    assessment = check_may_upload(actor, assessment_id, kind)
    [attachment] = attachments.claim_for(actor, [attachment_id], assessment.instance_id, f"ex_ante_material:{kind}")
    material = ExAnteMaterial(assessment_id=assessment.id, kind=kind, attachment_id=attachment.id,
                              uploaded_by=actor.username)
    db.session.add(material)
    db.session.flush()
    audit.record("ex_ante_material", actor, instance_id=assessment.instance_id, object_type="ex_ante",
                 object_id=assessment.id, after={"kind": kind, "attachment_id": attachment.id,
                                                 "filename": attachment.filename, "sha256": attachment.sha256})
    return material


# -- the goal review's gate -----------------------------------------------------------------------
def needs_assessment(project: Project) -> bool:
    """A new major project (新增且达到金额标准) needs a supporting ex-ante assessment before its goal review."""
    return bool(project.is_new) and Decimal(project.amount) >= setting("EX_ANTE_MIN_AMOUNT")


def check_goal_review_gate(actor: User, project: Project, options: dict[str, Any]) -> None:
    """A goal review start gate (goal_review.START_GATES): raise Invalid (422, nothing saved) when the project
    may not enter its goal review yet; record the acknowledgement of a 部分支持's conditions
    (`"acknowledge_conditions": true` in the start request)."""
    if not needs_assessment(project):
        return
    raw = options.get("acknowledge_conditions", False)
    try:
        acknowledged = bool(strict_bool(raw)) if not isinstance(raw, (dict, list)) else None
    except ValueError:
        acknowledged = None
    if acknowledged is None:
        raise Invalid("acknowledge_conditions 只能是 true 或 false", {"acknowledge_conditions": ["true|false"]})
    assessment = db.session.scalars(select(ExAnteAssessment).where(
        ExAnteAssessment.project_id == project.id, ExAnteAssessment.status == ExAnteStatus.CONCLUDED.value)
        .order_by(ExAnteAssessment.id.desc()).limit(1)).first()
    if assessment is None:
        raise Invalid("新增重大项目须先完成事前绩效评估，才能发起绩效目标审核",
                      {"ex_ante": ["没有已完成的事前绩效评估"]})
    if assessment.conclusion == ExAnteConclusion.REJECT.value:
        raise Invalid("该项目的事前绩效评估结论为不予支持，不能发起绩效目标审核",
                      {"ex_ante": ["事前绩效评估结论：不予支持"]})
    if assessment.conclusion == ExAnteConclusion.PARTIAL.value:
        if not acknowledged:
            raise Invalid("事前绩效评估结论为部分支持，请先确认已按支持条件调整完善",
                          {"acknowledge_conditions": [f"须确认支持条件：{assessment.conditions or ''}"]})
        if assessment.conditions_acknowledged_by is None:
            assessment.conditions_acknowledged_by = actor.username
            assessment.conditions_acknowledged_at = now()
            audit.record("ex_ante_conditions_acknowledged", actor, instance_id=assessment.instance_id,
                         object_type="ex_ante", object_id=assessment.id, after={"conditions": assessment.conditions})


# -- the steps ----------------------------------------------------------------------------------
def _settings() -> dict[str, Decimal]:
    return {"support_min": setting("EX_ANTE_SUPPORT_MIN"), "partial_min": setting("EX_ANTE_PARTIAL_MIN")}


def _opinion(c: Completion, assessment: ExAnteAssessment, kind: str, *, decision: str | None = None,
             grades: dict[str, str] | None = None, text: str = "", extra: dict[str, Any] | None = None) -> None:
    db.session.add(ExAnteOpinion(assessment_id=assessment.id, task_id=c.task.id, kind=kind, author=c.actor.username,
                                 author_name=c.actor.name, decision=decision, grades=grades, text=text.strip(),
                                 extra=extra))


def _register_item(c: Completion, a: ExAnteAssessment) -> None:
    missing = missing_materials(a)
    if missing:
        raise Invalid("材料不全，请先上传：" + "、".join(missing), {"materials": [f"缺少{m}" for m in missing]})
    a.item_kind, a.basis, a.summary = c.form.item_kind.data, c.form.basis.data, c.form.summary.data.strip()


def _self_assess(c: Completion, a: ExAnteAssessment) -> None:
    a.self_grades = c.form.self_grades()
    a.self_report = c.form.report.data.strip()


def _head_signoff(c: Completion, a: ExAnteAssessment) -> None:
    _opinion(c, a, "signoff", decision="approved" if c.form.approved.data else "returned",
             text=c.form.opinion.data or "")


def _organize_review(c: Completion, a: ExAnteAssessment) -> None:
    complete = bool(c.form.materials_complete.data)
    _opinion(c, a, "organize", decision="organized" if complete else "returned", text=c.form.opinion.data or "",
             extra={"use_third_party": bool(c.task_data["use_third_party"])})
    if not complete:
        return
    assert c.project is not None
    a.use_third_party = bool(c.task_data["use_third_party"])
    # The joint review's draw: 回避 of the project's own and competent department, EXPERTS_PER_REVIEW experts.
    round_no = 1 + sum(1 for o in a.opinions if o.kind == "organize" and o.decision == "organized")
    c.task_data["experts"] = a.experts = goal_review.draw_experts(c.project, c.instance.id, round_no)


def _finance_review(c: Completion, a: ExAnteAssessment) -> None:
    _opinion(c, a, "finance", decision=c.form.recommendation.data, text=c.form.opinion.data)


def _expert_review(c: Completion, a: ExAnteAssessment) -> None:
    _opinion(c, a, "expert", decision=c.form.recommendation.data, grades=c.form.dimension_grades(),
             text=c.form.opinion.data)


def _third_party_report(c: Completion, a: ExAnteAssessment) -> None:
    _opinion(c, a, "third_party", decision=c.form.recommendation.data, grades=c.form.dimension_grades(),
             text=c.form.opinion.data)


def _third_party_check(c: Completion, a: ExAnteAssessment) -> None:
    # Supervised: the agency's report counts only once the performance section accepts it.
    _opinion(c, a, "third_party_check", decision="accepted" if c.form.accepted.data else "returned",
             text=c.form.opinion.data)


def _score_review(c: Completion, a: ExAnteAssessment) -> None:
    try:
        scored, outcome = c.form.result()
    except ex_ante_scoring.ScoringError as error:
        raise Invalid(str(error), {"sub_grades": [str(error)]}) from error
    a.sub_grades = c.form.grades()
    a.dimension_scores = {code: str(points) for code, points in scored.dimensions.items()}
    a.score = scored.total
    a.conclusion = outcome
    a.conditions = (c.form.conditions.data or "").strip() or None if outcome == "partial" else None
    _opinion(c, a, "score", decision=outcome, grades=a.sub_grades, text=c.form.opinion.data,
             extra={"score": str(scored.total), "dimensions": a.dimension_scores})


# Per-task handlers: what each step's completion stores (every user task of bpmn/ex_ante.bpmn has one).
ON_COMPLETE: dict[str, Callable[[Completion, ExAnteAssessment], None]] = {
    "register_item": _register_item, "self_assess": _self_assess, "head_signoff": _head_signoff,
    "organize_review": _organize_review, "finance_review": _finance_review, "expert_review": _expert_review,
    "third_party_report": _third_party_report, "third_party_check": _third_party_check,
    "score_review": _score_review,
}


def _ready_task_data(run, bpmn_id: str) -> dict[str, Any] | None:
    for task in run.workflow.get_tasks(state=SpiffState.READY, manual=True):
        if task.task_spec.bpmn_id == bpmn_id:
            return task.data
    return None


def opinions_for(assessment: ExAnteAssessment, viewer: User) -> list[dict[str, Any]]:
    """The opinions as a viewer may read them: experts by alias outside the bureau-wide roles."""
    masker = anonymity.Masker(viewer)
    shown = []
    for o in assessment.opinions:
        name = o.author_name
        if o.kind == "expert" and not masker.reveal and o.author != viewer.username:
            name = masker.person(assessment.instance_id, o.author, "expert_review") or anonymity.ALIAS_PREFIX
        shown.append({"opinion": o, "author": name})
    return shown


class ExAnteHooks(ProcessHooks):
    def before_start(self, actor, project, data) -> None:
        # Only start_assessment creates the assessment row the instance belongs to.
        if project is None or not isinstance(data.get("assessment_id"), int):
            raise Invalid(f"事前绩效评估须通过 {START_ENDPOINT} 发起", {"key": [f"请使用 {START_ENDPOINT}"]})

    def initial_data(self, task, project) -> dict[str, Any] | None:
        assessment = for_instance(task.instance_id)
        if assessment is None:
            return None
        if task.name == "register_item":
            return {"item_kind": assessment.item_kind, "basis": assessment.basis, "summary": assessment.summary}
        if task.name == "self_assess" and assessment.self_grades:
            return {"grades": assessment.self_grades, "report": assessment.self_report}
        return None

    def form_context(self, task, project) -> dict[str, Any]:
        if task.name != "score_review":
            return {}
        assessment = for_instance(task.instance_id)
        ratios = {k: Decimal(str(v)) for k, v in ((assessment.grade_ratios or {}) if assessment else {}).items()}
        return {"grade_ratios": ratios, **_settings()}

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        assessment = for_instance(task.instance_id)
        if assessment is None:
            return {}
        context = {"assessment": assessment, "materials": current_materials(assessment),
                   "missing_materials": missing_materials(assessment),
                   "ex_ante_opinions": opinions_for(assessment, viewer),
                   "may_upload_materials": task.name == MATERIAL_TASK and policy.may_act(viewer, task)}
        if task.name == "score_review":
            context.update(ex_ante_ratios=assessment.grade_ratios or {}, ex_ante_cutoffs=_settings())
        return context

    def before_complete(self, c: Completion) -> None:
        assessment = for_instance(c.instance.id)
        assert assessment is not None
        ON_COMPLETE[c.task.name](c, assessment)

    def after_step(self, instance, run, completion) -> None:
        assessment = for_instance(instance.id)
        if assessment is None:
            return
        if completion is not None and completion.task.name == "head_signoff" and completion.form.approved.data:
            assessment.status = ExAnteStatus.IN_REVIEW.value
        if completion is not None and completion.task.name == "organize_review" \
                and not completion.form.materials_complete.data:
            assessment.status = ExAnteStatus.REGISTERING.value
        data = _ready_task_data(run, "score_review")
        if data is not None and "grade_name" in data:
            # The grading table as the DMN gave it when the scoring began: the scoring uses this one.
            assessment.grade_ratios = {k: float(v) for k, v in ex_ante_scoring.ratio_table(
                data.get("grade_name"), data.get("grade_ratio")).items()}
        if instance.status == InstanceStatus.COMPLETED.value and assessment.status != ExAnteStatus.CONCLUDED.value:
            assessment.status = ExAnteStatus.CONCLUDED.value
            assessment.concluded_at = now()
            project = assessment.project
            # Written back to the project library (事前绩效评估结论): the goal review's gate reads it.
            project.ex_ante_conclusion = assessment.conclusion
            project.ex_ante_score = assessment.score
            audit.record("ex_ante_concluded", None, instance_id=instance.id, object_type="project",
                         object_id=project.id, after={"conclusion": assessment.conclusion,
                                                      "score": str(assessment.score)})


