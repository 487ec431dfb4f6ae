"""Forms of the 单位自评 (process self_evaluation) and of finance's re-check (the same 自评表, finance's values).

The figures are checked and scored by services/self_evaluation.py with services/evaluation_scoring.py (a row
that missed its target without a deviation cause, a share outside its level's band: 422 with the row's field).
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from . import TaskForm
from .common import HeadSignoffForm
from .fields import AmountField, DecisionField, MaxChars

LEVEL_CHOICES = [("", _l("（请选择）")), ("达成", _l("达成年度指标")), ("部分达成", _l("部分达成并具有一定效果")),
                 ("未达成", _l("未达成且效果较差"))]


class IndicatorResultForm(Form):
    """One indicator row of the 自评表: what the filer types (the indicator itself comes from the approved goals)."""

    actual = StringField(_l("实际完成值"), validators=[MaxChars(200)])
    level = StringField(_l("完成情况"), validators=[MaxChars(10)])   # 定性: 达成 | 部分达成 | 未达成
    share = StringField(_l("得分比例（%）"), validators=[MaxChars(20)])
    cause = TextAreaField(_l("偏差原因分析及改进措施"), validators=[MaxChars(2000)])


class EvaluationFigures(TaskForm):
    """The figures of a 自评表 (the department's, or finance's in a re-check)."""

    executed = AmountField(_l("全年执行数（万元）"), places=2, validators=[Optional()])
    rows = FieldList(FormField(IndicatorResultForm), max_entries=200)

    def figures(self) -> dict[str, Any]:
        return {"executed": self.executed.data, "rows": [dict(row) for row in (self.rows.data or [])]}


class FillEvaluationForm(EvaluationFigures):
    annual_budget = AmountField(_l("全年预算数（万元）"), places=2, validators=[Optional()])
    overall_actual = TextAreaField(_l("年度总体目标实际完成情况"), validators=[DataRequired(), MaxChars(5000)])
    problems = TextAreaField(_l("存在的问题及改进措施"), validators=[MaxChars(5000)])
    evidence = FieldList(StringField(_l("佐证材料")), max_entries=50)

    def evidence_ids(self) -> list[str]:
        return [v for v in (self.evidence.data or []) if str(v).strip()]

    def to_task_data(self) -> dict[str, Any]:
        return {}


class SignoffForm(HeadSignoffForm):
    approved = DecisionField(_l("审核结论"), yes=_l("同意报送财政"), no=_l("退回修改"))
