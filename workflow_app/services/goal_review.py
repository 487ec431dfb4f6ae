"""The 二上二下 goal review and its 财政+部门+专家 joint review: domain behaviour around the BPMN.

The BPMN files decide the order of the steps; this module stores what each step produced (goal versions,
opinions, the control number), draws the experts, and keeps the project's goal status in step.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import (GoalReview, GoalStatus, GoalVersion, HumanTask, InstanceStatus, ProcessInstance, Project,
                      ReviewOpinion, Role, TaskState, User)
from . import anonymity, goals, instances, policy, projects
from .errors import Conflict, Invalid
from .hooks import Completion, ProcessHooks
from .transaction import transactional

GOAL_REVIEW = "goal_review"
JOINT_REVIEW = "joint_review"

# Checks another process puts before a goal review may start (the ex-ante assessment's conclusion, see
# services/ex_ante.py): each gets the starter, the project and the start request's options, and raises a
# DomainError to refuse; the start then saves nothing.
StartGate = Callable[[User, Project, dict[str, Any]], None]
START_GATES: list[StartGate] = []

OPINION_KIND = {"dept_signoff": "signoff", "formal_check": "formal_check", "finance_review": "finance",
                "authority_review": "authority", "expert_review": "expert", "consolidate": "consolidate",
                "final_review": "final"}


# -- starting -----------------------------------------------------------------------------------
@transactional
def start_goal_review(actor: User, project_id: int, options: dict[str, Any] | None = None) -> ProcessInstance:
    project = projects.get_project(actor, project_id)
    policy.require(actor, "start_goal_review", project)
    projects.lock_project(project)  # first, so two starts at the same moment cannot both pass the check below
    running = db.session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.project_id == project.id, ProcessInstance.process_key == GOAL_REVIEW,
        ProcessInstance.status == InstanceStatus.RUNNING.value)).first()
    if running is not None:
        raise Conflict(f"该项目已有进行中的绩效目标审核（流程 #{running}）")
    if project.goal_status == GoalStatus.APPROVED.value:
        raise Conflict("该项目的绩效目标已经批复")
    for gate in START_GATES:
        gate(actor, project, options or {})
    started = instances.start_instance_unlocked(actor, GOAL_REVIEW, {}, project)
    return started.instance


def running_review(project_id: int) -> ProcessInstance | None:
    return db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.project_id == project_id, ProcessInstance.process_key == GOAL_REVIEW,
        ProcessInstance.status == InstanceStatus.RUNNING.value)).first()


# -- experts ------------------------------------------------------------------------------------
def eligible_experts(project: Project) -> list[User]:
    """Experts who may review the project: never one of its own or its competent department (回避)."""
    excluded = {project.department_id, project.authority_department.id}
    pool = db.session.scalars(select(User).where(User.active.is_(True), User.holding(Role.EXPERT.value))
                              .order_by(User.username))
    return [u for u in pool if u.department_id not in excluded]


def draw_experts(project: Project, instance_id: int, round_no: int) -> list[str]:
    wanted = int(current_app.config["EXPERTS_PER_REVIEW"])
    pool = eligible_experts(project)
    if len(pool) < wanted:
        raise Invalid(
            f"可参加联审的专家不足：需要{wanted}人，回避本部门和主管部门后只有{len(pool)}人。请先在专家库中增加专家。",
            {"complete": [f"可抽取的专家只有{len(pool)}人，少于{wanted}人"]})
    seed = current_app.config.get("EXPERT_DRAW_SEED")
    # A seeded draw is reproducible per instance and round (tests); otherwise it is truly random.
    rng = random.Random(f"{seed}:{instance_id}:{round_no}") if seed else random.SystemRandom()
    return sorted(u.username for u in rng.sample(pool, wanted))


def check_authority_reviewer(project: Project, instance_id: int) -> None:
    """The 主管部门 review may not be done by whoever signed the goals off (四眼原则, `distinct_from` on
    authority_review). Where the department is its own 主管部门 that leaves its other heads: say at the
    formal check that there is none, rather than start a joint review whose authority step nobody can do."""
    signers = set()
    for row in db.session.execute(select(HumanTask.completed_by, HumanTask.on_behalf_of).where(
            HumanTask.instance_id == instance_id, HumanTask.name == "dept_signoff",
            HumanTask.state == TaskState.COMPLETED.value)):
        signers |= {row.completed_by, row.on_behalf_of}
    heads = db.session.scalars(select(User).where(
        User.active.is_(True), User.department_id == project.authority_department.id,
        User.holding(Role.DEPARTMENT_HEAD.value))).all()
    if not [u for u in heads if u.username not in signers]:
        department = project.authority_department.name
        raise Invalid(
            f"主管部门评审无人可办：{department}除签发人外没有其他部门负责人（四眼原则：签发人不能再作为主管部门评审）。"
            "请先为该部门增设一名部门负责人账号。",
            {"complete": [f"{department}没有签发人以外的部门负责人"]})


# -- the record of one review -------------------------------------------------------------------
def review_of(instance_id: int) -> GoalReview | None:
    return db.session.scalars(select(GoalReview).where(GoalReview.instance_id == instance_id)).first()


def latest_version(project_id: int) -> GoalVersion | None:
    return db.session.scalars(select(GoalVersion).where(GoalVersion.project_id == project_id)
                              .order_by(GoalVersion.number.desc()).limit(1)).first()


# Other processes that approve a later version of a project's goals (the in-year monitoring's 调整预算, see
# services/monitoring.py): each gives the latest version it approved for the project, or None. The project's
# approved goals are the newest of these and the goal review's 二下.
LATER_APPROVALS: list[Callable[[Project], GoalVersion | None]] = []


def approved_version(project: Project) -> GoalVersion | None:
    review = db.session.scalars(select(GoalReview).where(
        GoalReview.project_id == project.id, GoalReview.approved_version_id.is_not(None))
        .order_by(GoalReview.id.desc()).limit(1)).first()
    approved = db.session.get(GoalVersion, review.approved_version_id) if review else None
    for later in LATER_APPROVALS:
        version = later(project)
        if version is not None and (approved is None or version.number > approved.number):
            approved = version
    return approved


# -- what each step stores ------------------------------------------------------------------------
def _store_goals(c: Completion, review: GoalReview) -> None:
    """一上 / 二上: the goals as drafted become a new version; no opinion."""
    assert c.project is not None
    revision = c.task.name == "revise_goals"
    version = goals.store_version(c.project, c.instance.id, "二上" if revision else "一上", c.form.overall_goal.data,
                                  c.form.indicator_rows(), c.actor.username, c.form.amount.data if revision else None)
    c.task_data["goal_version_id"] = version.id


def _record_opinion(c: Completion, review: GoalReview, scores: dict[str, int] | None = None,
                    total: int | None = None) -> None:
    """A review step's opinion, on the latest goal version of the current round."""
    assert c.project is not None
    form = c.form
    decision = None
    for name in ("approved", "complete"):
        if name in form._fields:
            decision = form._fields[name].data
    latest = latest_version(c.project.id)
    db.session.add(ReviewOpinion(
        instance_id=c.instance.id, task_id=c.task.id, project_id=c.project.id,
        goal_version_id=latest.id if latest else None, round_no=review.round_no,
        kind=OPINION_KIND.get(c.task.name, c.task.name), reviewer=c.actor.username, reviewer_name=c.actor.name,
        grade=form._fields["grade"].data if "grade" in form._fields else None, decision=decision,
        opinion=(form.opinion.data or "").strip() if "opinion" in form._fields else "",
        scores=scores, total=total))


