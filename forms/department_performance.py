"""Forms of 部门整体绩效 (process department_performance).

The goal table's rows carry the whole-department indicator system (models/department_performance.LEVELS):
履职效能 (产出/效益/满意度) and 管理效率 (预算执行、结转结余、三公经费、政府采购、资产管理). A row left wholly
blank on the page (the spare rows of the editor) is dropped before validation.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from workflow_app.labels import operator_choices
from workflow_app.models.department_performance import EFFICACY, LEVELS, MANAGEMENT

from . import TaskForm
from .fields import AmountField, DecisionField, MaxChars

LEVEL1_CHOICES = [(l1, l1) for l1 in LEVELS]
LEVEL2_CHOICES = [(l2, l2) for l2s in LEVELS.values() for l2 in l2s]
MAX_INDICATORS = 100
SPARE_ROWS = 3


def _quantitative_number(text: str) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class DeptIndicatorForm(FlaskForm):
    class Meta:
        csrf = False

    level1 = SelectField(_l("一级指标"), choices=LEVEL1_CHOICES, validators=[InputRequired()])
    level2 = SelectField(_l("二级指标"), choices=LEVEL2_CHOICES, validators=[InputRequired()])
    name = StringField(_l("三级指标"), validators=[DataRequired(), MaxChars(200)])
    operator = SelectField(_l("比较"), choices=operator_choices(), validators=[InputRequired()])
    target = StringField(_l("指标值"), validators=[DataRequired(), MaxChars(200)])
    unit = StringField(_l("计量单位"), validators=[MaxChars(40)])
    weight = AmountField(_l("权重"), places=2, validators=[
        InputRequired(), NumberRange(min=Decimal("0.01"), max=100, message=_l("权重须大于0且不超过100"))])

    def validate_level2(self, field) -> None:
        if self.level1.data in LEVELS and field.data not in LEVELS[self.level1.data]:
            raise ValidationError(_l("二级指标“%(l2)s”不属于“%(l1)s”", l2=field.data, l1=self.level1.data))

    def validate_target(self, field) -> None:
        if self.operator.data != "定性" and _quantitative_number(field.data or "") is None:
            raise ValidationError(_l("定量指标的指标值必须是数字"))

    def validate_unit(self, field) -> None:
        if self.operator.data != "定性" and not (field.data or "").strip():
            raise ValidationError(_l("定量指标必须填写计量单位"))


def _blank(entry) -> bool:
    f = entry.form
    return not any(str(getattr(f, name).data or "").strip() for name in ("name", "target", "unit")) \
        and f.weight.data in (None, "")


class DepartmentGoalsForm(TaskForm):
    """整体绩效目标: the overall goal for the year, the department's budget total and the indicator table."""

    overall_goal = TextAreaField(_l("年度整体绩效目标"), validators=[DataRequired(), MaxChars(5000)])
    amount = AmountField(_l("部门预算总额（万元）"), places=2,
                         validators=[InputRequired(), NumberRange(min=Decimal("0.01"), message=_l("须大于0"))])
    indicators = FieldList(FormField(DeptIndicatorForm), min_entries=1)

    def validate(self, extra_validators=None) -> bool:
        # The page's spare rows (and any row cleared by the user) are not indicators.
        kept = [e for e in self.indicators.entries if not _blank(e)]
        if kept != self.indicators.entries and kept:
            self.indicators.entries = kept
        return super().validate(extra_validators)

    def validate_indicators(self, field) -> None:
        rows = [entry.form for entry in field.entries]
        if len(rows) > MAX_INDICATORS:
            raise ValidationError(_l("指标最多%(n)s个", n=MAX_INDICATORS))
        categories = {(row.level1.data, row.level2.data) for row in rows}
        problems = []
        for part in ("产出", "效益"):
            if (EFFICACY, part) not in categories:
                problems.append(_l("履职效能至少需要一个“%(part)s”指标", part=part))
        if not any(l1 == MANAGEMENT for l1, _ in categories):
            problems.append(_l("至少需要一个管理效率指标"))
        weights = [row.weight.data for row in rows if isinstance(row.weight.data, Decimal)]
        if len(weights) == len(rows) and sum(weights, Decimal(0)) != Decimal(100):
            problems.append(_l("指标权重合计必须为100（当前为%(total)s）", total=sum(weights, Decimal(0))))
        names = [(row.level1.data, row.level2.data, (row.name.data or "").strip()) for row in rows]
        if len(set(names)) != len(names):
            problems.append(_l("同一二级指标下的三级指标名称不能重复"))
        if problems:
            raise ValidationError("；".join(str(p) for p in problems))

    def indicator_rows(self) -> list[dict[str, Any]]:
        return [{"level1": e.form.level1.data, "level2": e.form.level2.data, "name": e.form.name.data.strip(),
                 "operator": e.form.operator.data, "target": str(e.form.target.data).strip(),
                 "unit": (e.form.unit.data or "").strip(), "weight": e.form.weight.data}
                for e in self.indicators.entries]

    def to_task_data(self) -> dict[str, Any]:
        return {}   # the version is stored by the service; its number goes into the workflow


