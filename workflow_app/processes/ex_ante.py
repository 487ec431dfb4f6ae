"""事前绩效评估 (ex-ante performance assessment) of new major projects and policies, and of expiring ones asking
to continue: the department registers the item with its material pack and self-assesses; the performance
section reviews it with the business section, drawn experts and optionally a third-party agency, scores it and
records the conclusion, which is written to the project and gates its goal review.

The domain behaviour is in services/ex_ante.py (+ ex_ante_scoring.py, ex_ante_report.py); this module declares
what the generic code needs to know. Files of this process: bpmn/ex_ante.bpmn, bpmn/ex_ante_scoring.dmn,
forms/ex_ante.py, models/ex_ante.py, templates/processes/ex_ante/, web/ex_ante.py, api/ex_ante.py.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Project, Role, User
from ..services import goal_review
from ..services.errors import Forbidden
from ..services.ex_ante import EX_ANTE, START_ENDPOINT, ExAnteHooks, check_goal_review_gate
from ..services.policy import define
from .registry import DueDays, NavEntry, ProcessModule, register

_REVIEW = DueDays(7, "DUE_DAYS_REVIEW")
_DEPARTMENT = DueDays(15, "DUE_DAYS_EX_ANTE_DEPARTMENT")

MODULE = register(ProcessModule(
    key=EX_ANTE,
    hooks=ExAnteHooks(),
    start_endpoint=START_ENDPOINT,
    due_days={
        f"{EX_ANTE}:register_item": _DEPARTMENT,
        f"{EX_ANTE}:self_assess": _DEPARTMENT,
        f"{EX_ANTE}:head_signoff": DueDays(3, "DUE_DAYS_SIGNOFF"),
        f"{EX_ANTE}:organize_review": _REVIEW,
        f"{EX_ANTE}:finance_review": _REVIEW,
        f"{EX_ANTE}:expert_review": _REVIEW,
        f"{EX_ANTE}:third_party_report": DueDays(20, "DUE_DAYS_EX_ANTE_THIRD_PARTY"),
        f"{EX_ANTE}:third_party_check": _REVIEW,
        f"{EX_ANTE}:score_review": _REVIEW,
    },
    process_names_en={(EX_ANTE, "事前绩效评估"): "Ex-ante performance assessment"},
    task_titles_en={
        ("register_item", "登记评估事项并上传材料"): "Register the item and upload the materials",
        ("self_assess", "部门自评并撰写评估报告"): "Department self-assessment and report",
        ("head_signoff", "部门负责人审核签发"): "Department head sign-off",
        ("organize_review", "组织评审（材料审核、抽取专家、是否委托第三方）"):
            "Organize the review (materials, expert draw, third party)",
        ("finance_review", "业务科室审核意见"): "Business section's opinion",
        ("expert_review", "专家评审（每位专家一份）"): "Expert review (one per expert)",
        ("third_party_report", "第三方机构出具评估报告"): "Third-party assessment report",
        ("third_party_check", "审核第三方评估报告"): "Check the third-party report",
        ("score_review", "评分并形成评估结论"): "Score and conclude",
    },
    # The experts are anonymous to the departments (专家1 … 专家n), as in the joint review whose draw they come
    # from; the reviews are independent: nobody outside the bureau-wide roles reads another's in the history.
    anonymous_tasks=frozenset({"expert_review"}),
    independent_reviews=frozenset({"finance_review", "expert_review", "third_party_report"}),
    nav=(NavEntry("ex_ante.index", _l("事前评估"), order=10),),
    web_views=("workflow_app.web.ex_ante",),
    api_views=("workflow_app.api.ex_ante",),
    templates=EX_ANTE,
))

# A new major project's goal review waits for a supporting assessment (services/ex_ante.py).
goal_review.START_GATES.append(check_goal_review_gate)


# -- this process's permissions (asked as policy.may(actor, "start_ex_ante", project)) ----------------------------
@define("start_ex_ante", Forbidden, "只有项目所属部门的填报人可以发起事前绩效评估")
def _start_ex_ante(user: User, project: Project) -> bool:
    """The department registers its own items: its filer starts the assessment."""
    return user.has_role(Role.DEPARTMENT_FILER.value) and user.department_id == project.department_id
