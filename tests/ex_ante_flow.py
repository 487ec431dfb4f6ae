"""Driving an ex-ante assessment (事前绩效评估) through the API, step by step (shared by the ex-ante tests)."""
from __future__ import annotations

import io
from typing import Any

from workflow_app.models.ex_ante import DIMENSIONS, REQUIRED_MATERIALS

ALL_DIMENSIONS = list(DIMENSIONS)


def sub_grades(grade: str = "优", **overrides: str) -> dict[str, str]:
    """Every sub-item graded `grade`, some overridden ("necessity_relevance": "差")."""
    grades = {f"{code}_{item}": grade for code, spec in DIMENSIONS.items() for item in spec["items"]}
    grades.update(overrides)
    return grades


def dimension_grades(grade: str = "良") -> dict[str, str]:
    return {code: grade for code in ALL_DIMENSIONS}


def new_project(api, code: str = "2028-RSJ-101", amount: float = 500, **fields: Any) -> int:
    body = {"code": code, "name": "零就业家庭就业援助", "department": "rsj", "fiscal_year": 2028,
            "amount": amount, "kind": "project", **fields}
    response = api("rsj_filer").post("/api/v1/projects", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


class ExAnteFlow:
    """One project's ex-ante assessment, with the users of the demo county (人社局, 社保科, experts)."""

    def __init__(self, api, project_id: int) -> None:
        self.api = api
        self.project_id = project_id
        self.filer, self.head, self.jxk = api("rsj_filer"), api("rsj_head"), api("jxk")
        self.finance, self.third = api("sbk"), api("thirdparty")
        self.assessment: dict[str, Any] | None = None

    @property
    def instance_id(self) -> int:
        assert self.assessment is not None
        return self.assessment["instance_id"]

    @property
    def id(self) -> int:
        assert self.assessment is not None
        return self.assessment["id"]

    def start(self) -> dict[str, Any]:
        response = self.filer.post(f"/api/v1/projects/{self.project_id}/ex-ante")
        assert response.status_code == 201, response.get_json()
        self.assessment = response.get_json()
        return self.assessment

    def task(self, client, name: str) -> dict[str, Any]:
        return client.task_named(name, instance_id=self.instance_id)

    def do(self, client, name: str, data: dict[str, Any], expect: int = 200):
        response = client.complete(self.task(client, name)["id"], data)
        assert response.status_code == expect, response.get_json()
        return response

    def upload(self, kind: str, content: bytes = b"%PDF-1.4\n%test\n", name: str = "材料.pdf", client=None):
        client = client or self.filer
        return client.post(f"/api/v1/ex-ante/{self.id}/materials",
                           data={"kind": kind, "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")

    def upload_pack(self) -> None:
        for kind in REQUIRED_MATERIALS:
            response = self.upload(kind, name=f"{kind}.pdf")
            assert response.status_code == 201, response.get_json()

    def register(self) -> None:
        self.upload_pack()
        self.do(self.filer, "register_item", {"item_kind": "project", "basis": "new",
                                              "summary": "为零就业家庭提供公益性岗位和技能培训。"})

    def self_assess(self) -> None:
        self.do(self.filer, "self_assess", {"grades": dimension_grades("优"), "report": "一、评估对象基本情况……"})

    def through_signoff(self) -> None:
        self.register()
        self.self_assess()
        self.do(self.head, "head_signoff", {"approved": True, "opinion": "同意报送"})

    def experts(self) -> list[str]:
        detail = self.jxk.get(f"/api/v1/instances/{self.instance_id}").get_json()
        return sorted(t["assignee"] for t in detail["ready_tasks"] if t["name"] == "expert_review")

    def reviews(self, third_party: bool = False) -> None:
        self.do(self.jxk, "organize_review", {"materials_complete": True, "use_third_party": third_party,
                                              "opinion": "材料齐全"})
        self.do(self.finance, "finance_review", {"recommendation": "support", "opinion": "资金测算依据充分"})
        for expert in self.experts():
            self.do(self.api(expert), "expert_review", {"recommendation": "support", "opinion": "必要可行",
                                                        "grades": dimension_grades("良")})
        if third_party:
            self.do(self.third, "third_party_report", {"recommendation": "partial", "opinion": "第三方评估报告正文",
                                                       "grades": dimension_grades("中")})
            self.do(self.jxk, "third_party_check", {"accepted": True, "opinion": "报告采信"})

    def score(self, grades: dict[str, str], conditions: str = "", expect: int = 200):
        return self.do(self.jxk, "score_review", {"sub_grades": grades, "opinion": "综合评估意见",
                                                  "conditions": conditions}, expect)

    def run(self, grades: dict[str, str], conditions: str = "", third_party: bool = False) -> dict[str, Any]:
        self.start()
        self.through_signoff()
        self.reviews(third_party)
        self.score(grades, conditions)
        return self.filer.get(f"/api/v1/ex-ante/{self.id}").get_json()
