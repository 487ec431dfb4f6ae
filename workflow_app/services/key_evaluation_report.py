"""The 重点评价报告 as a PDF with the outline of 财预〔2020〕10号附件3, generated from the evaluation's data.

一、基本情况 (project, department, funds, goals) · 二、评价工作开展情况 (agency, dates, method) · 三、综合评价情况及
结论 (the score table by dimension and indicator, total, grade) · 四、绩效指标分析 (per dimension) · 五、主要经验
及做法、存在的问题及原因分析 · 六、有关建议. Rendered by services/pdf.py (WeasyPrint, embedded CJK font).

`published_report_pdf` and `key_evaluation.finished_evaluations` are what a public portal or the 人大 package
needs: the report of a finished evaluation, without the department's internal objections.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import render_template

from ..extensions import db
from ..models.key_evaluation import DIMENSIONS, STATUS_LABELS, KeyEvaluation, KeyEvaluationStatus
from ..processes.registry import PublishableDocument
from . import key_evaluation, pdf

TEMPLATE = "pdf/key_evaluation_report.html"
FUND_SOURCES = {"general": "一般公共预算", "fund": "政府性基金预算", "state_capital": "国有资本经营预算"}


def dimension_table(evaluation: KeyEvaluation) -> list[dict[str, Any]]:
    """The score table: per dimension its rows, its points and its score (None while unscored)."""
    table = []
    points, scores = evaluation.dimension_totals("points"), evaluation.dimension_totals("score")
    scored = evaluation.agency_score is not None
    for dimension in DIMENSIONS:
        rows = [r for r in evaluation.indicators if r["dimension"] == dimension]
        table.append({"dimension": dimension, "rows": rows, "points": points[dimension],
                      "score": scores[dimension] if scored else None,
                      "rate": (scores[dimension] / points[dimension] * 100).quantize(Decimal("0.1"))
                      if scored and points[dimension] else None})
    return table


def context(evaluation: KeyEvaluation, *, published: bool = False) -> dict[str, Any]:
    project = evaluation.project
    opinions = [o for o in evaluation.opinions if not (published and o.kind == "feedback")]
    return {
        "e": evaluation, "project": project, "goal": key_evaluation.approved_goal(project),
        "fund_source": FUND_SOURCES.get(project.fund_source, project.fund_source),
        "table": dimension_table(evaluation), "status_label": STATUS_LABELS.get(evaluation.status, evaluation.status),
        "opinions": opinions, "published": published,
        "final": evaluation.status == KeyEvaluationStatus.FINISHED.value,
        "lost": [r for r in evaluation.indicators if r.get("score") is not None and r["score"] < r["points"]],
    }


def render(evaluation: KeyEvaluation) -> bytes:
    return pdf.render_pdf(TEMPLATE, **context(evaluation))


def published_report_pdf(evaluation: KeyEvaluation) -> bytes:
    """The report as published (公开 / 报送人大): only a finished evaluation, without the internal objections."""
    if evaluation.status != KeyEvaluationStatus.FINISHED.value:
        raise ValueError("only a finished key evaluation is published")
    return pdf.render_pdf(TEMPLATE, **context(evaluation, published=True))


def filename(evaluation: KeyEvaluation) -> str:
    return f"重点评价报告_{evaluation.project.code}_{evaluation.id}.pdf"


# -- disclosure (信息公开) and the 人大 package: the publication kind this process declares ----------------------------
PUBLICATION_KIND = "key_evaluation_report"


def _as_document(evaluation: KeyEvaluation) -> PublishableDocument:
    project = evaluation.project
    return PublishableDocument(
        id=evaluation.id, title=f"{project.name}重点绩效评价报告", code=project.code,
        department_id=evaluation.department_id, department_name=project.department.name,
        fiscal_year=evaluation.fiscal_year, approved_at=evaluation.finished_at, grade=evaluation.grade,
        score=float(evaluation.score) if evaluation.score is not None else None)


def publishable(year: int | None) -> list[PublishableDocument]:
    """Every finished key evaluation of a year: what the performance section may publish."""
    return [_as_document(e) for e in key_evaluation.finished_evaluations(year)]


def publishable_document(evaluation_id: int) -> PublishableDocument | None:
    evaluation = db.session.get(KeyEvaluation, evaluation_id)
    if evaluation is None or evaluation.status != KeyEvaluationStatus.FINISHED.value:
        return None
    return _as_document(evaluation)


def published_html(evaluation_id: int) -> str:
    """The published report as HTML (without the department's objections), bound into the 人大 package."""
    evaluation = db.session.get(KeyEvaluation, evaluation_id)
    if evaluation is None or evaluation.status != KeyEvaluationStatus.FINISHED.value:
        raise ValueError("only a finished key evaluation is published")
    return render_template(TEMPLATE, **context(evaluation, published=True))
