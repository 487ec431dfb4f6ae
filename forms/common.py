"""Forms shared across processes: generic forms for simple models (tests, the bench model, administrators' small
processes) and the department head's sign-off that several processes share."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, ValidationError

from . import TaskForm
from .fields import DecisionField, MaxChars


class TextForm(TaskForm):
    text = TextAreaField(_l("内容"), validators=[DataRequired(), MaxChars(5000)])


class ApprovalForm(TaskForm):
    approved = DecisionField(_l("审核结论"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])


class HeadSignoffForm(TaskForm):
    """The department head's sign-off: agree and send it on, or return it, with the reason then. The gateway
    reads `signoff_approved`. A process words the decision its own way by declaring `approved` again."""

    approved = DecisionField(_l("审核结论"), yes=_l("同意报送"), no=_l("退回修改"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])

    def validate_opinion(self, field) -> None:
        if self.approved.data is False and not (field.data or "").strip():
            raise ValidationError(_l("退回时请写明理由"))

    def to_task_data(self) -> dict[str, Any]:
        return {"signoff_approved": self.approved.data}
