"""财政复核 (finance's re-check of a submitted 单位自评表) as a process of its own: bpmn/self_evaluation_recheck.bpmn.

When the performance section draws a round's sample (services/self_evaluation.draw_sample: the flagged tables
plus the seeded share) or chooses one table by hand, one instance per drawn table is started here, in the same
transaction as the draw: its one task `recheck_evaluation` waits in the performance section's queue with a
deadline (DUE_DAYS_SELF_EVALUATION_RECHECK), so the generic machinery reminds, marks it overdue and keeps its
history. A table never gets two: `SelfEvaluation.recheck_instance_id` is unique and is read under a row lock.

Completing the task is the re-check (whether through the task page, the task API or the 自评表's own re-check
page and API, which complete this task): finance's figures are scored, the gap to the department's score is
kept, findings open a rectification (source 自评复核) in the same unit of work, the result is recorded (source
recheck) and the department is notified.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import HumanTask, TaskState, User
from ..models.self_evaluation import SelfEvaluation, SelfEvaluationStatus
from . import audit, instances, result_application
from .errors import Conflict, Invalid
from .hooks import Completion, ProcessHooks
from .notifications import notify

SELF_EVALUATION_RECHECK = "self_evaluation_recheck"
RECHECK_TASK = "recheck_evaluation"
START_ENDPOINT = "POST /api/v1/self-evaluation-rounds/<id>/sample"


def for_instance(instance_id: int) -> SelfEvaluation | None:
    return db.session.scalars(select(SelfEvaluation).where(
        SelfEvaluation.recheck_instance_id == instance_id)).first()


def start_for(actor: User, evaluations: list[SelfEvaluation]) -> int:
    """Start the re-check of each drawn table that has none yet, inside the caller's unit of work; returns how
    many were started.

    Started directly rather than as batch chunks: a draw is a share of one county's year (tens of tables, a
    few hundred at most), each start is a few rows, and starting in the draw's own transaction means a table is
    never drawn without its task (nor has a task without being drawn) and a repeated draw finds what it started.
    """
    started = 0
    for evaluation in evaluations:
        # Locked and read again: a concurrent draw or choice that started one first has committed it by now.
        current = db.session.execute(select(SelfEvaluation.recheck_instance_id).where(
            SelfEvaluation.id == evaluation.id).with_for_update()).scalar_one()
        if current is not None or evaluation.recheck_instance_id is not None:
            continue
        # A draw is the section's shared work: the task waits unclaimed in the performance section's queue
        # (认领 takes one) and everyone in the section is told, not only the one who drew.
        begun = instances.start_instance_unlocked(actor, SELF_EVALUATION_RECHECK,
                                                  {"self_evaluation_id": evaluation.id}, evaluation.project,
                                                  starter_holds=False)
        evaluation.recheck_instance_id = begun.instance.id
        started += 1
    return started


def open_task(actor: User, evaluation: SelfEvaluation) -> HumanTask:
    """The ready re-check task of a drawn table; a table drawn before re-checks were a process gets its
    instance now (in the caller's unit of work, so a refused re-check leaves nothing behind)."""
    if evaluation.recheck_instance_id is None:
        start_for(actor, [evaluation])
        db.session.flush()
    task = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == evaluation.recheck_instance_id, HumanTask.name == RECHECK_TASK,
        HumanTask.state == TaskState.READY.value)).first()
    if task is None:
        raise Conflict("该自评表的复核任务已经办结")
    return task


def form_json(payload: dict[str, Any]) -> dict[str, Any]:
    """The re-check API's body as the task form's JSON (the same keys; only what the form reads)."""
    keys = ("executed", "rows", "opinion", "findings", "deadline", "reduce_amount")
    return {k: payload[k] for k in keys if k in payload}


