"""Forms of the 绩效运行监控 (process monitoring).

The 监控表 (FillReportForm) takes the funds, the overall progress and one row per indicator of the approved goal
version, in the version's order (the page and the API send exactly that many rows). The warnings (执行率, the
colour, the rows' flags) are not fields: the server computes them (services/monitoring.py).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from workflow_app.models.monitoring import CAUSES, LIKELIHOODS, OUTCOMES, OUTCOMES_NEEDING_REASON

from . import TaskForm
from .common import HeadSignoffForm
from .fields import AmountField, DecisionField, MaxChars
from .goal_review import DraftGoalsForm, IndicatorForm

# The codes of models/monitoring.py's tables; the labels written out (the msgid is the Chinese label itself).
CAUSE_CHOICES = [("", _l("（无偏差）")), ("funding", _l("经费保障")), ("institution", _l("制度保障")),
                 ("staffing", _l("人员保障")), ("hardware", _l("硬件条件保障")), ("other", _l("其他"))]
LIKELIHOOD_CHOICES = [("certain", _l("确定能")), ("possible", _l("有可能")), ("impossible", _l("完全不可能"))]
OUTCOME_CHOICES = [("continue", _l("继续执行")), ("correct", _l("纠偏")), ("adjust", _l("调整预算")),
                   ("suspend", _l("暂缓拨款")), ("stop", _l("停止拨款"))]
assert [c for c, _ in CAUSE_CHOICES[1:]] == list(CAUSES) and [c for c, _ in LIKELIHOOD_CHOICES] == list(LIKELIHOODS)
assert [c for c, _ in OUTCOME_CHOICES] == list(OUTCOMES)


def _ids(field: FieldList) -> list[str]:
    return [str(v).strip() for v in (field.data or []) if str(v).strip()]


class IndicatorProgressForm(FlaskForm):
    """One indicator's row of the 监控表. CSRF belongs to the outer form only."""

    class Meta:
        csrf = False

    progress = StringField(_l("截至目前执行情况"), validators=[DataRequired(), MaxChars(2000)])
    forecast = StringField(_l("全年预计完成情况"), validators=[DataRequired(), MaxChars(2000)])
    cause = SelectField(_l("偏差原因"), choices=CAUSE_CHOICES)
    likelihood = SelectField(_l("完成目标可能性"), choices=LIKELIHOOD_CHOICES,
                             validators=[InputRequired(message=_l("请选择完成目标可能性"))])
    measures = TextAreaField(_l("纠偏措施"), validators=[MaxChars(2000)])
    evidence = FieldList(StringField(_l("佐证材料")), max_entries=20)

    def evidence_ids(self) -> list[str]:
        return _ids(self.evidence)

    def validate_cause(self, field) -> None:
        # A target that may be missed is analysed: its cause (偏差原因分析) and what is done about it.
        if self.likelihood.data in LIKELIHOODS and self.likelihood.data != "certain" and not field.data:
            raise ValidationError(_l("完成目标可能性不是“确定能”时须选择偏差原因"))

    def validate_measures(self, field) -> None:
        if self.likelihood.data in LIKELIHOODS and self.likelihood.data != "certain" \
                and not (field.data or "").strip():
            raise ValidationError(_l("完成目标可能性不是“确定能”时须填写纠偏措施"))