def _formal_check(c: Completion, review: GoalReview) -> None:
    if c.form.complete.data:
        assert c.project is not None
        check_authority_reviewer(c.project, c.instance.id)
        c.task_data["experts"] = review.experts = draw_experts(c.project, c.instance.id, review.round_no)
    _record_opinion(c, review)


def _expert_review(c: Completion, review: GoalReview) -> None:
    c.task_data["expert_review_result"]["expert"] = c.actor.username
    scores = {k: int(getattr(c.form.scores.form, k).data) for k in ("completeness", "relevance", "scientific",
                                                                     "measurable")}
    _record_opinion(c, review, scores, c.form.total())


def _consolidate(c: Completion, review: GoalReview) -> None:
    review.grade = c.form.grade.data
    review.control_amount = c.form.control_amount.data
    review.override_reason = (c.form.override_reason.data or "").strip() or None
    _record_opinion(c, review)
    if review.grade == "中":
        review.round_no += 1  # the revised goals get a new formal check and joint review


# BPMN task id -> what its completion stores; every other step (sign-off, the finance and authority reviews,
# the final review) records its opinion.
ON_COMPLETE = {
    "draft_goals": _store_goals,
    "revise_goals": _store_goals,
    "formal_check": _formal_check,
    "expert_review": _expert_review,
    "consolidate": _consolidate,
}