def apply_recheck(actor: User, evaluation: SelfEvaluation, payload: dict[str, Any], instance_id: int) -> None:
    """Finance re-scores the table with its own figures (`payload`: RecheckForm.payload()); raises Invalid
    naming the field, with nothing written that the unit of work keeps."""
    from . import self_evaluation as domain
    if evaluation.status != SelfEvaluationStatus.SUBMITTED.value:
        raise Conflict("只有已报送财政、尚未复核的自评表可以复核")
    rows = domain.merged_rows(evaluation.rows, payload.get("rows") or [])
    executed = payload.get("executed")
    result = domain.compute(evaluation.annual_budget, executed, rows, causes_required=False)
    opinion = (payload.get("opinion") or "").strip()
    findings = list(payload.get("findings") or [])
    project = evaluation.project
    evaluation.recheck_rows = rows
    evaluation.recheck_executed = Decimal(str(executed)).quantize(domain.TWO)
    evaluation.recheck_score, evaluation.recheck_grade = result.total, result.grade
    evaluation.recheck_breakdown = result.as_dict()
    evaluation.score_gap = (Decimal(evaluation.score) - result.total).quantize(domain.TWO)
    evaluation.recheck_opinion, evaluation.recheck_findings = opinion, findings
    evaluation.rechecked_by, evaluation.rechecked_at = actor.username, now()
    evaluation.status = SelfEvaluationStatus.RECHECKED.value
    if findings:
        from . import rectification
        body = {"findings": findings, "deadline": payload.get("deadline"), "source": "recheck"}
        # Inside this unit of work: the re-check and its rectification are saved together or not at all.
        opened = rectification.start_rectification.__wrapped__(actor, project.id, body)
        evaluation.rectification_id = opened.id
    result_application.record(project, result_application.budget_year_after(project), result_application.RECHECK,
                              result.total, result.grade, actor, reduce_amount=payload.get("reduce_amount"),
                              note=opinion[:500])
    # The department follows its own 自评 instance; the re-check's history is the re-check instance's.
    notify(domain.department_people(evaluation.department_id), "self_evaluation_rechecked",
           f"自评复核结果：{project.code} {project.name}，自评 {evaluation.score} 分，复核 {result.total} 分"
           f"（{result.grade}）" + ("，请按复核发现的问题整改" if findings else ""), instance_id=evaluation.instance_id)
    audit.record("self_evaluation_rechecked", actor, instance_id=instance_id,
                 object_type="self_evaluation", object_id=evaluation.id,
                 after={"score": str(result.total), "grade": result.grade, "gap": str(evaluation.score_gap),
                        "findings": findings, "rectification_id": evaluation.rectification_id})


class RecheckHooks(ProcessHooks):
    def before_start(self, actor, project, data) -> None:
        # Only a draw or a choice (services/self_evaluation.py) names the table the instance re-checks.
        evaluation_id = data.get("self_evaluation_id")
        if project is None or not isinstance(evaluation_id, int) or isinstance(evaluation_id, bool):
            raise Invalid(f"财政复核须通过 {START_ENDPOINT} 抽取或在自评表页面指定",
                          {"key": [f"请使用 {START_ENDPOINT}"]})
        evaluation = db.session.get(SelfEvaluation, evaluation_id)
        if evaluation is None or evaluation.project_id != project.id:
            raise Invalid("自评表与项目不符", {"self_evaluation_id": ["与项目不符"]})
        if evaluation.recheck_reason is None:
            raise Conflict("该自评表未列入复核，请先抽取或指定")
        if evaluation.recheck_instance_id is not None:
            raise Conflict("该自评表的复核已经开始")

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        from . import self_evaluation as domain
        evaluation = for_instance(task.instance_id)
        if evaluation is None:
            return {}
        return {"evaluation": evaluation, "scoring_page": domain.page_settings()}

    def before_complete(self, c: Completion) -> None:
        evaluation = for_instance(c.instance.id)
        if evaluation is None:
            raise Conflict("复核任务找不到对应的自评表")
        from . import policy
        policy.require(c.actor, "manage_self_evaluation")
        apply_recheck(c.actor, evaluation, c.form.payload(), c.instance.id)
        c.task_data.update({"recheck_grade": evaluation.recheck_grade})
        c.opinion = evaluation.recheck_opinion or None
