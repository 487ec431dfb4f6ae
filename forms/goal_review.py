"""Forms of the 二上二下 goal review (process goal_review)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from workflow_app.labels import (grade_choices, grade_label, level1_choices, level2_choices, level_label,
                                 operator_choices)
from workflow_app.models.goal import LEVELS

from . import TaskForm
from .fields import AmountField, DecisionField, MaxChars

# The options post the stored (Chinese) values; their text is the label in the page's language.
LEVEL2_CHOICES = level2_choices()


class IndicatorForm(FlaskForm):
    """One indicator row (三级指标). CSRF belongs to the outer form only."""

    class Meta:
        csrf = False

    level1 = SelectField(_l("一级指标"), choices=level1_choices(), validators=[InputRequired()])
    level2 = SelectField(_l("二级指标"), choices=LEVEL2_CHOICES, validators=[InputRequired()])
    name = StringField(_l("三级指标"), validators=[DataRequired(), MaxChars(200)])
    operator = SelectField(_l("比较"), choices=operator_choices(), validators=[InputRequired()])
    target = StringField(_l("指标值"), validators=[DataRequired(), MaxChars(200)])
    unit = StringField(_l("计量单位"), validators=[MaxChars(40)])
    weight = AmountField(_l("权重"), places=2, validators=[
        InputRequired(), NumberRange(min=0, max=100, message=_l("权重须在0到100之间"))])
    # Declared per indicator: a few quantitative targets are negative on purpose (a cost or a rate to lower,
    # "成本降低率 ≤ -5 %"); everywhere else a minus sign is a typing slip that would make the goal meaningless.
    allow_negative = BooleanField(_l("允许负值"), false_values=("false", "0", "no", "off", "n", ""))

    def validate_level2(self, field) -> None:
        if self.level1.data in LEVELS and field.data not in LEVELS[self.level1.data]:
            raise ValidationError(_l("二级指标“%(l2)s”不属于“%(l1)s”", l2=level_label(field.data),
                                     l1=level_label(self.level1.data)))

    def validate_target(self, field) -> None:
        if self.operator.data == "定性":
            return  # a qualitative target is a text, checked by DataRequired
        try:
            value = Decimal(str(field.data).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(_l("定量指标的指标值必须是数字")) from None
        if not value.is_finite():
            raise ValidationError(_l("定量指标的指标值必须是数字"))
        if value < 0 and not self.allow_negative.data:
            raise ValidationError(_l("定量指标的指标值不能为负数；确需负值（如降低率）请勾选“允许负值”"))

    def validate_unit(self, field) -> None:
        if self.operator.data != "定性" and not (field.data or "").strip():
            raise ValidationError(_l("定量指标必须填写计量单位"))


class DraftGoalsForm(TaskForm):
    """一上: the department drafts its project's performance goals."""

    overall_goal = TextAreaField(_l("年度总体目标"), validators=[DataRequired(), MaxChars(5000)])
    indicators = FieldList(FormField(IndicatorForm), min_entries=1)
    MAX_INDICATORS = 100

    def validate_indicators(self, field) -> None:
        rows = [entry.form for entry in field.entries]
        if len(rows) > self.MAX_INDICATORS:
            raise ValidationError(_l("指标最多%(n)s个", n=self.MAX_INDICATORS))
        level1s = {row.level1.data for row in rows}
        problems = []
        if "产出指标" not in level1s:
            problems.append(_l("至少需要一个产出指标"))
        if "效益指标" not in level1s:
            problems.append(_l("至少需要一个效益指标"))
        weights = [row.weight.data for row in rows if isinstance(row.weight.data, Decimal)]
        if len(weights) == len(rows) and sum(weights, Decimal(0)) != Decimal(100):
            problems.append(_l("指标权重合计必须为100（当前为%(total)s）", total=sum(weights, Decimal(0))))
        if problems:
            raise ValidationError("；".join(str(p) for p in problems))

    def indicator_rows(self) -> list[dict[str, Any]]:
        return [{
            "level1": e.form.level1.data, "level2": e.form.level2.data, "name": e.form.name.data.strip(),
            "operator": e.form.operator.data, "target": str(e.form.target.data).strip(),
            "unit": (e.form.unit.data or "").strip(), "weight": e.form.weight.data,
            "allow_negative": bool(e.form.allow_negative.data),
        } for e in self.indicators.entries]

    def to_task_data(self) -> dict[str, Any]:
        return {}  # the goal version is stored by the service; only its id goes into the workflow


class ReviseGoalsForm(DraftGoalsForm):
    """二上: the department revises within the control number (控制数) and resubmits."""

    amount = AmountField(_l("项目金额（万元）"), places=2, validators=[InputRequired(), NumberRange(min=Decimal("0.01"))])

    def __init__(self, *args, control_amount: Decimal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.control_amount = control_amount

    def validate_amount(self, field) -> None:
        if self.control_amount is not None and field.data is not None and field.data > self.control_amount:
            raise ValidationError(_l("项目金额%(amount)s万元超过控制数%(control)s万元",
                                     amount=field.data, control=self.control_amount))


class SignoffForm(TaskForm):
    approved = DecisionField(_l("部门审核"), yes=_l("同意报送"), no=_l("退回修改"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"signoff_approved": self.approved.data}


class FormalCheckForm(TaskForm):
    complete = DecisionField(_l("形式审核"), yes=_l("完整，提交联审"), no=_l("不完整，退回部门"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"formal_complete": self.complete.data}


class ConsolidateForm(TaskForm):
    """一下: the performance section grades the review and sets the control number."""

    grade = SelectField(_l("审核等级"), choices=grade_choices(), validators=[InputRequired()])
    opinion = TextAreaField(_l("反馈意见"), validators=[DataRequired(), MaxChars(5000)])
    control_amount = AmountField(_l("控制数（万元）"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    override_reason = TextAreaField(_l("调整建议等级的理由"), validators=[MaxChars(2000)])

    def __init__(self, *args, suggested_grade: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggested_grade = suggested_grade

    def validate_override_reason(self, field) -> None:
        if self.suggested_grade and self.grade.data != self.suggested_grade and not (field.data or "").strip():
            raise ValidationError(_l("审核等级与建议等级（%(grade)s）不同，必须说明理由",
                                     grade=grade_label(self.suggested_grade)))

    def to_task_data(self) -> dict[str, Any]:
        return {"grade": self.grade.data}


class FinalReviewForm(TaskForm):
    approved = DecisionField(_l("复审结论"), yes=_l("批复（二下）"), no=_l("退回修改"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"final_approved": self.approved.data}
