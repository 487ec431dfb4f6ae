"""Driving the in-year monitoring (绩效运行监控) through the API: projects with approved goals (through the goal
review, tests/goal_flow.py), a round, and one report's steps (shared by the monitoring tests)."""
from __future__ import annotations

import copy
from typing import Any

from .goal_flow import GoalFlow, goals

YEAR = 2027
# The demo projects this module approves: RSJ (县人社局, business section 社保科) and TJJ (县统计局, no
# business section of its own: every section's queue).
USERS = {"2027-RSJ-001": ("rsj_filer", "rsj_head", "rsj_deputy"),
         "2027-TJJ-001": ("tjj_filer", "tjj_head", "tjj_deputy")}


def approve_goals(api, project_id: int, code: str, amount: float = 300) -> None:
    """The project's goal review, from the draft to the 二下 approval (amount = the control number)."""
    filer, head, authority = USERS[code]
    flow = GoalFlow(api, project_id, filer=filer, head=head, authority=authority)
    flow.start()
    flow.through_formal_check()
    flow.joint_review("优", "优", [95, 95, 95])
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "目标明确", "control_amount": amount})
    flow.do(flow.filer, "revise_goals", goals(amount=amount))
    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})


def rows(n: int = 4, **changes: Any) -> list[dict[str, Any]]:
    """One filled row per indicator of goal_flow.INDICATORS (培训人次 3000, 合格率 90, 定性, 满意度 90)."""
    filled = [
        {"progress": "1900", "forecast": "3000", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "92", "forecast": "92", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "已帮助860人实现就业", "forecast": "明显提升", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "93", "forecast": "93", "cause": "", "likelihood": "certain", "measures": ""},
    ][:n]
    return copy.deepcopy(filled)


def report_data(**changes: Any) -> dict[str, Any]:
    body = {"executed": 200, "forecast": 300, "overall_progress": "已完成培训1900人次，合格率92%。",
            "indicators": rows()}
    body.update(changes)
    return body


class MonitoringFlow:
    """One project's report in a round, with the users of its department, 社保科 and 绩效科."""

    def __init__(self, api, report: dict[str, Any], filer: str = "rsj_filer", head: str = "rsj_head",
                 business: str = "sbk") -> None:
        self.api = api
        self.report_id = report["id"]
        self.instance_id = report["instance_id"]
        self.filer, self.head, self.business, self.jxk = api(filer), api(head), api(business), api("jxk")

    def do(self, client, name: str, data: dict[str, Any], expect: int = 200):
        task = client.task_named(name, instance_id=self.instance_id)   # mine, else the group queue
        response = client.complete(task["id"], data)
        assert response.status_code == expect, response.get_json()
        return response

    def report(self) -> dict[str, Any]:
        response = self.jxk.get(f"/api/v1/monitoring-reports/{self.report_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def to_decision(self, data: dict[str, Any] | None = None, recommendation: str = "continue") -> None:
        self.do(self.filer, "fill_report", data or report_data())
        self.do(self.head, "head_signoff", {"approved": True, "opinion": "同意报送"})
        self.do(self.business, "business_review", {"recommendation": recommendation, "opinion": "执行正常"})
