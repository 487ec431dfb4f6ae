"""Form of 财政复核 (process self_evaluation_recheck): finance's figures for a drawn 自评表, its opinion and findings.

The figures are checked and scored by services/self_evaluation_recheck.py (the same rules as the department's
table, without the deviation causes being required); a finding opens a rectification with its deadline.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.widgets import TextArea

from .fields import MaxChars
from .self_evaluation import EvaluationFigures


class LinesField(Field):
    """A list of lines: a page's textarea (one finding a line) or an API's JSON list (`findings-0`, `findings-1`
    once flattened), so the task page and `POST /api/v1/tasks/<id>/complete` send the same field."""

    widget = TextArea()

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        self.data = list(data) if isinstance(data, list | tuple) else []
        if formdata is None:
            return
        pattern = re.compile(re.escape(self.name) + r"-(\d+)$")
        indexed = sorted((int(m.group(1)), key) for key in formdata if (m := pattern.match(key)))
        raw = formdata.getlist(self.name) + [formdata.get(key) for _, key in indexed]
        self.raw_data = raw
        self.data = [line.strip() for value in raw for line in str(value or "").splitlines() if line.strip()]

    def _value(self) -> str:
        return "\n".join(self.data or [])


class RecheckForm(EvaluationFigures):
    opinion = TextAreaField(_l("复核意见"), validators=[MaxChars(5000)])
    findings = LinesField(_l("发现的问题（每行一条；填写后同时下达整改，来源“自评复核”）"))
    deadline = StringField(_l("整改期限"), validators=[MaxChars(10)])
    # Each finding's length is the rectification's rule (services/rectification.py): 422 on `findings` there.
    reduce_amount = StringField(_l("核减金额（万元，等级为中时）"), validators=[MaxChars(20)])

    def payload(self) -> dict[str, Any]:
        """What services/self_evaluation_recheck.py re-checks with (the shape of the re-check API's body)."""
        return {**self.figures(), "opinion": self.opinion.data or "", "findings": list(self.findings.data or []),
                "deadline": (self.deadline.data or "").strip() or None,
                "reduce_amount": (self.reduce_amount.data or "").strip() or None}

    def to_task_data(self) -> dict[str, Any]:
        # The workflow keeps only the decision (set by the hook); the figures live in the 自评表's row.
        return {}
