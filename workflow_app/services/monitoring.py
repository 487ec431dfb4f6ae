"""绩效运行监控 ("双监控"): domain behaviour around bpmn/monitoring.bpmn.

The BPMN decides the order of the steps; this module starts a round (one report and one instance per project
with approved goals, through the batch start), prefills each 监控表 from the project's approved goal version and
the payments, stores what each step produced (per-task handlers in a table), computes the warnings (the
execution colour and the indicator flags, from services/monitoring_warnings.py), applies the outcome (调整预算:
a new goal version and the project's amount) and opens a rectification from a report in one click.

Everything that names this process lives in its own files (bpmn/monitoring.bpmn, forms/monitoring.py,
models/monitoring.py, this module, api/monitoring.py, web/monitoring.py, templates/processes/monitoring/); its
declaration for the generic code is processes/monitoring.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..engine import now
from ..extensions import db
from ..models import GoalReview, GoalStatus, GoalVersion, InstanceStatus, ProcessInstance, Project, User
from ..models.monitoring import (CAUSES, LIKELIHOODS, MonitoringIndicatorRow, MonitoringReport, MonitoringRound,
                                 ReportStatus, RoundStatus)
from . import (attachments, audit, batches, execution, goal_review, goals, monitoring_warnings, policy, process_settings,
               rectification)
from .errors import Conflict, Invalid, NotFound
from .hooks import Completion, ProcessHooks
from .transaction import after_commit, transactional

MONITORING = "monitoring"
START_ENDPOINT = "POST /api/v1/monitoring-rounds"
ADJUSTED_ROUND = "监控调整"   # GoalVersion.round of the goals a 调整预算 writes

# The process's settings (README): the default deadline (days from today) of a rectification opened from a
# report, and how many instances one batch job starts.
SETTINGS: dict[str, str] = {"MONITORING_RECTIFICATION_DAYS": "30", "MONITORING_BATCH_CHUNK": "100"}


def setting(name: str) -> int:
    """A setting of this process (services/process_settings.py)."""
    return process_settings.read(name, SETTINGS, int)


# -- the computed warnings (services/execution.py, services/monitoring_warnings.py) ------------------------------
def executed_to(project_ids: list[int], year: int, month: int) -> dict[int, Decimal]:
    """执行数 (万元) of the projects from the imported payment records, months 1..month."""
    return execution.executed_amounts(project_ids, year, month) if project_ids else {}


def compute_warnings(report: MonitoringReport) -> None:
    """The report's 执行率 and colour and each row's flag, from what was filled (never typed)."""
    month = report.round.month
    report.execution_rate = execution.execution_rate(report.executed, report.budget)
    report.colour = monitoring_warnings.execution_colour(report.execution_rate, month)
    for row in report.rows:
        row.flag = monitoring_warnings.indicator_flag(row.likelihood, row.operator, row.target, row.progress, month)
    report.flagged_rows = sum(1 for row in report.rows if row.flag)


# -- the approved goals --------------------------------------------------------------------------
def latest_adjusted_version(project: Project) -> GoalVersion | None:
    """The newest goal version a 调整预算 of this process approved for the project (goal_review.LATER_APPROVALS)."""
    version_id = db.session.scalar(select(MonitoringReport.adjusted_goal_version_id).where(
        MonitoringReport.project_id == project.id, MonitoringReport.adjusted_goal_version_id.is_not(None))
        .order_by(MonitoringReport.adjusted_goal_version_id.desc()).limit(1))
    return db.session.get(GoalVersion, version_id) if version_id else None


goal_review.LATER_APPROVALS.append(latest_adjusted_version)


def approved_versions(project_ids: list[int]) -> dict[int, GoalVersion]:
    """goal_review.approved_version of many projects in three statements (a round covers thousands): the version
    of each project's latest approving goal review or, when newer, of its latest 调整预算, indicators loaded."""
    if not project_ids:
        return {}
    chosen: dict[int, int] = {}
    for chunk in (project_ids[i:i + 500] for i in range(0, len(project_ids), 500)):
        latest_review = (select(func.max(GoalReview.id)).where(
            GoalReview.project_id.in_(chunk), GoalReview.approved_version_id.is_not(None))
            .group_by(GoalReview.project_id))
        approved = select(GoalReview.approved_version_id).where(GoalReview.id.in_(latest_review))
        adjusted = (select(func.max(MonitoringReport.adjusted_goal_version_id)).where(
            MonitoringReport.project_id.in_(chunk), MonitoringReport.adjusted_goal_version_id.is_not(None))
            .group_by(MonitoringReport.project_id))
        rows = db.session.execute(select(GoalVersion.project_id, GoalVersion.id, GoalVersion.number).where(
            GoalVersion.id.in_(approved.union(adjusted)))).all()
        best: dict[int, tuple[int, int]] = {}
        for project_id, version_id, number in rows:
            if project_id not in best or number > best[project_id][0]:
                best[project_id] = (number, version_id)
        chosen.update({project_id: version_id for project_id, (_, version_id) in best.items()})
    versions = db.session.scalars(select(GoalVersion).where(GoalVersion.id.in_(list(chosen.values())))).all() \
        if chosen else []
    return {v.project_id: v for v in versions}


