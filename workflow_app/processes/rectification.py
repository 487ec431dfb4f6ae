"""整改跟踪 (rectification tracking): findings go to the department, are fixed by a deadline with evidence,
audited by supervisors, and decide the project's next budget.

The domain behaviour is in services/rectification.py; this module declares what the generic code needs to
know. Files of this process: bpmn/rectification.bpmn, forms/rectification.py, templates/processes/rectification/
(task pages) and templates/rectifications/ (its board and detail pages), services/rectification.py
(+ services/ledger.py), web/rectifications.py, api/rectifications.py.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models.org import Role, User
from ..services.errors import Forbidden, NotFound
from ..services.policy import define, is_bureau_wide
from ..services.rectification import RECTIFICATION, RectificationHooks
from .registry import NavEntry, ProcessModule, register

MODULE = register(ProcessModule(
    key=RECTIFICATION,
    hooks=RectificationHooks(),
    start_endpoint="POST /api/v1/projects/<id>/rectifications",
    # No due_days: the department's steps run until the rectification's own deadline (RectificationHooks.task_due_at).
    process_names_en={(RECTIFICATION, "整改跟踪"): "Rectification tracking"},
    task_titles_en={
        ("submit_plan", "制定整改方案"): "Draw up the rectification plan",
        ("review_plan", "审核整改方案"): "Review the rectification plan",
        ("report_progress", "报送整改进展"): "Report rectification progress",
        ("audit", "督办审核"): "Supervisor audit",
        ("apply_result", "结果运用"): "Apply the result",
    },
    # Supervisors follow every step (they may do only the audit); they and the finance sections read every
    # rectification, whichever department it concerns (the same rule as the rectification board).
    task_readers=frozenset({Role.SUPERVISOR.value}),
    instance_readers=frozenset({Role.SUPERVISOR.value, Role.FINANCE_BUSINESS.value}),
    nav=(NavEntry("rectifications.board", _l("整改督办"), order=70),),
    web_views=("workflow_app.web.rectifications",),
    api_views=("workflow_app.api.rectifications",),
    templates=RECTIFICATION,
    upload_tasks=frozenset({"report_progress"}),  # the progress report carries its evidence upload
))


# -- this process's permissions (asked as policy.may(actor, "open_rectification"), …) ----------------------------
@define("open_rectification", Forbidden, "只有绩效科可以下达整改通知")
def _open_rectification(user: User, _obj: None) -> bool:
    return user.has_role(Role.PERFORMANCE_SECTION.value)


@define("see_rectification_board", NotFound, "页面不存在")
def _see_rectification_board(user: User, _obj: None) -> bool:
    """Everyone has a board: the rows on it are those `see_every_rectification` or their department allow."""
    return True


@define("see_every_rectification", Forbidden, "只能查看本部门的整改")
def _see_every_rectification(user: User, _obj: None) -> bool:
    """Who follows every department's rectifications (the rest see their own department's): the same roles
    that read every rectification instance."""
    return is_bureau_wide(user) or user.has_role(*MODULE.instance_readers)
