"""单位自评 (project self-evaluation per 财预〔2020〕10号), its 财政复核 (finance re-check), and 结果应用 (the results'
next-year budget decisions and the departments' ranking).

The domain behaviour is in services/self_evaluation.py; the scoring in services/evaluation_scoring.py (shared
with the whole-department evaluation); results land in services/result_application.py (shared with the key
evaluation). Files of this process: bpmn/self_evaluation.bpmn, forms/self_evaluation.py,
models/self_evaluation.py, templates/processes/self_evaluation/, web/self_evaluation.py,
api/self_evaluation.py (and web/api/templates of result_application). This module declares what the generic
code needs to know.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Role, User
from ..services.policy import define, is_bureau_wide
from ..services.errors import Forbidden
from ..services.self_evaluation import SELF_EVALUATION, START_ENDPOINT, SelfEvaluationHooks
from .registry import DueDays, NavEntry, ProcessModule, register

MODULE = register(ProcessModule(
    key=SELF_EVALUATION,
    hooks=SelfEvaluationHooks(),
    start_endpoint=START_ENDPOINT,
    due_days={
        f"{SELF_EVALUATION}:fill_evaluation": DueDays(30, "DUE_DAYS_SELF_EVALUATION_FILL"),
        f"{SELF_EVALUATION}:evaluation_signoff": DueDays(5, "DUE_DAYS_SELF_EVALUATION_SIGNOFF"),
    },
    process_names_en={(SELF_EVALUATION, "单位自评"): "Project self-evaluation"},
    task_titles_en={
        ("fill_evaluation", "填报项目支出绩效自评表"): "Fill in the self-evaluation form",
        ("evaluation_signoff", "部门负责人审核自评表"): "Department head sign-off of the self-evaluation",
    },
    nav=(NavEntry("self_evaluation.index", _l("绩效自评"), order=40),
         NavEntry("result_application.decisions", _l("结果应用"), order=60)),
    web_views=("workflow_app.web.self_evaluation", "workflow_app.web.result_application"),
    api_views=("workflow_app.api.self_evaluation", "workflow_app.api.result_application"),
    templates=SELF_EVALUATION,
    wide_tasks=frozenset({"fill_evaluation", "evaluation_signoff"}),
    upload_tasks=frozenset({"fill_evaluation"}),
))


# -- this process's permissions ----------------------------------------------------------------------------------
@define("manage_self_evaluation", Forbidden, "只有绩效科可以组织自评和复核")
def _manage_self_evaluation(user: User, _obj: None) -> bool:
    """Opening a round, drawing the re-check sample and re-scoring are the performance section's (and admins')."""
    return is_bureau_wide(user)


@define("see_self_evaluation_quality", Forbidden, "自评质量统计只有财政局可以查看")
def _see_quality(user: User, _obj: None) -> bool:
    return is_bureau_wide(user) or user.has_role(Role.FINANCE_BUSINESS.value, Role.SUPERVISOR.value)