class FillReportForm(TaskForm):
    """The department's 监控表: 执行数 (prefilled from the payments), 全年预计执行数, the overall goal's progress
    and each indicator's row."""

    executed = AmountField(_l("截至目前执行数（万元）"), places=2,
                           validators=[InputRequired(), NumberRange(min=0, message=_l("不能小于零"))])
    forecast = AmountField(_l("全年预计执行数（万元）"), places=2,
                           validators=[InputRequired(), NumberRange(min=0, message=_l("不能小于零"))])
    overall_progress = TextAreaField(_l("年度总体目标执行情况"), validators=[DataRequired(), MaxChars(5000)])
    indicators = FieldList(FormField(IndicatorProgressForm), min_entries=0, max_entries=100)
    evidence = FieldList(StringField(_l("佐证材料")), max_entries=50)

    def __init__(self, *args, operators: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.operators = operators   # the approved version's rows (their comparison), in order

    def evidence_ids(self) -> list[str]:
        return _ids(self.evidence)

    def validate_forecast(self, field) -> None:
        if isinstance(field.data, Decimal) and isinstance(self.executed.data, Decimal) \
                and field.data < self.executed.data:
            raise ValidationError(_l("全年预计执行数不能小于截至目前执行数"))

    def validate_indicators(self, field) -> None:
        if self.operators is None:
            return
        if len(field.entries) != len(self.operators):
            raise ValidationError(_l("须逐项填写全部%(n)s个绩效指标（收到%(got)s项）",
                                     n=len(self.operators), got=len(field.entries)))
        for entry, operator in zip(field.entries, self.operators):
            if operator == "定性":
                continue
            try:
                value = Decimal(str(entry.form.progress.data).strip())
            except (InvalidOperation, ValueError):
                value = None
            if value is None or not value.is_finite():
                entry.form.progress.errors = list(entry.form.progress.errors) + [str(_l("定量指标的执行情况须填写数字"))]
                raise ValidationError(_l("定量指标的执行情况须填写数字"))

    def to_task_data(self) -> dict[str, Any]:
        return {}   # the 监控表 is stored by the service; nothing for the gateways


class SignoffForm(HeadSignoffForm):
    approved = DecisionField(_l("部门审核"), yes=_l("同意报送"), no=_l("退回修改"))


class BusinessReviewForm(TaskForm):
    """业务科室: the department's business section (对口业务科室) reviews and recommends an outcome."""

    recommendation = SelectField(_l("建议处理意见"), choices=OUTCOME_CHOICES, validators=[InputRequired()])
    opinion = TextAreaField(_l("审核意见"), validators=[DataRequired(), MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {}


class DecideForm(TaskForm):
    """绩效科: the outcome. 调整预算 takes the new amount and the adjusted goals (a new goal version); 暂缓拨款 and
    停止拨款 take a reason."""

    outcome = SelectField(_l("监控结果处理"), choices=OUTCOME_CHOICES, validators=[InputRequired()])
    opinion = TextAreaField(_l("审定意见"), validators=[DataRequired(), MaxChars(5000)])
    reason = TextAreaField(_l("暂缓或停止拨款的理由"), validators=[MaxChars(5000)])
    new_amount = AmountField(_l("调整后预算（万元）"), places=2, validators=[Optional()])
    overall_goal = TextAreaField(_l("调整后的年度总体目标"), validators=[MaxChars(5000)])
    indicators = FieldList(FormField(IndicatorForm), min_entries=0)
    MAX_INDICATORS = DraftGoalsForm.MAX_INDICATORS

    def validate(self, extra_validators=None) -> bool:
        adjust = self.outcome.data == "adjust"
        entries = self.indicators.entries
        if not adjust:
            # The adjusted goals only count for 调整预算: the editor's rows are not checked otherwise (and are
            # put back afterwards, so a refused page shows them as typed).
            self.indicators.entries = []
        valid = super().validate(extra_validators)
        self.indicators.entries = entries
        # The amount is Optional() for the other outcomes, which stops its own validators: checked here.
        if adjust and not self.new_amount.errors:
            if self.new_amount.data is None:
                self.new_amount.errors = [str(_l("调整预算须填写调整后预算"))]
            elif self.new_amount.data <= 0:
                self.new_amount.errors = [str(_l("调整后预算须大于零"))]
            valid = valid and not self.new_amount.errors
        return valid

    def validate_reason(self, field) -> None:
        if self.outcome.data in OUTCOMES_NEEDING_REASON and not (field.data or "").strip():
            raise ValidationError(_l("暂缓或停止拨款须写明理由"))

    def validate_overall_goal(self, field) -> None:
        if self.outcome.data == "adjust" and not (field.data or "").strip():
            raise ValidationError(_l("调整预算须填写调整后的年度总体目标"))

    def validate_indicators(self, field) -> None:
        if self.outcome.data != "adjust":
            return
        if not field.entries:
            raise ValidationError(_l("调整预算须填写调整后的绩效指标"))
        DraftGoalsForm.validate_indicators(self, field)   # the goal rules: output + benefit, weights 100

    def indicator_rows(self) -> list[dict[str, Any]]:
        return DraftGoalsForm.indicator_rows(self)

    def to_task_data(self) -> dict[str, Any]:
        return {"monitoring_outcome": self.outcome.data}
