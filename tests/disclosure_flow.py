"""Approved goal tables to publish (shared by the disclosure, goal table and 人大 package tests)."""
from __future__ import annotations

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import GoalReview

from .goal_flow import GoalFlow, goals
from .helpers import project_id

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


def create_project(api, filer: str, code: str, name: str, department: str, amount: float = 50) -> None:
    response = api(filer).post("/api/v1/projects", json={"code": code, "name": name, "department": department,
                                                          "fiscal_year": 2027, "amount": amount})
    assert response.status_code == 201, response.get_json()


def publish(app, api, instance_id: int, username: str = "jxk") -> int:
    """公开 the goal table approved by this goal-review instance (the step after 二下 that puts it on /public)."""
    with app.app_context():
        review_id = db.session.scalar(select(GoalReview.id).where(GoalReview.instance_id == instance_id))
        db.session.remove()
    response = api(username).put(f"/api/v1/publications/goal_table/{review_id}", json={"published": True})
    assert response.status_code == 200, response.get_json()
    return review_id
