"""Forms of the 财政+部门+专家 joint review (process joint_review)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FormField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from workflow_app.labels import grade_choices

from . import TaskForm
from .fields import MaxChars

SCORE_LABELS = {"completeness": _l("内容完整"), "relevance": _l("要素关联"),
                "scientific": _l("指标科学"), "measurable": _l("细化量化")}


class _GradeForm(TaskForm):
    # The stored grade posts (the API and the grading table use 优/良/中/差); the option shows its label.
    grade = SelectField(_l("审核等级"), choices=grade_choices(), validators=[InputRequired()])
    opinion = TextAreaField(_l("审核意见"), validators=[DataRequired(), MaxChars(5000)])


class FinanceReviewForm(_GradeForm):
    def to_task_data(self) -> dict[str, Any]:
        return {"finance_grade": self.grade.data}


class AuthorityReviewForm(_GradeForm):
    def to_task_data(self) -> dict[str, Any]:
        return {"authority_grade": self.grade.data}


def _score(label) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=25)])


class ScoresForm(FlaskForm):
    class Meta:
        csrf = False

    completeness = _score(SCORE_LABELS["completeness"])
    relevance = _score(SCORE_LABELS["relevance"])
    scientific = _score(SCORE_LABELS["scientific"])
    measurable = _score(SCORE_LABELS["measurable"])


class ExpertReviewForm(_GradeForm):
    scores = FormField(ScoresForm)

    def total(self) -> int:
        return sum(int(getattr(self.scores.form, k).data or 0) for k in SCORE_LABELS)

    def to_task_data(self) -> dict[str, Any]:
        # The expert's username is added by the service (it knows who completes the task).
        return {"expert_review_result": {"grade": self.grade.data, "total": self.total()}}
