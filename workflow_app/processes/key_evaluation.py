"""财政重点评价 (key evaluation, 财预〔2020〕10号): the performance section selects projects (high public concern,
wide coverage, large amounts) and commissions a third-party agency, which scores the project on an indicator tree
(决策/过程/产出/效益) and writes its report; the performance section reviews the agency's work, the department may
object, and the performance section finalises the score and grade, which go to the department, to rectification
and to next year's budget.

The domain behaviour is in services/key_evaluation.py (+ key_evaluation_report.py); this module declares what the
generic code needs to know.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Role, User
from ..services.errors import Forbidden, NotFound
from ..services.key_evaluation import KEY_EVALUATION, KeyEvaluationHooks
from ..services.policy import PROJECT_READERS, define
from ..services import key_evaluation_report
from .registry import DueDays, NavEntry, ProcessModule, PublicationKind, register

MODULE = register(ProcessModule(
    key=KEY_EVALUATION,
    hooks=KeyEvaluationHooks(),
    start_endpoint="POST /api/v1/key-evaluations",
    due_days={
        f"{KEY_EVALUATION}:agency_score": DueDays(30, "DUE_DAYS_KEY_EVALUATION_AGENCY"),
        f"{KEY_EVALUATION}:review_work": DueDays(7, "DUE_DAYS_KEY_EVALUATION_REVIEW"),
        # The department's objection window: when it passes, the result stands without objection.
        f"{KEY_EVALUATION}:department_feedback": DueDays(10, "DUE_DAYS_KEY_EVALUATION_FEEDBACK"),
        f"{KEY_EVALUATION}:finalise": DueDays(7, "DUE_DAYS_KEY_EVALUATION_FINALISE"),
    },
    process_names_en={(KEY_EVALUATION, "财政重点评价"): "Key evaluation"},
    task_titles_en={
        ("agency_score", "第三方机构评分并出具评价报告"): "Third-party scoring and report",
        ("review_work", "绩效科审核第三方评价工作"): "Review the agency's work",
        ("department_feedback", "部门反馈意见（可放弃）"): "Department's objections (may waive)",
        ("finalise", "绩效科确定评价结果"): "Finalise the result",
    },
    # The agency's scoring is its own: the department reads it in the report, not another reviewer's draft.
    independent_reviews=frozenset({"agency_score"}),
    nav=(NavEntry("key_evaluation.index", _l("重点评价"), order=50),),
    web_views=("workflow_app.web.key_evaluation",),
    api_views=("workflow_app.api.key_evaluation",),
    templates=KEY_EVALUATION,
    upload_tasks=frozenset({"agency_score"}),
    wide_tasks=frozenset({"agency_score"}),
    # Its finished reports are published (信息公开) and bound into the 人大 package, without the objections.
    publications=(PublicationKind(key=key_evaluation_report.PUBLICATION_KIND, label=_l("重点绩效评价报告"),
                                  documents=key_evaluation_report.publishable,
                                  html=key_evaluation_report.published_html,
                                  document=key_evaluation_report.publishable_document, in_npc_package=True,
                                  npc_order=10),),  # the package's first section (issue 17)
))


# -- this process's permissions -------------------------------------------------------------------
@define("commission_key_evaluation", Forbidden, "只有绩效科可以选取重点评价项目、委托第三方和设置评价指标")
def _commission(user: User, _obj: None) -> bool:
    return user.has_role(Role.PERFORMANCE_SECTION.value)


@define("see_every_key_evaluation", NotFound, "重点评价不存在")
def _see_every(user: User, _obj: None) -> bool:
    """The bureau, its business sections and the supervisors follow every key evaluation."""
    return user.has_role(*PROJECT_READERS)