# -- starting a round ------------------------------------------------------------------------------
def _parse_round(payload: Any) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    payload = payload if isinstance(payload, dict) else {}
    year, month = payload.get("year"), payload.get("month")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["须为年度，如 2027"]
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        errors["month"] = ["须为 1–12 的截止月份"]
    if errors:
        raise Invalid("监控轮次的年度或截止月份有误", errors)
    return year, month


@dataclass
class Started:
    round: MonitoringRound
    created: bool      # False: the round existed (starting it again sends only what is still pending)
    added: int         # reports created by this call


def start_round(actor: User, payload: Any) -> Started:
    """Start (or resume) the round of a year and cut-off month: idempotent, so a second call after a failure or
    by mistake starts no project twice. Two calls at the same moment: the loser finds the winner's round."""
    try:
        return _start_round(actor, payload)
    except IntegrityError:
        return _start_round(actor, payload)


@transactional
def _start_round(actor: User, payload: Any) -> Started:
    policy.require(actor, "see_monitoring")   # experts and third parties: monitoring does not exist (404)
    policy.require(actor, "start_monitoring_round")
    year, month = _parse_round(payload)
    existing = db.session.scalars(select(MonitoringRound).where(
        MonitoringRound.year == year, MonitoringRound.month == month)).first()
    created = existing is None
    round_ = existing or MonitoringRound(year=year, month=month, started_by=actor.username,
                                         status=RoundStatus.STARTING.value)
    if created:
        db.session.add(round_)
        db.session.flush()
        round_.batch = f"monitoring-{round_.id}"
    covered = select(MonitoringReport.project_id).where(MonitoringReport.round_id == round_.id)
    projects = list(db.session.scalars(select(Project).where(
        Project.fiscal_year == year, Project.goal_status == GoalStatus.APPROVED.value,
        Project.id.not_in(covered)).order_by(Project.id)))
    executed = executed_to([p.id for p in projects], year, month)
    versions = approved_versions([p.id for p in projects])
    added = 0
    for project in projects:
        version = versions.get(project.id)
        if version is None:
            continue
        db.session.add(_new_report(round_, project, version, executed.get(project.id)))
        added += 1
    if added:
        round_.status = RoundStatus.STARTING.value
    db.session.flush()
    if created and not added and not _count(round_.id):
        raise Invalid(f"{year}年没有已批复绩效目标的项目，无法发起运行监控", {"year": ["没有已批复绩效目标的项目"]})
    audit.record("monitoring_round_started" if created else "monitoring_round_resumed", actor,
                 object_type="monitoring_round", object_id=round_.id,
                 after={"year": year, "month": month, "reports_added": added})
    round_id, username = round_.id, actor.username
    after_commit(lambda: dispatch(round_id, username))
    return Started(round_, created, added)


def _new_report(round_: MonitoringRound, project: Project, version: GoalVersion,
                executed: Decimal | None) -> MonitoringReport:
    """The 监控表 prefilled from the approved version: 年初预算数 is the amount approved with the goals."""
    report = MonitoringReport(
        round=round_, project_id=project.id, department_id=project.department_id, goal_version_id=version.id,
        budget=version.amount if version.amount is not None else project.amount, executed=executed,
        overall_goal=version.overall_goal, status=ReportStatus.PENDING.value)
    report.rows = [MonitoringIndicatorRow(
        indicator_id=i.id, position=i.position, level1=i.level1, level2=i.level2, name=i.name,
        operator=i.operator, target=i.target, unit=i.unit) for i in version.indicators]
    return report


