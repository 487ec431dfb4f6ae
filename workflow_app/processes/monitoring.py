"""绩效运行监控 ("双监控"): in-year monitoring of budget execution and goal progress. The performance section
starts a round (year + cut-off month) over every project with approved goals; per project the department fills
the 监控表, its head signs off, the department's business section (对口业务科室) reviews and the performance
section decides: 继续执行 / 纠偏 (report again) / 调整预算 (a new goal version) / 暂缓拨款 / 停止拨款.

The domain behaviour is in services/monitoring.py; this module declares what the generic code needs to know.
Files of this process: bpmn/monitoring.bpmn, forms/monitoring.py, models/monitoring.py,
templates/processes/monitoring/, web/monitoring.py, api/monitoring.py.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Role, User
from ..services.errors import Forbidden, NotFound
from ..services.monitoring import MONITORING, START_ENDPOINT, MonitoringHooks
from ..services.policy import define
from .registry import DueDays, NavEntry, ProcessModule, register

_REVIEW = DueDays(7, "DUE_DAYS_MONITORING_REVIEW")

MODULE = register(ProcessModule(
    key=MONITORING,
    hooks=MonitoringHooks(),
    start_endpoint=START_ENDPOINT,
    due_days={
        f"{MONITORING}:fill_report": DueDays(10, "DUE_DAYS_MONITORING_FILL"),
        f"{MONITORING}:head_signoff": DueDays(3, "DUE_DAYS_SIGNOFF"),
        f"{MONITORING}:business_review": _REVIEW,
        f"{MONITORING}:decide": _REVIEW,
    },
    process_names_en={(MONITORING, "绩效运行监控"): "Performance operation monitoring"},
    task_titles_en={
        ("fill_report", "填报绩效监控表"): "Fill in the monitoring table",
        ("head_signoff", "部门负责人审核签发"): "Department head sign-off",
        ("business_review", "业务科室审核"): "Business section review",
        ("decide", "绩效科审定监控结果"): "Decide the monitoring outcome",
    },
    # Everyone who takes part (not the experts and third parties, to whom monitoring does not exist).
    nav=(NavEntry("monitoring.index", _l("运行监控"), roles=frozenset(
        r.value for r in Role if r not in (Role.EXPERT, Role.THIRD_PARTY)), order=30),),
    web_views=("workflow_app.web.monitoring", "workflow_app.web.monitoring_board"),
    api_views=("workflow_app.api.monitoring", "workflow_app.api.monitoring_board"),
    templates=MONITORING,
    wide_tasks=frozenset({"fill_report", "decide"}),
    upload_tasks=frozenset({"fill_report"}),   # the table carries its evidence upload
))


# -- this process's permissions (asked as policy.may(actor, "start_monitoring_round")) ---------------------------
@define("start_monitoring_round", Forbidden, "只有绩效科可以发起绩效运行监控")
def _start_monitoring_round(user: User, _obj: None) -> bool:
    return user.has_role(Role.PERFORMANCE_SECTION.value)


@define("see_monitoring", NotFound, "页面不存在")
def _see_monitoring(user: User, _obj: None) -> bool:
    """The bureau, the business sections, supervisors and the departments (each its own projects' reports);
    experts and third parties take no part in monitoring: to them it does not exist."""
    return user.has_role(*(r.value for r in Role if r not in (Role.EXPERT, Role.THIRD_PARTY)))
