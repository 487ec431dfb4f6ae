"""绩效目标二上二下审核 (the goal review) and the 财政+部门+专家联审 (joint review) it calls.

The domain behaviour (goal versions, opinions, the expert draw) is in services/goal_review.py; this module
declares what the generic code needs to know. Files of this process: bpmn/goal_review.bpmn,
bpmn/joint_review.bpmn, bpmn/review_grading.dmn, forms/goal_review.py, forms/joint_review.py,
templates/processes/goal_review/, services/goal_review.py (+ services/goals.py), web/projects.py and
api/projects.py (its start and the project's goal pages).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Project, Role, User
from ..services import goal_table
from ..services.errors import Forbidden
from ..services.goal_review import GOAL_REVIEW, JOINT_REVIEW, GoalReviewHooks
from ..services.policy import define
from .registry import DueDays, ProcessModule, PublicationKind, register

# Most review steps share one setting; a draft and a revision have their own.
_REVIEW = DueDays(7, "DUE_DAYS_REVIEW")

MODULE = register(ProcessModule(
    key=GOAL_REVIEW,
    hooks=GoalReviewHooks(),
    start_endpoint="POST /api/v1/projects/<id>/goal-review",
    subprocesses=(JOINT_REVIEW,),
    due_days={
        f"{GOAL_REVIEW}:draft_goals": DueDays(10, "DUE_DAYS_DRAFT"),
        f"{GOAL_REVIEW}:dept_signoff": DueDays(3, "DUE_DAYS_SIGNOFF"),
        f"{GOAL_REVIEW}:formal_check": _REVIEW,
        f"{GOAL_REVIEW}:consolidate": _REVIEW,
        f"{GOAL_REVIEW}:revise_goals": DueDays(5, "DUE_DAYS_REVISION"),
        f"{GOAL_REVIEW}:final_review": _REVIEW,
        f"{JOINT_REVIEW}:finance_review": _REVIEW,
        f"{JOINT_REVIEW}:authority_review": _REVIEW,
        f"{JOINT_REVIEW}:expert_review": _REVIEW,
    },
    process_names_en={
        (GOAL_REVIEW, "绩效目标二上二下审核"): "Performance goal review (two submissions, two responses)",
        (JOINT_REVIEW, "财政+部门+专家联审"): "Joint review (finance, department, experts)",
    },
    task_titles_en={
        ("draft_goals", "一上：编制绩效目标"): "1st submission: draft the performance goals",
        ("dept_signoff", "一上：部门负责人审核签发"): "1st submission: department head sign-off",
        ("formal_check", "绩效科形式审核（完整性）"): "Formal check by the performance section (completeness)",
        ("joint_review", "财政+部门+专家联审"): "Joint review (finance, department, experts)",
        ("consolidate", "一下：汇总联审意见，下达反馈和控制数"):
            "1st response: consolidate the review, issue feedback and control number",
        ("revise_goals", "二上：按反馈修改绩效目标"): "2nd submission: revise the goals after feedback",
        ("final_review", "复审二上修改稿"): "Final review of the revised goals",
        ("finance_review", "财政业务科室评审"): "Finance section review",
        ("authority_review", "主管部门评审"): "Competent department review",
        ("expert_review", "专家评审（每位专家一份）"): "Expert review (one per expert)",
    },
    # The experts are anonymous to the departments (专家1 … 专家n), and the joint review is independent:
    # nobody outside the performance section reads another reviewer's opinion in the history.
    anonymous_tasks=frozenset({"expert_review"}),
    independent_reviews=frozenset({"finance_review", "authority_review", "expert_review"}),
    templates=GOAL_REVIEW,
    wide_tasks=frozenset({"draft_goals", "revise_goals"}),  # the indicator editor takes the page's width
    # The approved 绩效目标表 is published with the department budget (信息公开). It is not in the August 人大
    # package (issue 17): a county has thousands of them, and they go to 人大 with the budget instead.
    publications=(PublicationKind(key=goal_table.KIND, label=_l("项目绩效目标表"), documents=goal_table.documents,
                                  html=goal_table.html, document=goal_table.document, in_npc_package=False),),
    web_views=("workflow_app.web.goal_table",),
    api_views=("workflow_app.api.goal_table",),
))


# -- this process's permissions (asked as policy.may(actor, "start_goal_review", project)) -----------------------
@define("start_goal_review", Forbidden, "只有项目所属部门的填报人可以发起绩效目标审核")
def _start_goal_review(user: User, project: Project) -> bool:
    """二上二下 starts with the project's own department: its filer drafts the goals."""
    return user.has_role(Role.DEPARTMENT_FILER.value) and user.department_id == project.department_id
