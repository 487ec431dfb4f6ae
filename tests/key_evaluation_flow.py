"""Driving a key evaluation (财政重点评价) through the API, step by step (shared by the key evaluation tests)."""
from __future__ import annotations

import io
from typing import Any

from workflow_app.models.key_evaluation import DEFAULT_TREE

PDF = b"%PDF-1.4\n%key evaluation report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tree() -> list[dict[str, Any]]:
    """The default tree (10号 framework) as the API takes it."""
    return [dict(row) for row in DEFAULT_TREE]


def full_scores(indicators: list[dict[str, Any]], lost: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Every indicator scored full, except `lost` (indicator name → points lost)."""
    lost = lost or {}
    return [{"code": r["code"], "score": r["points"] - lost.get(r["name"], 0),
             "comment": f"{r['name']}：" + ("存在不足，扣分" if r["name"] in lost else "符合要求")}
            for r in indicators]


class KeyEvaluationFlow:
    """One project's key evaluation with the users of the demo county (绩效科 jxk, the agency thirdparty, 人社局)."""

    def __init__(self, api, project_id: int, agency: str = "thirdparty") -> None:
        self.api = api
        self.project_id = project_id
        self.jxk, self.agency = api("jxk"), api(agency)
        self.head = api("rsj_head")
        self.evaluation: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        assert self.evaluation is not None
        return self.evaluation["id"]

    @property
    def instance_id(self) -> int:
        assert self.evaluation is not None
        return self.evaluation["instance_id"]

    def commission(self, **body: Any) -> dict[str, Any]:
        payload = {"project_ids": [self.project_id], "agency": "thirdparty", **body}
        response = self.jxk.post("/api/v1/key-evaluations", json=payload)
        assert response.status_code == 201, response.get_json()
        self.evaluation = response.get_json()["items"][0]
        return self.evaluation

    def state(self) -> dict[str, Any]:
        response = self.jxk.get(f"/api/v1/key-evaluations/{self.id}")
        assert response.status_code == 200
        return response.get_json()

    def do(self, client, name: str, data: dict[str, Any], expect: int = 200):
        task = client.task_named(name, instance_id=self.instance_id)
        response = client.complete(task["id"], data)
        assert response.status_code == expect, response.get_json()
        return response

    def upload(self, client=None) -> int:
        client = client or self.agency
        response = client.client.post("/api/v1/attachments", headers=client._headers(),
                                      data={"file": (io.BytesIO(PDF), "评价报告.pdf")}, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def score_data(self, lost: dict[str, float] | None = None, **changes: Any) -> dict[str, Any]:
        data = {"scores": full_scores(self.state()["indicators"], lost),
                "method": "采用资料核查、现场勘查和问卷调查相结合的方法。",
                "findings": ["培训后就业跟踪不到位", "资金拨付进度偏慢"],
                "conclusion": "项目总体实施较好，达到预期目标。",
                "experience": "建立了培训机构准入制度。", "suggestions": "加强培训后就业跟踪服务。",
                "evidence": [self.upload()]}
        data.update(changes)
        return data

    def score(self, lost: dict[str, float] | None = None, **changes: Any):
        return self.do(self.agency, "agency_score", self.score_data(lost, **changes))

    def accept(self):
        return self.do(self.jxk, "review_work", {"accepted": True, "opinion": "评价工作规范"})

    def waive(self):
        return self.do(self.head, "department_feedback", {"objection": False, "opinion": ""})

    def finalise(self, **data: Any):
        return self.do(self.jxk, "finalise", {"opinion": "同意第三方评价结论", **data})

    def through(self, lost: dict[str, float] | None = None, **finalise: Any) -> dict[str, Any]:
        self.commission()
        self.score(lost)
        self.accept()
        self.waive()
        self.finalise(**finalise)
        return self.state()


def approve_goals(api, project_id: int) -> None:
    """The project's goals through the goal review to approval (二下 批复), as tests/test_goal_review.py does."""
    from .goal_flow import GoalFlow, goals
    flow = GoalFlow(api, project_id)
    flow.start()
    flow.through_formal_check()
    flow.joint_review("优", "优", [95, 95, 95])
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "目标明确", "control_amount": 300})
    flow.do(flow.filer, "revise_goals", goals(amount=300))
    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})