class DecisionForm(TaskForm):
    """A sign-off or review: agree, or return with an opinion (required then)."""

    approved = DecisionField(_l("审核结论"), yes=_l("同意"), no=_l("退回修改"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def validate_opinion(self, field) -> None:
        if self.approved.data is False and not (field.data or "").strip():
            raise ValidationError(_l("退回时请写明意见"))

    def to_task_data(self) -> dict[str, Any]:
        return {"approved": bool(self.approved.data)}


class GoalsSignoffForm(DecisionForm):
    approved = DecisionField(_l("部门负责人审核"), yes=_l("同意报送绩效科"), no=_l("退回修改"))


class ReviewGoalsForm(DecisionForm):
    approved = DecisionField(_l("绩效科审核"), yes=_l("审核通过，随部门预算批复"), no=_l("退回修改（附意见）"))


class EvaluationSignoffForm(DecisionForm):
    approved = DecisionField(_l("部门负责人审核"), yes=_l("同意报送绩效科"), no=_l("退回修改"))


class ConfirmEvaluationForm(DecisionForm):
    approved = DecisionField(_l("绩效科确认"), yes=_l("确认自评结果"), no=_l("退回修改（附意见）"))


class ResultForm(FlaskForm):
    """One indicator's completion: the actual value, for a qualitative indicator its degree of completion
    (0–100, the share of its points: 10号's bands 达成 100–80、部分达成 80–60、未达成 60–0), the 偏差原因."""

    class Meta:
        csrf = False

    actual = StringField(_l("实际完成值"), validators=[DataRequired(), MaxChars(200)])
    achievement = AmountField(_l("完成程度（定性指标，0–100）"), places=2)
    reason = TextAreaField(_l("偏差原因分析及改进措施"), validators=[MaxChars(2000)])
    qualitative = False    # set per row from the approved indicator before validation

    def validate_actual(self, field) -> None:
        if not self.qualitative and _quantitative_number(field.data or "") is None:
            raise ValidationError(_l("定量指标的实际完成值必须是数字"))

    def validate_achievement(self, field) -> None:
        if self.qualitative and field.data is None and not field.process_errors:
            raise ValidationError(_l("定性指标须给出完成程度（0–100）"))
        if field.data is not None and not 0 <= field.data <= 100:
            raise ValidationError(_l("须在0到100之间"))


class SelfEvaluateForm(TaskForm):
    """部门整体自评: every approved indicator's completion, the money, the analysis and the evidence."""

    overall_actual = TextAreaField(_l("年度整体目标实际完成情况"), validators=[DataRequired(), MaxChars(5000)])
    executed_amount = AmountField(_l("全年执行数（万元）"), places=2,
                                  validators=[InputRequired(), NumberRange(min=0, message=_l("不能为负数"))])
    results = FieldList(FormField(ResultForm), min_entries=0, max_entries=MAX_INDICATORS)
    analysis = TextAreaField(_l("绩效分析"), validators=[DataRequired(), MaxChars(20000)])
    problems = TextAreaField(_l("存在的问题"), validators=[DataRequired(), MaxChars(10000)])
    improvements = TextAreaField(_l("改进措施及结果应用"), validators=[DataRequired(), MaxChars(10000)])
    evidence = FieldList(StringField(_l("佐证材料")), max_entries=50)

    def __init__(self, *args, indicators: list | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.approved_indicators = indicators or []

    def validate(self, extra_validators=None) -> bool:
        for entry, indicator in zip(self.results.entries, self.approved_indicators):
            entry.form.qualitative = indicator.operator == "定性"
        return super().validate(extra_validators)

    def validate_results(self, field) -> None:
        if len(field.entries) != len(self.approved_indicators):
            raise ValidationError(_l("须逐项填写全部%(n)s个指标的完成情况", n=len(self.approved_indicators)))

    def result_rows(self) -> list[dict[str, Any]]:
        return [{"actual": (e.form.actual.data or "").strip(),
                 "achievement": str(e.form.achievement.data) if e.form.achievement.data is not None else None,
                 "reason": (e.form.reason.data or "").strip()} for e in self.results.entries]

    def evidence_ids(self) -> list[int]:
        values = [v for v in (self.evidence.data or []) if str(v).strip()]
        return [int(v) if str(v).isdigit() else v for v in values]

    def to_task_data(self) -> dict[str, Any]:
        return {}
