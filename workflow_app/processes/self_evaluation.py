"""单位自评 (project self-evaluation per 财预〔2020〕10号), its 财政复核 (finance re-check), and 结果应用 (the results'
next-year budget decisions and the departments' ranking).

The scoring is services/evaluation_scoring.py (shared with the whole-department evaluation); results land in
services/result_application.py (shared with the key evaluation). This module declares what the generic code
needs to know.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .registry import NavEntry, ProcessModule, register

SELF_EVALUATION = "self_evaluation"

MODULE = register(ProcessModule(
    key=SELF_EVALUATION,
    nav=(NavEntry("result_application.decisions", _l("结果应用")),),
    web_views=("workflow_app.web.result_application",),
    api_views=("workflow_app.api.result_application",),
))
