"""Pages of the 事前绩效评估: the list (事前评估), one assessment, its report file, the material uploads of the
registration step, and the start button on the project page. The steps' own pages are the generic task pages
with this process's templates (templates/processes/ex_ante/)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import LazyString, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Department, HumanTask, Project, TaskState
from ..models.ex_ante import (BASES, CONCLUSION_LABELS, DIMENSION_POINTS, DIMENSIONS, ITEM_KINDS, MATERIALS,
                              REQUIRED_MATERIALS, SUB_ITEM_POINTS, ExAnteAssessment, ExAnteStatus, dimension_name,
                              display_label, display_labels)
from ..services import ex_ante, ex_ante_report, tasks
from ..services.errors import Conflict, Forbidden, Invalid

bp = Blueprint("ex_ante", __name__)
PAGE_SIZE = 30
STATUS_LABELS = {ExAnteStatus.REGISTERING.value: _l("部门登记自评"), ExAnteStatus.IN_REVIEW.value: _l("财政评审中"),
                 ExAnteStatus.CONCLUDED.value: _l("已形成结论")}
OPINION_KINDS = display_labels(ex_ante_report.OPINION_KINDS)
# The pages' copy of the dimension table: the same codes, the (sub-item) names as labels in the page's language.
DIMENSION_LABELS = {code: {**spec, "items": display_labels(spec["items"])} for code, spec in DIMENSIONS.items()}


def actor():
    return current_user._get_current_object()


@bp.app_context_processor
def ex_ante_globals() -> dict[str, Any]:
    """What the process's templates (and the project page's ex-ante block) need to name things."""
    return {"EX_ANTE": {"kinds": display_labels(ITEM_KINDS), "bases": display_labels(BASES),
                        "conclusions": display_labels(CONCLUSION_LABELS), "materials": display_labels(MATERIALS),
                        "required": REQUIRED_MATERIALS, "dimensions": DIMENSION_LABELS,
                        "statuses": STATUS_LABELS, "opinion_kinds": OPINION_KINDS,
                        "dimension_points": DIMENSION_POINTS, "sub_item_points": SUB_ITEM_POINTS,
                        "dimension_name": _dimension_label, "label_list": _label_list},
            "ex_ante_for_project": _for_project}


def _dimension_label(code: str, item_kind: str | None) -> LazyString | str:
    return display_label(dimension_name(code, item_kind))


def _label_list(texts: list[str]) -> str:
    """Labels of models/ex_ante.py (e.g. the missing materials) as one list in the page's language."""
    # TRANSLATORS: the separator of a list of names (、 in Chinese).
    return _("、").join(str(display_label(t)) for t in texts)


def _for_project(project: Project) -> dict[str, Any]:
    """The project page's ex-ante block: the latest assessment, whether this user may start one, and whether
    the project's goal review waits for one."""
    user = actor()
    return {"latest": ex_ante.latest_for_project(project.id),
            "may_start": ex_ante.may_start(user, project) and ex_ante.running_assessment(project.id) is None,
            "required": ex_ante.needs_assessment(project)}


@bp.post("/projects/<int:project_id>/ex-ante")
@login_required
def start(project_id: int):
    try:
        assessment = ex_ante.start_assessment(actor(), project_id)
    except (Conflict, Forbidden) as error:
        flash(error.message, "warning")
        return redirect(url_for("projects.detail", project_id=project_id))
    flash(_("已发起事前绩效评估，请登记评估事项并上传材料"), "success")
    mine = tasks.list_tasks(actor(), "mine", instance_id=assessment.instance_id, limit=1).items
    if mine:
        return redirect(url_for("tasks.task_page", task_id=mine[0].id))
    return redirect(url_for("ex_ante.detail", assessment_id=assessment.id))


@bp.get("/ex-ante")
@login_required
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    year = request.args.get("year", type=int)
    department = request.args.get("department") or None
    conclusion = request.args.get("conclusion") if request.args.get("conclusion") in CONCLUSION_LABELS else None
    result = ex_ante.list_assessments(actor(), year=year, department=department, conclusion=conclusion,
                                      limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    years = sorted(set(db.session.scalars(select(ExAnteAssessment.fiscal_year)
                                          .where(ex_ante.visible_clause(actor())))), reverse=True)
    departments = list(db.session.scalars(select(Department).order_by(Department.code)))
    return render_template("processes/ex_ante/index.html", result=result, years=years, departments=departments,
                           args=request.args, page=page, pages=max((result.total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


@bp.get("/ex-ante/<int:assessment_id>")
@login_required
def detail(assessment_id: int):
    assessment = ex_ante.get(actor(), assessment_id)
    return render_template("processes/ex_ante/detail.html", assessment=assessment,
                           materials=ex_ante.current_materials(assessment),
                           missing_materials=ex_ante.missing_materials(assessment),
                           ex_ante_opinions=ex_ante.opinions_for(assessment, actor()))


@bp.get("/ex-ante/<int:assessment_id>/report.xlsx")
@login_required
def report(assessment_id: int):
    assessment = ex_ante.get(actor(), assessment_id)
    return send_file(ex_ante_report.build(actor(), assessment), as_attachment=True,
                     download_name=ex_ante_report.filename(assessment),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", max_age=0)


@bp.post("/ex-ante/<int:assessment_id>/materials")
@login_required
def upload_material(assessment_id: int):
    """One file of the pack, from the registration step's page; back to that page either way."""
    assessment = ex_ante.get(actor(), assessment_id)
    task = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == assessment.instance_id, HumanTask.name == ex_ante.MATERIAL_TASK,
        HumanTask.state == TaskState.READY.value)).first()
    back = (redirect(url_for("tasks.task_page", task_id=task.id)) if task is not None
            else redirect(url_for("ex_ante.detail", assessment_id=assessment.id)))
    upload = request.files.get("file")
    kind = request.form.get("kind")
    try:
        material = ex_ante.add_material(actor(), assessment_id, kind, upload.stream if upload and upload.filename else None,
                                        upload.filename if upload else None)
    except (Conflict, Forbidden, Invalid) as error:
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        flash(_("未上传：%(reason)s", reason=error.message + (f"（{detail}）" if detail else "")), "danger")
        return back
    flash(_("已上传%(kind)s：%(filename)s", kind=display_label(MATERIALS.get(material.kind, material.kind)),
            filename=material.attachment.filename), "success")
    return back
