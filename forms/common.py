"""Generic forms for simple models (tests, the bench model, administrators' small processes)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from . import TaskForm
from .fields import DecisionField, MaxChars


class TextForm(TaskForm):
    text = TextAreaField(_l("内容"), validators=[DataRequired(), MaxChars(5000)])


class ApprovalForm(TaskForm):
    approved = DecisionField(_l("审核结论"))
    opinion = TextAreaField(_l("意见"), validators=[MaxChars(5000)])
