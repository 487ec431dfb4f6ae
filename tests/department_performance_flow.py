"""Drives a whole-department performance case through the API (部门整体绩效), step by step."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from workflow_app.engine import now
from workflow_app.services import instances

LAST_YEAR = now().year - 1


def goals(overall: str = "全面完成就业和社会保障年度任务", amount: float = 5230.5, **changes: Any) -> dict[str, Any]:
    """A valid annual goal table: 履职效能 (产出 2, 效益 1, 满意度 1) and 管理效率 (the default five)."""
    data = {"overall_goal": overall, "amount": amount, "indicators": [
        {"level1": "履职效能", "level2": "产出", "name": "城镇新增就业人数", "operator": ">=", "target": "3000",
         "unit": "人", "weight": 20},
        {"level1": "履职效能", "level2": "产出", "name": "职业技能培训人次", "operator": ">=", "target": "1500",
         "unit": "人次", "weight": 20},
        {"level1": "履职效能", "level2": "效益", "name": "城镇登记失业率", "operator": "<=", "target": "4",
         "unit": "%", "weight": 20},
        {"level1": "履职效能", "level2": "满意度", "name": "服务对象满意度", "operator": ">=", "target": "90",
         "unit": "%", "weight": 10},
        {"level1": "管理效率", "level2": "预算执行", "name": "预算执行率", "operator": ">=", "target": "95",
         "unit": "%", "weight": 10},
        {"level1": "管理效率", "level2": "结转结余", "name": "结转结余率", "operator": "<=", "target": "5",
         "unit": "%", "weight": 5},
        {"level1": "管理效率", "level2": "三公经费", "name": "“三公经费”控制率", "operator": "<=", "target": "100",
         "unit": "%", "weight": 5},
        {"level1": "管理效率", "level2": "政府采购", "name": "政府采购执行率", "operator": ">=", "target": "95",
         "unit": "%", "weight": 5},
        {"level1": "管理效率", "level2": "资产管理", "name": "资产管理规范性", "operator": "定性",
         "target": "制度健全、账实相符", "unit": "", "weight": 5},
    ]}
    data.update(changes)
    return data


def evaluation(**changes: Any) -> dict[str, Any]:
    """A self-evaluation of `goals()`: all met except 职业技能培训 (1200 of 1500, with its reason)."""
    results = [{"actual": "3250"}, {"actual": "1200", "reason": "培训机构资质审核延后，下半年开班不足"},
               {"actual": "3.6"}, {"actual": "96"}, {"actual": "96.5"}, {"actual": "3.2"}, {"actual": "92"},
               {"actual": "97"}, {"actual": "制度健全，年度盘点账实相符", "achievement": 90,
                                  "reason": "个别资产卡片信息不全，已补录"}]
    data = {"overall_actual": "年度就业目标全面完成，培训人次略低于计划", "executed_amount": 5011.2,
            "results": results, "analysis": "整体绩效较好，就业指标超额完成。", "problems": "培训计划执行偏慢。",
            "improvements": "提前开展培训机构遴选，按季度调度。"}
    data.update(changes)
    return data


class DepartmentFlow:
    def __init__(self, api, department: str = "rsj", year: int = LAST_YEAR) -> None:
        self.api, self.department, self.year = api, department, year
        self.filer, self.head, self.jxk = api(f"{department}_filer"), api(f"{department}_head"), api("jxk")
        self.case: dict[str, Any] = {}

    def start(self, departments: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"year": self.year}
        if departments is not None:
            body["departments"] = departments
        response = self.jxk.post("/api/v1/department-performance", json=body)
        assert response.status_code == 201, response.get_json()
        cases = self.jxk.get(f"/api/v1/department-performance?year={self.year}&department={self.department}")
        self.case = cases.get_json()["items"][0]
        return self.case

    def do(self, client, name: str, data: dict[str, Any], status: int = 200):
        task = client.task_named(name, instance_id=self.case["instance_id"])
        response = client.complete(task["id"], data)
        assert response.status_code == status, response.get_json()
        return response

    def approve_goals(self, data: dict[str, Any] | None = None) -> None:
        self.do(self.filer, "draft_dept_goals", data or goals())
        self.do(self.head, "dept_goals_signoff", {"approved": True, "opinion": "同意"})
        self.do(self.jxk, "review_dept_goals", {"approved": True, "opinion": "随部门预算批复"})

    def year_over(self, app) -> None:
        with app.app_context():
            instances.fire_due_timers(now() + timedelta(minutes=1))

    def evaluate(self, data: dict[str, Any] | None = None) -> None:
        self.do(self.filer, "dept_self_evaluate", data or evaluation())
        self.do(self.head, "dept_evaluation_signoff", {"approved": True, "opinion": "同意报送"})
        self.do(self.jxk, "confirm_dept_evaluation", {"approved": True, "opinion": "确认"})

    def get(self, client=None) -> dict[str, Any]:
        response = (client or self.jxk).get(f"/api/v1/department-performance/{self.case['id']}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()