def dispatch(round_id: int, username: str) -> int:
    """Send the round's reports still without an instance to the workers, in chunks keyed by their report ids:
    a chunk sent again (this round resumed, a redelivery) finds its key and starts nothing twice."""
    pending = list(db.session.scalars(select(MonitoringReport.id).where(
        MonitoringReport.round_id == round_id, MonitoringReport.instance_id.is_(None))
        .order_by(MonitoringReport.id)))
    batch = db.session.scalar(select(MonitoringRound.batch).where(MonitoringRound.id == round_id))
    batches.send_chunks(MONITORING, [{"report_id": rid} for rid in pending], username, batch,
                        lambda item: item["report_id"], setting("MONITORING_BATCH_CHUNK"))
    return len(pending)


# -- reading ---------------------------------------------------------------------------------------
def get_round(actor: User, round_id: int) -> MonitoringRound:
    policy.require(actor, "see_monitoring")
    round_ = db.session.get(MonitoringRound, round_id)
    if round_ is None:
        raise NotFound("监控轮次不存在")
    return round_


def list_rounds(actor: User) -> list[MonitoringRound]:
    policy.require(actor, "see_monitoring")
    return list(db.session.scalars(select(MonitoringRound).order_by(MonitoringRound.year.desc(),
                                                                    MonitoringRound.month.desc())))


def visible_reports_clause(actor: User):
    """The reports a user may read: those of the projects the user sees in the project library."""
    return MonitoringReport.project_id.in_(select(Project.id).where(policy.visible_projects_clause(actor)))


def _count(round_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(MonitoringReport)
                             .where(MonitoringReport.round_id == round_id)) or 0


@dataclass
class Progress:
    total: int
    started: int
    submitted: int
    concluded: int
    colours: dict[str, int]
    outcomes: dict[str, int]

    @property
    def status(self) -> str:
        if self.started < self.total:
            return RoundStatus.STARTING.value
        if self.total and self.concluded == self.total:
            return RoundStatus.COMPLETED.value
        return RoundStatus.RUNNING.value


def progress(round_id: int, actor: User | None = None) -> Progress:
    """The round's figures in one query (the user's visible reports only, when given)."""
    conditions = [MonitoringReport.round_id == round_id]
    if actor is not None:
        conditions.append(visible_reports_clause(actor))
    started = func.count(MonitoringReport.instance_id)
    submitted = func.sum(case((MonitoringReport.times_submitted > 0, 1), else_=0))
    concluded = func.sum(case((MonitoringReport.status == ReportStatus.CONCLUDED.value, 1), else_=0))
    total, n_started, n_submitted, n_concluded = db.session.execute(
        select(func.count(), started, submitted, concluded).where(*conditions)).one()
    colours = dict(db.session.execute(select(MonitoringReport.colour, func.count()).where(
        *conditions, MonitoringReport.colour.is_not(None)).group_by(MonitoringReport.colour)).all())
    outcomes = dict(db.session.execute(select(MonitoringReport.outcome, func.count()).where(
        *conditions, MonitoringReport.outcome.is_not(None)).group_by(MonitoringReport.outcome)).all())
    return Progress(total or 0, n_started or 0, int(n_submitted or 0), int(n_concluded or 0), colours, outcomes)


def reports_of(actor: User, round_id: int, limit: int | None = None) -> list[MonitoringReport]:
    """The round's reports the user may read: red first, then the most flagged rows, then by project."""
    colour_rank = case((MonitoringReport.colour == "red", 0), (MonitoringReport.colour == "yellow", 1),
                       (MonitoringReport.colour == "green", 2), else_=3)
    query = (select(MonitoringReport).where(MonitoringReport.round_id == round_id, visible_reports_clause(actor))
             .order_by(colour_rank, MonitoringReport.flagged_rows.desc(), MonitoringReport.project_id))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def get_report(actor: User, report_id: int) -> MonitoringReport:
    report = db.session.get(MonitoringReport, report_id)
    if report is None:
        raise NotFound("监控表不存在")
    instance = db.session.get(ProcessInstance, report.instance_id) if report.instance_id else None
    if not (policy.may(actor, "see_monitoring") and (
            policy.can_see_project(actor, report.project)
            or (instance is not None and policy.can_see_instance(actor, instance, report.project)))):
        raise NotFound("监控表不存在")
    return report


