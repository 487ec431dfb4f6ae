"""Documents to publish and to send to 人大 (shared by the disclosure, goal table and 人大 package tests): approved
goal tables, finished key evaluation reports and confirmed whole-department self-evaluation reports, each driven
through the API the way a user gets there."""
from __future__ import annotations

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import GoalReview

from .department_performance_flow import LAST_YEAR, DepartmentFlow
from .goal_flow import GoalFlow, goals
from .helpers import project_id
from .key_evaluation_flow import KeyEvaluationFlow

DEPARTMENT_USERS = {"rsj": ("rsj_filer", "rsj_head", "rsj_deputy"), "slj": ("slj_filer", "slj_head", "slj_deputy"),
                    "tjj": ("tjj_filer", "tjj_head", "tjj_deputy"), "cjl": ("cjl_filer", "cjl_head", "cjl_deputy")}
FINANCE = {"rsj": "sbk", "cjl": "sbk", "slj": "nyk", "tjj": "sbk"}   # the business section (对口业务科室)


def approve(app, api, code: str, department: str, **goal_changes) -> int:
    """Drive the project's goal review to 二下 approval; returns the goal table's id (its review's id)."""
    filer, head, authority = DEPARTMENT_USERS[department]
    flow = GoalFlow(api, project_id(app, code), filer=filer, head=head, authority=authority)
    flow.finance = api(FINANCE[department])
    flow.start()
    flow.do(flow.filer, "draft_goals", goals(**goal_changes))
    flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意报送"})
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "要素齐全"})
    flow.joint_review("优", "优", [95, 95, 95])
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "目标明确", "control_amount": 300})
    flow.do(flow.filer, "revise_goals", goals(amount=300, **goal_changes))
    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})
    with app.app_context():
        review_id = db.session.scalar(select(GoalReview.id).where(GoalReview.instance_id == flow.instance_id))
        db.session.remove()
    return review_id


def create_project(api, filer: str, code: str, name: str, department: str, amount: float = 50,
                   fiscal_year: int = 2027) -> None:
    response = api(filer).post("/api/v1/projects", json={"code": code, "name": name, "department": department,
                                                          "fiscal_year": fiscal_year, "amount": amount})
    assert response.status_code == 201, response.get_json()


def publish(app, api, instance_id: int, username: str = "jxk") -> int:
    """公开 the goal table approved by this goal-review instance (the step after 二下 that puts it on /public)."""
    with app.app_context():
        review_id = db.session.scalar(select(GoalReview.id).where(GoalReview.instance_id == instance_id))
        db.session.remove()
    response = api(username).put(f"/api/v1/publications/goal_table/{review_id}", json={"published": True})
    assert response.status_code == 200, response.get_json()
    return review_id


# A key evaluation and a department's self-evaluation of the same (past) year: what goes to 人大 that August.
EVALUATED = f"{LAST_YEAR}-RSJ-KE1"
EVALUATED_NAME = "公益性岗位开发补贴"
EVALUATION_TITLE = f"{EVALUATED_NAME}重点绩效评价报告"
DEPARTMENT_TITLE = f"{LAST_YEAR}年度县人力资源和社会保障局部门整体绩效自评报告"
OBJECTION = "实际完成率应按年底快报数据计算"


def finished_key_evaluation(app, api, objection: str | None = OBJECTION, with_goal_table: bool = False) -> int:
    """A 人社局 project of LAST_YEAR (created here) through its key evaluation to the finalised grade (92.5, 优),
    the department objecting with `objection` (None: no objection); `with_goal_table`: its goals approved (二下)
    first, so the year has a goal table too. Returns the evaluation's id."""
    create_project(api, "rsj_filer", EVALUATED, EVALUATED_NAME, "rsj", fiscal_year=LAST_YEAR)
    if with_goal_table:
        approve(app, api, EVALUATED, "rsj")
    flow = KeyEvaluationFlow(api, project_id(app, EVALUATED))
    flow.commission()
    flow.score(lost={"实际完成率": 4, "社会效益": 3.5})
    flow.accept()
    if objection is None:
        flow.waive()
    else:
        flow.do(flow.head, "department_feedback", {"objection": True, "opinion": objection})
    flow.finalise()
    state = flow.state()
    assert (state["status"], state["score"], state["grade"]) == ("finished", 92.5, "优"), state
    return flow.id


def confirmed_department_report(app, api, department: str = "rsj") -> dict:
    """The department's LAST_YEAR case: goals approved, the year over, its self-evaluation confirmed by 绩效科.
    Returns the case as the API shows it (id, score, grade)."""
    flow = DepartmentFlow(api, department)
    flow.start([department])
    flow.approve_goals()
    flow.year_over(app)
    flow.evaluate()
    case = flow.get()
    assert case["status"] == "finished" and case["grade"], case
    return case