def _revision_context(task: HumanTask, review: GoalReview | None) -> dict[str, Any]:
    return {"control_amount": review.control_amount if review else None}


def _consolidation_context(task: HumanTask, review: GoalReview | None) -> dict[str, Any]:
    return {"suggested_grade": review.suggested_grade if review else None}


# BPMN task id -> the extra arguments of its form (what the form checks against).
FORM_CONTEXT = {"revise_goals": _revision_context, "consolidate": _consolidation_context}
# Steps whose form starts from the latest goal version (a draft sent back, the 二上 revision).
EDITS_GOALS = ("draft_goals", "revise_goals")


class GoalReviewHooks(ProcessHooks):
    def form_context(self, task, project) -> dict[str, Any]:
        build = FORM_CONTEXT.get(task.name)
        return build(task, review_of(task.instance_id)) if build else {}

    def initial_data(self, task, project) -> dict[str, Any] | None:
        """A draft sent back, or the 二上 revision, starts from the latest version, not from nothing."""
        if task.name not in EDITS_GOALS or project is None:
            return None
        version = latest_version(project.id)
        if version is None:
            return None
        data: dict[str, Any] = {"overall_goal": version.overall_goal, "indicators": [
            {"level1": i.level1, "level2": i.level2, "name": i.name, "operator": i.operator, "target": i.target,
             "unit": i.unit, "weight": i.weight, "allow_negative": i.allow_negative} for i in version.indicators]}
        if task.name == "revise_goals":
            review = review_of(task.instance_id)
            data["amount"] = version.amount or (review.control_amount if review else None) or project.amount
        return data

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        review = review_of(task.instance_id)
        versions = goals.versions_of(project.id) if project else []
        opinions = list(db.session.scalars(select(ReviewOpinion).where(
            ReviewOpinion.instance_id == task.instance_id).order_by(ReviewOpinion.id)))
        return {"review": review, "goal_versions": versions, "goal_version": versions[0] if versions else None,
                "opinions": opinions, "expert_aliases": anonymity.expert_aliases([task.instance_id])[task.instance_id],
                "diff": goals.diff(versions[1], versions[0]) if len(versions) > 1 else None}

    def before_start(self, actor, project, data) -> None:
        if project is None:
            raise Invalid("绩效目标审核必须针对一个项目", {"project_id": ["必填"]})

    def before_complete(self, c: Completion) -> None:
        review = review_of(c.instance.id)
        assert review is not None and c.project is not None
        ON_COMPLETE.get(c.task.name, _record_opinion)(c, review)

    def after_step(self, instance, run, completion) -> None:
        project = db.session.get(Project, instance.project_id)
        review = review_of(instance.id)
        if review is None:
            review = GoalReview(instance_id=instance.id, project_id=project.id)
            db.session.add(review)
            project.goal_status = GoalStatus.IN_REVIEW.value
        data = run.data
        if "suggested_grade" in data and data.get("suggested_grade"):
            review.suggested_grade = data["suggested_grade"]
            review.review_score = float(data.get("review_score") or 0)
        if instance.status == InstanceStatus.COMPLETED.value:
            outcome = data.get("goal_outcome")
            review.outcome = outcome
            if outcome == "approved":
                version = latest_version(project.id)
                review.approved_version_id = version.id if version else None
                project.goal_status = GoalStatus.APPROVED.value
                if version is not None and version.amount is not None:
                    project.amount = version.amount  # 二下: the budget is approved with the goals
            elif outcome == "rejected":
                project.goal_status = GoalStatus.REJECTED.value

