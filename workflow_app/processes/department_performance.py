"""部门整体绩效 (whole-department performance): one yearly case per department. The department sets its annual
goals (整体绩效目标, with the budget; the performance section reviews them, versions and diff as for projects),
and after the year self-evaluates against them; the performance section confirms the score, and the
self-evaluation report goes to 人大 in August.

The domain behaviour is in services/department_performance.py (+ department_performance_scoring.py); this module
declares what the generic code needs to know. Files of this process: bpmn/department_performance.bpmn,
forms/department_performance.py, models/department_performance.py, templates/processes/department_performance/,
templates/pdf/department_performance_report.html, web/department_performance.py, api/department_performance.py;
the annual goals as 部门整体支出绩效目标表 (PDF, Excel, import): services/department_performance_goal_table.py,
templates/pdf/department_goal_table.html.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Role, User
from ..models.department_performance import DepartmentPerformance
from ..services.department_performance import (DEPARTMENT_PERFORMANCE, START_ENDPOINT,
                                               DepartmentPerformanceHooks)
from ..services.errors import Forbidden, NotFound
from ..services.policy import define, is_bureau_wide
from ..services import department_performance as department_performance_service
from .registry import DueDays, NavEntry, ProcessModule, PublicationKind, register

_DEPARTMENT = DueDays(15, "DUE_DAYS_DEPARTMENT_PERFORMANCE_DEPARTMENT")
_REVIEW = DueDays(7, "DUE_DAYS_DEPARTMENT_PERFORMANCE_REVIEW")
_SIGNOFF = DueDays(3, "DUE_DAYS_SIGNOFF")
P = DEPARTMENT_PERFORMANCE

MODULE = register(ProcessModule(
    key=P,
    hooks=DepartmentPerformanceHooks(),
    start_endpoint=START_ENDPOINT,
    due_days={
        f"{P}:draft_dept_goals": _DEPARTMENT,
        f"{P}:dept_goals_signoff": _SIGNOFF,
        f"{P}:review_dept_goals": _REVIEW,
        f"{P}:dept_self_evaluate": _DEPARTMENT,
        f"{P}:dept_evaluation_signoff": _SIGNOFF,
        f"{P}:confirm_dept_evaluation": _REVIEW,
    },
    process_names_en={(P, "部门整体绩效"): "Whole-department performance"},
    task_titles_en={
        ("draft_dept_goals", "编制年度部门整体绩效目标"): "Draft the department's annual performance goals",
        ("dept_goals_signoff", "部门负责人审核整体绩效目标"): "Department head signs off the goals",
        ("review_dept_goals", "绩效科审核整体绩效目标（随部门预算批复）"):
            "Performance section reviews the goals (approved with the budget)",
        ("dept_self_evaluate", "部门整体绩效自评"): "Whole-department self-evaluation",
        ("dept_evaluation_signoff", "部门负责人审核自评报告"): "Department head signs off the self-evaluation",
        ("confirm_dept_evaluation", "绩效科确认自评结果"): "Performance section confirms the self-evaluation",
    },
    # The business sections and the supervisors follow every department's case (read only).
    instance_readers=frozenset({Role.FINANCE_BUSINESS.value, Role.SUPERVISOR.value}),
    nav=(NavEntry("department_performance.index", _l("部门整体绩效"),
                  frozenset({Role.PERFORMANCE_SECTION.value, Role.ADMIN.value, Role.FINANCE_BUSINESS.value,
                             Role.SUPERVISOR.value, Role.DEPARTMENT_FILER.value, Role.DEPARTMENT_HEAD.value}), order=80),),
    web_views=("workflow_app.web.department_performance",),
    api_views=("workflow_app.api.department_performance",),
    templates=P,
    wide_tasks=frozenset({"draft_dept_goals", "dept_self_evaluate"}),
    upload_tasks=frozenset({"dept_self_evaluate"}),
    # The confirmed self-evaluation reports go to 人大 in August and may be published (信息公开).
    publications=(PublicationKind(key=department_performance_service.PUBLICATION_KIND,
                                  label=_l("部门整体绩效自评报告"),
                                  documents=department_performance_service.publishable,
                                  html=department_performance_service.published_html,
                                  document=department_performance_service.publishable_document,
                                  in_npc_package=True, npc_order=20),),  # after the key evaluation reports
))


# -- this process's permissions ------------------------------------------------------------------------
@define("start_department_performance", Forbidden, "只有绩效科和管理员可以发起年度部门整体绩效")
def _start(user: User, _obj: None) -> bool:
    return is_bureau_wide(user)


@define("see_every_department_performance", Forbidden, "只能查看本部门的部门整体绩效")
def _see_every(user: User, _obj: None) -> bool:
    """The bureau, the business sections and the supervisors read every department's case."""
    return is_bureau_wide(user) or user.has_role(Role.FINANCE_BUSINESS.value, Role.SUPERVISOR.value)


@define("see_department_performance", NotFound, "部门整体绩效不存在")
def _see(user: User, case: DepartmentPerformance) -> bool:
    """Another department's case does not exist for a department's people (404)."""
    return _see_every(user, None) or (user.department_id is not None and user.department_id == case.department_id)
