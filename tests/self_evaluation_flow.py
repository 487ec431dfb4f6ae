"""Driving a self-evaluation through the API (shared by the self-evaluation tests)."""
from __future__ import annotations

import copy
from typing import Any

from .goal_flow import GoalFlow, goals

YEAR = 2027


def approve_goals(api, project_id: int, filer: str = "rsj_filer", head: str = "rsj_head",
                  authority: str = "rsj_deputy", amount: int = 300, finance: str = "sbk") -> None:
    """A real goal review to 二下 批复 (the self-evaluation is prefilled from the approved version)."""
    flow = GoalFlow(api, project_id, filer=filer, head=head, authority=authority)
    flow.finance = api(finance)   # the project department's business section (对口业务科室)
    flow.start()
    flow.through_formal_check()
    flow.joint_review("优", "优", [95, 95, 95])
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "目标明确", "control_amount": amount})
    flow.do(flow.filer, "revise_goals", goals(amount=amount))
    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})


# The goal_flow indicators: 培训人次 ≥3000 (产出, 40), 培训合格率 ≥90 (产出, 20), 促进就业 定性 (效益, 30),
# 学员满意度 ≥90 (满意度, 10) → points 33.33, 16.67, 30, 10 after 预算执行率 10.
FULL_ROWS = [{"actual": "3200"}, {"actual": "92"}, {"level": "达成", "share": "100", "actual": "明显提升"},
             {"actual": "95"}]


def fill_data(**changes: Any) -> dict[str, Any]:
    body = {"annual_budget": 300, "executed": 285, "overall_actual": "全年培训3200人次，合格率92%。",
            "problems": "部分乡镇培训场地不足，下年度与职业学校合作解决。", "rows": copy.deepcopy(FULL_ROWS)}
    body.update(changes)
    return body


class SelfEvaluationFlow:
    def __init__(self, api, filer: str = "rsj_filer", head: str = "rsj_head") -> None:
        self.api = api
        self.jxk, self.filer, self.head = api("jxk"), api(filer), api(head)

    def start_round(self, **body: Any) -> dict[str, Any]:
        response = self.jxk.post("/api/v1/self-evaluation-rounds", json={"fiscal_year": YEAR, **body})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def evaluation(self, project_id: int, client=None) -> dict[str, Any]:
        items = (client or self.jxk).get(f"/api/v1/self-evaluations?year={YEAR}").get_json()["items"]
        summary = next(i for i in items if i["project_id"] == project_id)
        return (client or self.jxk).get(f"/api/v1/self-evaluations/{summary['id']}").get_json()

    def fill(self, project_id: int, data: dict[str, Any], expect: int = 200, client=None):
        client = client or self.filer
        task = client.task_named("fill_evaluation", project_id=project_id)
        response = client.complete(task["id"], data)
        assert response.status_code == expect, response.get_json()
        return response

    def signoff(self, project_id: int, approved: bool = True, opinion: str = "同意报送", client=None):
        client = client or self.head
        task = client.task_named("evaluation_signoff", project_id=project_id)
        response = client.complete(task["id"], {"approved": approved, "opinion": opinion})
        assert response.status_code == 200, response.get_json()
        return response

    def submit(self, project_id: int, data: dict[str, Any] | None = None, **clients: Any) -> dict[str, Any]:
        self.fill(project_id, data or fill_data(), client=clients.get("filer"))
        self.signoff(project_id, client=clients.get("head"))
        return self.evaluation(project_id)
