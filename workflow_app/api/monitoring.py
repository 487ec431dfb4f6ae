"""绩效运行监控 (monitoring): start a round, read its progress and per-project summary, read one report (监控表),
open a rectification from a report.

The steps themselves (the 监控表 is the fill_report task's data) are done through the generic task endpoints
(`POST /api/v1/tasks/<id>/complete`)."""
from __future__ import annotations

from typing import Any

from ..json_provider import exact_number
from ..models.monitoring import CAUSES, LIKELIHOODS, OUTCOMES, MonitoringReport, MonitoringRound
from ..services import monitoring
from . import api_bp
from .auth import current_actor
from .rectifications import rectification_json
from .util import json_body, jsonify_ok


def round_json(round_: MonitoringRound, actor, *, with_reports: bool = True) -> dict[str, Any]:
    figures = monitoring.progress(round_.id, actor)
    body: dict[str, Any] = {
        "id": round_.id, "year": round_.year, "month": round_.month, "period": round_.period,
        "status": figures.status, "batch": round_.batch, "started_by": round_.started_by,
        "created_at": round_.created_at.isoformat(),
        "progress": {"total": figures.total, "started": figures.started, "submitted": figures.submitted,
                     "concluded": figures.concluded},
        "colours": figures.colours, "outcomes": figures.outcomes,
    }
    if with_reports:
        body["reports"] = [report_summary(r) for r in monitoring.reports_of(actor, round_.id)]
    return body


def report_summary(report: MonitoringReport) -> dict[str, Any]:
    project = report.project
    return {
        "id": report.id, "project_id": report.project_id, "instance_id": report.instance_id,
        "project": {"code": project.code, "name": project.name}, "department": project.department.code,
        "status": report.status, "colour": report.colour, "execution_rate": exact_number(report.execution_rate),
        "flagged_rows": report.flagged_rows, "outcome": report.outcome,
        "outcome_label": OUTCOMES.get(report.outcome) if report.outcome else None,
        "rectification_id": report.rectification_id,
    }


def report_json(report: MonitoringReport) -> dict[str, Any]:
    project = report.project
    return {
        **report_summary(report),
        "round_id": report.round_id, "year": report.round.year, "month": report.round.month,
        "period": report.round.period, "goal_version_id": report.goal_version_id,
        "header": {"project": project.name, "competent_department": project.authority_department.name,
                   "implementing_unit": project.department.name},
        "budget": exact_number(report.budget), "executed": exact_number(report.executed),
        "forecast": exact_number(report.forecast), "overall_goal": report.overall_goal,
        "overall_progress": report.overall_progress, "evidence": report.evidence or [],
        "times_submitted": report.times_submitted,
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "business_recommendation": report.business_recommendation, "business_opinion": report.business_opinion,
        "outcome_opinion": report.outcome_opinion, "outcome_reason": report.outcome_reason,
        "adjusted_amount": exact_number(report.adjusted_amount),
        "adjusted_goal_version_id": report.adjusted_goal_version_id,
        "indicators": [{
            "id": row.id, "level1": row.level1, "level2": row.level2, "name": row.name, "operator": row.operator,
            "target": row.target, "unit": row.unit, "progress": row.progress, "forecast": row.forecast,
            "cause": row.cause, "cause_label": CAUSES.get(row.cause) if row.cause else None,
            "likelihood": row.likelihood,
            "likelihood_label": LIKELIHOODS.get(row.likelihood) if row.likelihood else None,
            "measures": row.measures, "evidence": row.evidence or [], "flag": row.flag,
        } for row in report.rows],
    }


@api_bp.post("/monitoring-rounds")
def start_monitoring_round():
    actor = current_actor()
    started = monitoring.start_round(actor, json_body(required=True))
    round_ = monitoring.get_round(actor, started.round.id)
    return jsonify_ok({**round_json(round_, actor), "created": started.created, "added": started.added},
                      201 if started.created else 200)


@api_bp.get("/monitoring-rounds")
def list_monitoring_rounds():
    actor = current_actor()
    rounds = monitoring.list_rounds(actor)
    return jsonify_ok({"items": [round_json(r, actor, with_reports=False) for r in rounds], "total": len(rounds)})


@api_bp.get("/monitoring-rounds/<int:round_id>")
def get_monitoring_round(round_id: int):
    actor = current_actor()
    return jsonify_ok(round_json(monitoring.get_round(actor, round_id), actor))


@api_bp.get("/monitoring-reports/<int:report_id>")
def get_monitoring_report(report_id: int):
    return jsonify_ok(report_json(monitoring.get_report(current_actor(), report_id)))


@api_bp.post("/monitoring-reports/<int:report_id>/rectification")
def open_monitoring_rectification(report_id: int):
    rect = monitoring.open_rectification(current_actor(), report_id, json_body())
    return jsonify_ok({"id": rect.id, "instance_id": rect.instance_id, **rectification_json(rect)}, 201)