def for_instance(instance_id: int) -> MonitoringReport | None:
    return db.session.scalars(select(MonitoringReport).where(MonitoringReport.instance_id == instance_id)).first()


_STARTING = "monitoring_reports_starting"   # key in the session's info dict


def _report_of_start(data: Any) -> MonitoringReport | None:
    """The report an instance's start data names. Asked three times per start (batch_project, before_start,
    after_step): the session's identity map holds an unchanged object only weakly, so the report is kept here for
    the session, read once without its rows."""
    report_id = data.get("report_id") if isinstance(data, dict) else None
    if isinstance(report_id, bool) or not isinstance(report_id, int):
        return None
    kept: dict[int, MonitoringReport] = db.session().info.setdefault(_STARTING, {})
    report = kept.get(report_id)
    if report is None or report not in db.session:
        report = db.session.get(MonitoringReport, report_id,
                                options=[lazyload(MonitoringReport.rows), lazyload(MonitoringReport.round)])
        if report is None:
            return None
        kept[report_id] = report
    return report


# -- rectification in one click ----------------------------------------------------------------------
def proposed_findings(report: MonitoringReport) -> list[str]:
    """The findings a rectification opened from this report starts with: the red execution and each flagged row."""
    findings = []
    month = report.round.month
    if report.colour == "red":
        findings.append(f"预算执行进度严重滞后：1-{month}月执行{_num(report.executed)}万元，"
                        f"执行率{_num(report.execution_rate)}%（年初预算{_num(report.budget)}万元）")
    for row in report.rows:
        if not row.flag:
            continue
        text = (f"{row.name}：年度指标值{_op(row.operator)}{row.target}{row.unit}，1-{month}月完成{row.progress}"
                f"{row.unit if row.quantitative else ''}，完成目标可能性：{LIKELIHOODS.get(row.likelihood or '', '—')}")
        if row.cause:
            text += f"，偏差原因：{CAUSES.get(row.cause, row.cause)}"
        findings.append(text)
    return findings


def _op(operator: str) -> str:
    return {">=": "≥", "<=": "≤", "=": "="}.get(operator, "")


def _num(value: Decimal | None) -> str:
    return "—" if value is None else format(value, "f")


def default_rectification_deadline() -> date:
    return date.today() + timedelta(days=setting("MONITORING_RECTIFICATION_DAYS"))


@transactional
def open_rectification(actor: User, report_id: int, payload: dict[str, Any] | None = None):
    """A serious deviation: the performance section opens a rectification (source 监控) on the report's project,
    its findings the flagged rows unless given; one per report. One unit with the rectification's own start."""
    report = get_report(actor, report_id)
    policy.require(actor, "open_rectification")
    if report.times_submitted == 0:
        raise Conflict("监控表尚未报送，不能据此下达整改")
    if report.rectification_id is not None:
        raise Conflict(f"已据此监控表下达整改（整改 #{report.rectification_id}）")
    payload = dict(payload or {})
    if not payload.get("findings"):
        payload["findings"] = proposed_findings(report)
    payload.setdefault("deadline", default_rectification_deadline().isoformat())
    payload["source"] = "monitoring"
    # The rectification's own start, inside this unit: the link below and the start commit together.
    opened = rectification.start_rectification.__wrapped__(actor, report.project_id, payload)
    report.rectification_id = opened.id
    audit.record("monitoring_rectification", actor, instance_id=report.instance_id, object_type="monitoring_report",
                 object_id=report.id, after={"rectification_id": opened.id, "findings": opened.findings})
    return opened


# -- the steps ---------------------------------------------------------------------------------------
def _kept_evidence(report: MonitoringReport) -> set[int]:
    """Attachments this report already holds (a report corrected after 纠偏 may list them again)."""
    kept = set(report.evidence or [])
    for row in report.rows:
        kept |= set(row.evidence or [])
    return kept


def _claim(c: Completion, report: MonitoringReport, ids: list[str], used_in: str) -> list[int]:
    kept = _kept_evidence(report)
    new = [i for i in ids if not (str(i).isdigit() and int(i) in kept)]
    claimed = attachments.claim_for(c.actor, new, c.instance.id, used_in) if new else []
    return [int(i) for i in ids if str(i).isdigit() and int(i) in kept] + [a.id for a in claimed]


