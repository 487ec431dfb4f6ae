"""Driving a goal review through the API, step by step (shared by the goal review tests)."""
from __future__ import annotations

import copy
from typing import Any

INDICATORS: list[dict[str, Any]] = [
    {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "operator": ">=", "target": "3000",
     "unit": "人次", "weight": 40},
    {"level1": "产出指标", "level2": "质量指标", "name": "培训合格率", "operator": ">=", "target": "90",
     "unit": "%", "weight": 20},
    {"level1": "效益指标", "level2": "社会效益指标", "name": "促进城乡劳动者就业", "operator": "定性",
     "target": "明显提升", "unit": "", "weight": 30},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "学员满意度", "operator": ">=",
     "target": "90", "unit": "%", "weight": 10},
]


def goals(**changes: Any) -> dict[str, Any]:
    body = {"overall_goal": "全年开展就业技能培训3000人次，培训合格率达到90%以上。",
            "indicators": copy.deepcopy(INDICATORS)}
    body.update(changes)
    return body


class GoalFlow:
    """One project's goal review, with the users of the demo county."""

    def __init__(self, api, project_id: int, filer: str = "rsj_filer", head: str = "rsj_head",
                 authority: str = "rsj_deputy") -> None:
        self.api = api
        self.project_id = project_id
        self.filer, self.head, self.jxk = api(filer), api(head), api("jxk")
        self.finance, self.authority = api("sbk"), api(authority)
        self.instance_id: int | None = None

    def start(self) -> int:
        response = self.filer.post(f"/api/v1/projects/{self.project_id}/goal-review")
        assert response.status_code == 201, response.get_json()
        self.instance_id = response.get_json()["instance_id"]
        return self.instance_id

    def do(self, client, name: str, data: dict[str, Any], expect: int = 200):
        task = client.task_named(name, instance_id=self.instance_id)
        response = client.complete(task["id"], data)
        assert response.status_code == expect, response.get_json()
        return response

    def experts(self) -> list[str]:
        detail = self.jxk.get(f"/api/v1/instances/{self.instance_id}").get_json()
        return sorted(t["assignee"] for t in detail["ready_tasks"] if t["name"] == "expert_review")

    def through_formal_check(self) -> None:
        self.do(self.filer, "draft_goals", goals())
        self.do(self.head, "dept_signoff", {"approved": True, "opinion": "同意报送"})
        self.do(self.jxk, "formal_check", {"complete": True, "opinion": "要素齐全"})

    def joint_review(self, finance: str, authority: str, totals: list[int], expert_grade: str = "良") -> None:
        self.do(self.finance, "finance_review", {"grade": finance, "opinion": "财政意见"})
        self.do(self.authority, "authority_review", {"grade": authority, "opinion": "主管部门意见"})
        for username, total in zip(self.experts(), totals, strict=True):
            per = [total // 4 + (1 if i < total % 4 else 0) for i in range(4)]
            scores = dict(zip(("completeness", "relevance", "scientific", "measurable"), per))
            self.do(self.api(username), "expert_review", {"grade": expert_grade, "opinion": "专家意见",
                                                          "scores": scores})

    def instance(self) -> dict[str, Any]:
        return self.jxk.get(f"/api/v1/instances/{self.instance_id}").get_json()

    def project(self) -> dict[str, Any]:
        return self.jxk.get(f"/api/v1/projects/{self.project_id}").get_json()
