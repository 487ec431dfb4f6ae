"""Forms of the 事前绩效评估 (process ex_ante).

Labels are lazy gettext strings (msgid = the Chinese label); the labels of models/ex_ante.py's tables go through
models.ex_ante.display_label. Grades post the stored values 优/良/中/差, as the goal review's do.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from workflow_app.labels import grade_choices
from workflow_app.models.ex_ante import (BASES, CONCLUSION_LABELS, DIMENSIONS, ITEM_KINDS, SUB_ITEMS, display_label,
                                         display_labels)
from workflow_app.services import ex_ante_scoring

from . import TaskForm, common
from .fields import DecisionField, MaxChars

RECOMMENDATIONS = list(display_labels(CONCLUSION_LABELS).items())


def _grade(label) -> SelectField:
    return SelectField(label, choices=grade_choices(), validators=[InputRequired(message=_l("请选择等级"))])


class RegisterItemForm(TaskForm):
    """登记: what is assessed. The material pack is uploaded beside the form (see services/ex_ante.py)."""

    item_kind = SelectField(_l("评估对象类型"), choices=list(display_labels(ITEM_KINDS).items()),
                            validators=[InputRequired()])
    basis = SelectField(_l("评估情形"), choices=list(display_labels(BASES).items()), validators=[InputRequired()])
    summary = TextAreaField(_l("基本情况（立项背景、主要内容、绩效目标、资金构成）"),
                            validators=[DataRequired(), MaxChars(10000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"item_kind": self.item_kind.data}   # the grading table may differ by kind


class DimensionGradesForm(FlaskForm):
    """One grade per dimension (the department's self-assessment, an expert's review)."""

    class Meta:
        csrf = False

    necessity = _grade(display_label(DIMENSIONS["necessity"]["name"]))
    economy = _grade(display_label(DIMENSIONS["economy"]["name"]))
    goals = _grade(display_label(DIMENSIONS["goals"]["name"]))
    feasibility = _grade(display_label(DIMENSIONS["feasibility"]["name"]))
    funding = _grade(display_label(DIMENSIONS["funding"]["name"]))


def _dimension_grades(form: FormField) -> dict[str, str]:
    return {code: getattr(form.form, code).data for code in DIMENSIONS}


class SelfAssessForm(TaskForm):
    grades = FormField(DimensionGradesForm, label=_l("五个维度自评等级"))
    report = TextAreaField(_l("事前绩效评估报告（评估对象基本情况、评估工作开展情况、综合评估情况与结论、相关建议）"),
                           validators=[DataRequired(), MaxChars(20000)])

    def self_grades(self) -> dict[str, str]:
        return _dimension_grades(self.grades)

    def to_task_data(self) -> dict[str, Any]:
        return {}


class HeadSignoffForm(common.HeadSignoffForm):
    """部门负责人签发 of the assessment (the shared sign-off, as worded there)."""


class OrganizeReviewForm(TaskForm):
    materials_complete = DecisionField(_l("材料审核"), yes=_l("材料齐全，组织评审"), no=_l("材料不全，退回补充"))
    use_third_party = BooleanField(_l("委托第三方机构独立评估"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def validate_opinion(self, field) -> None:
        if self.materials_complete.data is False and not (field.data or "").strip():
            raise ValidationError(_l("退回时请写明需补充的材料"))

    def to_task_data(self) -> dict[str, Any]:
        return {"materials_complete": self.materials_complete.data,
                "use_third_party": bool(self.materials_complete.data and self.use_third_party.data)}


class _OpinionForm(TaskForm):
    recommendation = SelectField(_l("建议结论"), choices=RECOMMENDATIONS, validators=[InputRequired()])
    opinion = TextAreaField(_l("审核意见"), validators=[DataRequired(), MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {}   # stored as an opinion row; nothing for the gateways (README: keep branch data out of joins)


class FinanceReviewForm(_OpinionForm):
    """业务科室: the project department's business section (对口业务科室) reviews the money side."""


class ExpertReviewForm(_OpinionForm):
    grades = FormField(DimensionGradesForm, label=_l("五个维度评审等级"))

    def dimension_grades(self) -> dict[str, str]:
        return _dimension_grades(self.grades)


class ThirdPartyReportForm(_OpinionForm):
    opinion = TextAreaField(_l("第三方评估报告"), validators=[DataRequired(), MaxChars(20000)])
    grades = FormField(DimensionGradesForm, label=_l("五个维度评估等级"))

    def dimension_grades(self) -> dict[str, str]:
        return _dimension_grades(self.grades)


class ThirdPartyCheckForm(TaskForm):
    accepted = DecisionField(_l("审核结论"), yes=_l("采信，纳入评审"), no=_l("退回修改"))
    opinion = TextAreaField(_l("审核意见"), validators=[DataRequired(), MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"third_party_accepted": self.accepted.data}


def _sub_grades_form() -> type[FlaskForm]:
    """One grade per sub-item, named "<dimension>_<item>" (a field name cannot hold the dot of SUB_ITEMS)."""
    fields: dict[str, Any] = {"Meta": type("Meta", (), {"csrf": False})}
    for code, spec in DIMENSIONS.items():
        for item, label in spec["items"].items():
            fields[f"{code}_{item}"] = _grade(_l("%(dimension)s：%(item)s", dimension=display_label(spec["name"]),
                                                       item=display_label(label)))
    return type("SubGradesForm", (FlaskForm,), fields)


SubGradesForm = _sub_grades_form()


class ScoreReviewForm(TaskForm):
    """评分: the performance section grades every sub-item; the score and the conclusion follow from the
    grading table and the cut-offs (given by the service as form context), so the form can demand the
    conditions exactly when the result is 部分支持."""

    sub_grades = FormField(SubGradesForm, label=_l("分项评分"))
    opinion = TextAreaField(_l("综合评估意见"), validators=[DataRequired(), MaxChars(10000)])
    conditions = TextAreaField(_l("支持条件（部分支持时必填：调整完善的要求）"), validators=[MaxChars(5000)])

    def __init__(self, *args, grade_ratios: dict[str, Decimal] | None = None, support_min: Decimal | None = None,
                 partial_min: Decimal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.grade_ratios = grade_ratios or {}
        self.support_min = support_min if support_min is not None else Decimal(80)
        self.partial_min = partial_min if partial_min is not None else Decimal(60)

    def grades(self) -> dict[str, str]:
        return {key: getattr(self.sub_grades.form, key.replace(".", "_")).data for key in SUB_ITEMS}

    def result(self) -> tuple[ex_ante_scoring.Score, str]:
        scored = ex_ante_scoring.score(self.grades(), self.grade_ratios)
        return scored, ex_ante_scoring.conclusion(scored.total, self.support_min, self.partial_min)

    def validate_conditions(self, field) -> None:
        if self.sub_grades.errors:
            return
        if not self.grade_ratios:
            # The grading table is read by the step before (lookup_scoring); a model without it cannot score.
            raise ValidationError(_l("评分规则表尚未读取，无法评分，请联系管理员"))
        try:
            _, outcome = self.result()
        except ex_ante_scoring.ScoringError as error:
            raise ValidationError(str(error)) from error
        if outcome == "partial" and not (field.data or "").strip():
            raise ValidationError(_l("评分结果为部分支持，请写明支持条件"))

    def to_task_data(self) -> dict[str, Any]:
        _, outcome = self.result()
        return {"ex_ante_conclusion": outcome}