def _fill_report(c: Completion, report: MonitoringReport) -> None:
    form = c.form
    report.executed, report.forecast = form.executed.data, form.forecast.data
    report.overall_progress = form.overall_progress.data.strip()
    for row, entry in zip(report.rows, form.indicators.entries, strict=True):
        row_form = entry.form
        row.progress, row.forecast = row_form.progress.data.strip(), row_form.forecast.data.strip()
        row.cause = row_form.cause.data or None
        row.likelihood = row_form.likelihood.data
        row.measures = (row_form.measures.data or "").strip()
        row.evidence = _claim(c, report, row_form.evidence_ids(), f"monitoring_row:{row.id}")
    report.evidence = _claim(c, report, form.evidence_ids(), f"monitoring_report:{report.id}")
    compute_warnings(report)
    report.times_submitted += 1
    report.submitted_at = now()
    report.outcome = None   # a corrected report is decided again
    audit.record("monitoring_report_submitted", c.actor, instance_id=c.instance.id, object_type="monitoring_report",
                 object_id=report.id, after={"executed": _num(report.executed), "forecast": _num(report.forecast),
                                             "execution_rate": _num(report.execution_rate), "colour": report.colour,
                                             "flagged_rows": report.flagged_rows})


def _head_signoff(c: Completion, report: MonitoringReport) -> None:
    """The history keeps the head's opinion; nothing else to store."""


def _business_review(c: Completion, report: MonitoringReport) -> None:
    report.business_recommendation = c.form.recommendation.data
    report.business_opinion = c.form.opinion.data.strip()


def _decide(c: Completion, report: MonitoringReport) -> None:
    form = c.form
    outcome = form.outcome.data
    report.outcome, report.outcome_opinion = outcome, form.opinion.data.strip()
    report.outcome_reason = (form.reason.data or "").strip() or None
    report.decided_by = c.actor.username
    if outcome == "adjust":
        _adjust_budget(c, report)
    audit.record("monitoring_outcome", c.actor, instance_id=c.instance.id, object_type="monitoring_report",
                 object_id=report.id, after={"outcome": outcome, "reason": report.outcome_reason,
                                             "adjusted_amount": _num(report.adjusted_amount)})


def _adjust_budget(c: Completion, report: MonitoringReport) -> None:
    """调整预算: the amount and the adjusted goals become a new goal version, approved by this decision, and the
    project's amount (the bureau's decision)."""
    project = report.project
    amount = c.form.new_amount.data
    version = goals.store_version(project, c.instance.id, ADJUSTED_ROUND, c.form.overall_goal.data,
                                  c.form.indicator_rows(), c.actor.username, amount)
    before = project.amount
    project.amount = amount
    report.adjusted_amount, report.adjusted_goal_version_id = amount, version.id
    audit.record("project_amount_adjusted", c.actor, instance_id=c.instance.id, object_type="project",
                 object_id=project.id, before={"amount": _num(before)},
                 after={"amount": _num(amount), "goal_version_id": version.id, "source": "monitoring"})


# Per-task handlers: what each step's completion stores (every user task of bpmn/monitoring.bpmn has one).
ON_COMPLETE: dict[str, Callable[[Completion, MonitoringReport], None]] = {
    "fill_report": _fill_report, "head_signoff": _head_signoff, "business_review": _business_review,
    "decide": _decide,
}
# Which step is ready → the report's status.
STATUS_OF_TASK = {"fill_report": ReportStatus.FILLING.value, "head_signoff": ReportStatus.SIGNOFF.value,
                  "business_review": ReportStatus.BUSINESS_REVIEW.value, "decide": ReportStatus.DECISION.value}


def initial_report_data(report: MonitoringReport) -> dict[str, Any]:
    """The 监控表 as the department last left it (prefilled: 执行数 from the payments, rows from the goals)."""
    return {
        "executed": report.executed, "forecast": report.forecast, "overall_progress": report.overall_progress,
        "evidence": [str(i) for i in report.evidence or []],
        "indicators": [{"progress": r.progress, "forecast": r.forecast, "cause": r.cause or "",
                        "likelihood": r.likelihood or "", "measures": r.measures,
                        "evidence": [str(i) for i in r.evidence or []]} for r in report.rows],
    }


