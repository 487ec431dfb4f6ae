"""Forms of the 财政重点评价 (process key_evaluation).

The score rows are checked against the evaluation's indicator tree by the service (services/key_evaluation.py:
every indicator once, within its points, with a comment); the forms check shapes and lengths. Numbers are read
as text and parsed by the service, so "abc" and 3.555 get the same Chinese message on the page and in the API.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from . import TaskForm
from .fields import DecisionField, MaxChars


class ScoreRowForm(FlaskForm):
    """One indicator's score: `code` names the indicator of the evaluation's tree."""

    class Meta:
        csrf = False

    code = StringField(_l("指标"), validators=[MaxChars(10)])
    score = StringField(_l("得分"), validators=[MaxChars(20)])
    comment = TextAreaField(_l("评分依据"), validators=[MaxChars(2000)])


class AgencyScoreForm(TaskForm):
    """第三方机构评分: a score and a comment per indicator, the findings, the conclusions and the report file."""

    scores = FieldList(FormField(ScoreRowForm), max_entries=60)
    method = TextAreaField(_l("评价方法与过程（评价工作开展情况）"), validators=[DataRequired(), MaxChars(10000)])
    findings = FieldList(StringField(_l("存在的问题"), validators=[MaxChars(2000)]), max_entries=50)
    conclusion = TextAreaField(_l("评价结论（综合评价情况）"), validators=[DataRequired(), MaxChars(10000)])
    experience = TextAreaField(_l("主要经验及做法"), validators=[MaxChars(10000)])
    suggestions = TextAreaField(_l("有关建议"), validators=[DataRequired(), MaxChars(10000)])
    evidence = FieldList(StringField(_l("评价报告")), max_entries=20)

    def score_items(self) -> list[dict[str, Any]]:
        return [{"code": row.form.code.data, "score": row.form.score.data, "comment": row.form.comment.data}
                for row in self.scores]

    def finding_list(self) -> list[str]:
        return [f.strip() for f in (self.findings.data or []) if isinstance(f, str) and f.strip()]

    def evidence_ids(self) -> list[str]:
        return [v for v in (self.evidence.data or []) if str(v).strip()]

    def to_task_data(self) -> dict[str, Any]:
        return {}   # stored on the evaluation (domain tables), nothing for the gateways


class ReviewWorkForm(TaskForm):
    accepted = DecisionField(_l("审核结论"), yes=_l("通过，送部门反馈"), no=_l("退回第三方机构修改"))
    opinion = TextAreaField(_l("审核意见"), validators=[MaxChars(5000)])

    def validate_opinion(self, field) -> None:
        if self.accepted.data is False and not (field.data or "").strip():
            raise ValidationError(_l("退回时请写明修改意见"))

    def to_task_data(self) -> dict[str, Any]:
        return {"work_accepted": self.accepted.data}


class DepartmentFeedbackForm(TaskForm):
    objection = DecisionField(_l("反馈意见"), yes=_l("有异议"), no=_l("无异议（放弃反馈）"))
    opinion = TextAreaField(_l("异议内容及理由"), validators=[MaxChars(10000)])

    def validate_opinion(self, field) -> None:
        if self.objection.data is True and not (field.data or "").strip():
            raise ValidationError(_l("有异议时请写明异议内容及理由"))

    def to_task_data(self) -> dict[str, Any]:
        return {}


class FinaliseForm(TaskForm):
    final_score = StringField(_l("最终得分（不填则采用第三方评分）"), validators=[MaxChars(20)])
    adjust_reason = TextAreaField(_l("调整理由（调整第三方评分时必填）"), validators=[MaxChars(5000)])
    reduce_amount = StringField(_l("下年预算核减金额（万元，等级为“中”时必填）"), validators=[MaxChars(20)])
    opinion = TextAreaField(_l("评价结果意见"), validators=[DataRequired(), MaxChars(10000)])

    def to_task_data(self) -> dict[str, Any]:
        return {}
