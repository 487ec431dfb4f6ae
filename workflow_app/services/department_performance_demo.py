"""Demo data of 部门整体绩效 (`flask seed-demo`): last year's case of 县人社局 walked through to the confirmed
self-evaluation (so the pages show versions, a diff, a score and a report), and this year's cases of every
filing department waiting for their goals. Idempotent: nothing is added when last year's cases exist.

Not part of services/demo.seed_demo, which every test loads: the tests start their own cases."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from ..engine import now
from ..extensions import db
from ..models import Department, HumanTask, TaskState, User
from ..models.department_performance import DepartmentPerformance
from . import department_performance as dp, instances

DEMO_GOALS: dict[str, Any] = {"overall_goal": "全面完成城镇新增就业和职业技能培训任务，社会保险扩面提质，群众满意度稳步提升。",
                              "amount": 5230.5, "indicators": [
    {"level1": "履职效能", "level2": "产出", "name": "城镇新增就业人数", "operator": ">=", "target": "3000", "unit": "人", "weight": 20},
    {"level1": "履职效能", "level2": "产出", "name": "职业技能培训人次", "operator": ">=", "target": "1500", "unit": "人次", "weight": 20},
    {"level1": "履职效能", "level2": "效益", "name": "城镇登记失业率", "operator": "<=", "target": "4", "unit": "%", "weight": 20},
    {"level1": "履职效能", "level2": "满意度", "name": "服务对象满意度", "operator": ">=", "target": "90", "unit": "%", "weight": 10},
    {"level1": "管理效率", "level2": "预算执行", "name": "预算执行率", "operator": ">=", "target": "95", "unit": "%", "weight": 10},
    {"level1": "管理效率", "level2": "结转结余", "name": "结转结余率", "operator": "<=", "target": "5", "unit": "%", "weight": 5},
    {"level1": "管理效率", "level2": "三公经费", "name": "“三公经费”控制率", "operator": "<=", "target": "100", "unit": "%", "weight": 5},
    {"level1": "管理效率", "level2": "政府采购", "name": "政府采购执行率", "operator": ">=", "target": "95", "unit": "%", "weight": 5},
    {"level1": "管理效率", "level2": "资产管理", "name": "资产管理规范性", "operator": "定性", "target": "制度健全、账实相符", "unit": "", "weight": 5},
]}
DEMO_EVALUATION: dict[str, Any] = {
    "overall_actual": "城镇新增就业3250人，超额完成；职业技能培训1200人次，略低于计划。", "executed_amount": 5011.2,
    "results": [{"actual": "3250"}, {"actual": "1200", "reason": "培训机构资质审核延后，下半年开班不足"},
                {"actual": "3.6"}, {"actual": "93"}, {"actual": "95.8"}, {"actual": "3.2"}, {"actual": "92"},
                {"actual": "97"}, {"actual": "制度健全，年度盘点账实相符", "achievement": 90}],
    "analysis": "就业指标超额完成，失业率控制在目标以内；预算执行进度良好。",
    "problems": "职业技能培训计划执行偏慢。", "improvements": "提前开展培训机构遴选，按季度调度培训进度。"}


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _do(case: DepartmentPerformance, username: str, name: str, data: dict[str, Any]) -> None:
    task = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == case.instance_id, HumanTask.name == name,
        HumanTask.state == TaskState.READY.value)).one()
    instances.complete_task(_user(username), task.id, json=data)


def seed_department_performance_demo() -> dict[str, int]:
    # The task forms are Flask-WTF forms: they need a request context even without CSRF.
    with current_app.test_request_context():
        return _seed()


def _seed() -> dict[str, int]:
    last_year = now().year - 1
    if db.session.scalars(select(DepartmentPerformance).where(DepartmentPerformance.year == last_year)).first():
        return {"department_performance": 0}
    jxk = _user("jxk")
    rsj = db.session.scalars(select(Department).where(Department.code == "rsj")).one()
    [case] = dp.start_year(jxk, last_year, [rsj.code]).started
    first = {**DEMO_GOALS, "indicators": [dict(i) for i in DEMO_GOALS["indicators"]]}
    first["indicators"][3]["target"] = "85"
    _do(case, "rsj_filer", "draft_dept_goals", first)
    _do(case, "rsj_head", "dept_goals_signoff", {"approved": True, "opinion": "同意报送"})
    _do(case, "jxk", "review_dept_goals", {"approved": False, "opinion": "满意度目标偏低，请提高到90%"})
    _do(case, "rsj_filer", "draft_dept_goals", DEMO_GOALS)
    _do(case, "rsj_head", "dept_goals_signoff", {"approved": True, "opinion": "同意报送"})
    _do(case, "jxk", "review_dept_goals", {"approved": True, "opinion": "随部门预算批复"})
    instances.fire_due_timers(now())
    _do(case, "rsj_filer", "dept_self_evaluate", DEMO_EVALUATION)
    _do(case, "rsj_head", "dept_evaluation_signoff", {"approved": True, "opinion": "同意报送"})
    _do(case, "jxk", "confirm_dept_evaluation", {"approved": True, "opinion": "自评结果属实，予以确认"})
    started = dp.start_year(jxk, now().year).started
    return {"department_performance": 1 + len(started)}