class MonitoringHooks(ProcessHooks):
    def before_start(self, actor, project, data) -> None:
        # Only a round creates the report an instance belongs to; one instance per report.
        report = _report_of_start(data)
        if report is None or project is None or report.project_id != project.id:
            raise Invalid(f"绩效运行监控须通过 {START_ENDPOINT} 发起", {"key": [f"请使用 {START_ENDPOINT}"]})
        if report.instance_id is not None:
            raise Conflict(f"该项目的监控表已在办理（流程 #{report.instance_id}）")

    def batch_project(self, data) -> Project | None:
        report = _report_of_start(data)
        return report.project if report is not None else None

    def initial_data(self, task, project) -> dict[str, Any] | None:
        report = for_instance(task.instance_id)
        if report is None:
            return None
        if task.name == "fill_report":
            return initial_report_data(report)
        if task.name == "decide":
            return {"outcome": report.business_recommendation or "", "new_amount": report.budget,
                    "overall_goal": report.overall_goal, "indicators": _version_rows(report)}
        return None

    def form_context(self, task, project) -> dict[str, Any]:
        report = for_instance(task.instance_id)
        if report is None or task.name != "fill_report":
            return {}
        return {"operators": [row.operator for row in report.rows]}

    def page_context(self, task, project, viewer) -> dict[str, Any]:
        report = for_instance(task.instance_id)
        if report is None:
            return {}
        context: dict[str, Any] = {"report": report}
        if task.name == "fill_report":
            # The report's own files (ticked) and the filer's uploads not used anywhere yet (to tick).
            from ..models import Attachment
            kept = _kept_evidence(report)
            context.update(
                report_files=list(db.session.scalars(select(Attachment).where(Attachment.id.in_(kept)))) if kept else [],
                unused_uploads=list(db.session.scalars(select(Attachment).where(
                    Attachment.uploaded_by == viewer.username, Attachment.instance_id.is_(None)))))
        if task.name == "decide":
            context.update(proposed_findings=proposed_findings(report),
                           rectification_deadline=default_rectification_deadline(),
                           may_open_rectification=policy.may(viewer, "open_rectification"))
        return context

    def before_complete(self, c: Completion) -> None:
        report = for_instance(c.instance.id)
        assert report is not None
        ON_COMPLETE[c.task.name](c, report)

    def after_step(self, instance, run, completion) -> None:
        # The start data names the report (already in the session: batch_project read it), so the start of each
        # of a round's thousands of instances costs no lookup here.
        report = _report_of_start(run.data)
        if report is None or report.instance_id not in (None, instance.id):
            report = for_instance(instance.id)
            if report is None:
                return
        if report.instance_id is None:
            report.instance_id = instance.id   # the start: the report now runs in this instance
            db.session().info.get(_STARTING, {}).pop(report.id, None)
        ready = {t.bpmn_id for t in run.ready_tasks()}
        status = next((s for name, s in STATUS_OF_TASK.items() if name in ready), None)
        if instance.status == InstanceStatus.COMPLETED.value:
            status = ReportStatus.CONCLUDED.value
            report.concluded_at = now()
        if status is not None and status != report.status:
            report.status = status
            _update_round_status(report.round_id)


def _version_rows(report: MonitoringReport) -> list[dict[str, Any]]:
    """The goals the 调整预算 editor starts from: the version the report was prefilled from."""
    version = db.session.get(GoalVersion, report.goal_version_id)
    if version is None:
        return []
    return [{"level1": i.level1, "level2": i.level2, "name": i.name, "operator": i.operator, "target": i.target,
             "unit": i.unit, "weight": i.weight, "allow_negative": bool(i.allow_negative)}
            for i in version.indicators]


def _update_round_status(round_id: int) -> None:
    """Keep the round's stored status in step with its reports: one indexed EXISTS per step (round_id, status),
    not the round's figures, so a round of thousands starts without re-counting itself each time."""
    db.session.flush()
    in_round = MonitoringReport.round_id == round_id

    def any_report(*conditions) -> bool:
        return bool(db.session.scalar(select(select(MonitoringReport.id).where(in_round, *conditions).exists())))

    if any_report(MonitoringReport.status == ReportStatus.PENDING.value):
        status = RoundStatus.STARTING.value
    elif any_report(MonitoringReport.status != ReportStatus.CONCLUDED.value):
        status = RoundStatus.RUNNING.value
    else:
        status = RoundStatus.COMPLETED.value
    round_ = db.session.get(MonitoringRound, round_id)
    if round_ is not None and round_.status != status:
        round_.status = status

