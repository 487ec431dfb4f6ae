"""Forms of rectification tracking (process rectification)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from . import TaskForm
from .fields import AmountField, DecisionField, MaxChars

BUDGET_DECISIONS = [("priority", _l("优先保障")), ("maintain", _l("维持")), ("reduce", _l("核减")),
                    ("cancel", _l("取消"))]


class SubmitPlanForm(TaskForm):
    plan = TextAreaField(_l("整改方案"), validators=[DataRequired(), MaxChars(10000)])
    # Rows left empty are spare rows of the page, not missing measures: only "none at all" is an error.
    measures = FieldList(StringField(_l("整改措施"), validators=[Optional(), MaxChars(500)]),
                         min_entries=1, max_entries=50)

    def filled_measures(self) -> list[str]:
        return [m.strip() for m in (self.measures.data or []) if m and m.strip()]

    def validate_measures(self, field) -> None:
        if not self.filled_measures():
            raise ValidationError(str(_l("至少填写一条整改措施")))  # a str: pages tell it from the rows' lists

    def to_task_data(self) -> dict[str, Any]:
        return {}


class ReviewPlanForm(TaskForm):
    accepted = DecisionField(_l("审核结论"), yes=_l("同意方案"), no=_l("退回修改"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"plan_accepted": self.accepted.data}


class ReportProgressForm(TaskForm):
    progress = TextAreaField(_l("整改进展"), validators=[DataRequired(), MaxChars(10000)])
    evidence = FieldList(StringField(_l("佐证材料")), max_entries=50)
    done = DecisionField(_l("是否整改完成"), yes=_l("已完成，提请审核"), no=_l("未完成，继续整改"))

    def evidence_ids(self) -> list[str]:
        return [v for v in (self.evidence.data or []) if str(v).strip()]

    def to_task_data(self) -> dict[str, Any]:
        return {"progress_done": self.done.data}


class AuditForm(TaskForm):
    verdict = RadioField(_l("审核结论"), choices=[("accept", _l("通过")), ("return", _l("退回"))],
                         validators=[InputRequired(message=_l("请选择通过或退回"))])
    opinion = TextAreaField(_l("审核意见"), validators=[DataRequired(), MaxChars(5000)])

    def to_task_data(self) -> dict[str, Any]:
        return {"audit_verdict": self.verdict.data}


class ApplyResultForm(TaskForm):
    budget_decision = SelectField(_l("下年度预算安排"), choices=BUDGET_DECISIONS, validators=[InputRequired()])
    recovered_amount = AmountField(_l("收回存量资金（万元）"), places=2, default=Decimal("0"),
                                    validators=[InputRequired(), NumberRange(min=0, message=_l("不能小于零"))])
    opinion = TextAreaField(_l("说明"), validators=[MaxChars(5000)])

    def __init__(self, *args, project_amount: Decimal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project_amount = project_amount

    def validate_recovered_amount(self, field) -> None:
        if self.project_amount is not None and field.data is not None and field.data > self.project_amount:
            raise ValidationError(_l("收回金额不能超过项目金额%(amount)s万元", amount=self.project_amount))

    def to_task_data(self) -> dict[str, Any]:
        return {"budget_decision": self.budget_decision.data}
