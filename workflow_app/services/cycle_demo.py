"""Demo data of the year's cycle after 二上二下 (`flask seed-demo`): three demo projects of different departments
through the goal review to approval (二下), one goal table 公开, the June monitoring round with two 监控表 filled
and submitted (a green one, a red one), the self-evaluation round with one 自评表 submitted, a key evaluation
finished by the third party and the year's 报送人大材料包 built, so that 运行监控, 单位自评, 重点评价, 结果应用,
信息公开, 报送人大材料包 and the public page show something to a user trying the product.

The batch starts (monitoring, self-evaluation) and the package build run in this process (Celery eager for
the call): no worker runs during seed-demo.

Every step goes through the services the API views call, as the demo users would. Idempotent: a step whose
result exists already is skipped; a step whose precondition is missing is skipped with a message.

Not part of services/demo.seed_demo, which every test loads: the tests drive their own reviews."""
from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import current_app
from sqlalchemy import select

from ..celery_app import celery_app
from ..extensions import db
from ..models import GoalReview, HumanTask, Project, TaskState, User
from ..models.key_evaluation import KeyEvaluation
from ..models.monitoring import MonitoringReport, MonitoringRound
from ..models.publication import NpcPackage, Publication
from ..models.self_evaluation import EvaluationRound, SelfEvaluation
from . import attachments, goal_review, instances, key_evaluation, monitoring, npc_package, publication, self_evaluation
from .errors import DomainError

YEAR = 2027          # the demo projects' fiscal year (services/demo.PROJECTS)
MONITORING_MONTH = 6  # payments exist for months 1–6 (services/execution.seed_demo_payments)

# project code → (filer, head, 主管部门 reviewer (another head: 四眼原则), finance business section user)
REVIEWED = {"2027-RSJ-001": ("rsj_filer", "rsj_head", "rsj_deputy", "sbk"),
            "2027-SLJ-001": ("slj_filer", "slj_head", "slj_deputy", "nyk"),
            "2027-TJJ-001": ("tjj_filer", "tjj_head", "tjj_deputy", "sbk")}
PUBLISHED = "2027-RSJ-001"      # its goal table is 公开 (/public)
KEY_EVALUATED = "2027-TJJ-001"  # evaluated by the third party
SELF_EVALUATED = "2027-RSJ-001"  # its 自评表 filled and signed off (submitted)

# Goals per project: (level1, level2, name, operator, target, unit, weight), plus the overall goal.
GOALS: dict[str, tuple[str, list[tuple[str, str, str, str, str, str, int]]]] = {
    "2027-RSJ-001": ("全年开展就业技能培训3000人次，培训合格率达到90%以上，促进城乡劳动者就业。", [
        ("产出指标", "数量指标", "培训人次", ">=", "3000", "人次", 40),
        ("产出指标", "质量指标", "培训合格率", ">=", "90", "%", 20),
        ("效益指标", "社会效益指标", "促进城乡劳动者就业", "定性", "明显提升", "", 30),
        ("满意度指标", "服务对象满意度指标", "学员满意度", ">=", "90", "%", 10)]),
    "2027-SLJ-001": ("完成12处农村集中供水工程提升改造，农村自来水普及率达到95%。", [
        ("产出指标", "数量指标", "供水工程改造处数", ">=", "12", "处", 40),
        ("产出指标", "质量指标", "工程验收合格率", "=", "100", "%", 20),
        ("效益指标", "社会效益指标", "农村自来水普及率", ">=", "95", "%", 30),
        ("满意度指标", "服务对象满意度指标", "受益群众满意度", ">=", "90", "%", 10)]),
    "2027-TJJ-001": ("按国家统一部署完成第五次全国经济普查县级清查、登记和数据审核。", [
        ("产出指标", "数量指标", "普查对象登记数", ">=", "8000", "个", 40),
        ("产出指标", "时效指标", "登记工作完成时间", "<=", "6", "月", 20),
        ("效益指标", "社会效益指标", "普查数据质量", "定性", "数据真实准确", "", 30),
        ("满意度指标", "服务对象满意度指标", "普查对象满意度", ">=", "85", "%", 10)]),
}
CONTROL_AMOUNT = {"2027-RSJ-001": 300, "2027-SLJ-001": 820, "2027-TJJ-001": 95}

# The 监控表 filled and submitted (to the business section's review): 人社局 on pace (green), 水务局 behind with
# its causes and measures (red; 统计局 stays unfilled). 执行数 comes from the payments (seed_demo_payments).
MONITORED: dict[str, dict[str, Any]] = {
    "2027-RSJ-001": {"forecast": 300, "overall_progress": "上半年已完成培训1900人次，合格率92%。", "indicators": [
        {"progress": "1900", "forecast": "3000", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "92", "forecast": "92", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "已帮助860人实现就业", "forecast": "明显提升", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "93", "forecast": "93", "cause": "", "likelihood": "certain", "measures": ""}],
        "review": {"recommendation": "continue", "opinion": "执行正常，建议继续实施"}},
    "2027-SLJ-001": {"forecast": 760, "overall_progress": "已完成5处供水工程改造，其余7处因汛期停工，计划9月复工。",
                     "indicators": [
        {"progress": "5", "forecast": "11", "cause": "hardware", "likelihood": "possible",
         "measures": "汛期后集中施工，增加施工队伍，每周调度进度。"},
        {"progress": "100", "forecast": "100", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "91", "forecast": "95", "cause": "", "likelihood": "certain", "measures": ""},
        {"progress": "88", "forecast": "90", "cause": "", "likelihood": "certain", "measures": ""}],
        "review": {"recommendation": "correct", "opinion": "执行进度滞后，建议督促纠偏"}},
}

# The 自评表 of 人社局: one row per indicator of GOALS["2027-RSJ-001"], the 定性 one with its level.
SELF_EVALUATION: dict[str, Any] = {
    "annual_budget": 320, "executed": 305, "overall_actual": "全年培训3200人次，合格率92%，学员满意度95%。",
    "problems": "部分乡镇培训场地不足，下年度与职业学校合作解决。",
    "rows": [{"actual": "3200"}, {"actual": "92"}, {"level": "达成", "share": "100", "actual": "明显提升"},
             {"actual": "95"}]}

REPORT_PDF = b"%PDF-1.4\n%demo key evaluation report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def goals(code: str, amount: float | None = None) -> dict[str, Any]:
    overall, rows = GOALS[code]
    body: dict[str, Any] = {"overall_goal": overall, "indicators": [
        {"level1": a, "level2": b, "name": n, "operator": o, "target": t, "unit": u, "weight": w}
        for a, b, n, o, t, u, w in rows]}
    if amount is not None:
        body["amount"] = amount
    return body


def seed_cycle_demo() -> dict[str, int]:
    # The task forms are Flask-WTF forms: they need a request context even without CSRF.
    with current_app.test_request_context():
        added: dict[str, int] = {}
        for name, step in (("goal_reviews", _goal_reviews), ("publications", _publish),
                           ("monitoring_reports", _monitoring), ("self_evaluations", _self_evaluations),
                           ("key_evaluations", _key_evaluation), ("npc_packages", _npc_package)):
            try:
                added[name] = step()
            except (DomainError, LookupError) as error:   # a step the data does not allow: the rest still loads
                db.session.rollback()
                _skip(f"{name}: {error}")
                added[name] = 0
        return added


def _skip(message: str) -> None:
    click.echo(f"seed-demo: skipped {message}")


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def _project(code: str) -> Project | None:
    return db.session.scalars(select(Project).where(Project.code == code)).first()


def _ready(instance_id: int, name: str) -> HumanTask:
    return db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.name == name,
        HumanTask.state == TaskState.READY.value).order_by(HumanTask.id)).first()


def _do(instance_id: int, name: str, username: str | None, data: dict[str, Any]) -> None:
    """Complete the instance's ready task `name`: as its assignee when the model fixed one (an expert)."""
    task = _ready(instance_id, name)
    if task is None:
        raise LookupError(f"no ready task {name} in instance {instance_id}")
    instances.complete_task(_user(task.assignee or username), task.id, json=data)


@contextmanager
def _eager() -> Iterator[None]:
    """Run the batch start jobs in this process: no worker runs during seed-demo."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


# -- 1. 二上二下 to approval ----------------------------------------------------------------------------
def _goal_reviews() -> int:
    added = 0
    for code, (filer, head, authority, finance) in REVIEWED.items():
        project = _project(code)
        if project is None:
            _skip(f"goal review of {code}: no such project")
            continue
        if project.goal_status == "approved" or goal_review.running_review(project.id) is not None:
            continue
        instance = goal_review.start_goal_review(_user(filer), project.id, {})
        iid = instance.id
        _do(iid, "draft_goals", filer, goals(code))
        _do(iid, "dept_signoff", head, {"approved": True, "opinion": "同意报送"})
        _do(iid, "formal_check", "jxk", {"complete": True, "opinion": "要素齐全"})
        _do(iid, "finance_review", finance, {"grade": "优", "opinion": "目标与预算匹配，同意"})
        _do(iid, "authority_review", authority, {"grade": "优", "opinion": "符合部门职能，同意"})
        while _ready(iid, "expert_review") is not None:
            _do(iid, "expert_review", None, {"grade": "良", "opinion": "指标可衡量，建议细化满意度调查方式",
                                             "scores": {"completeness": 23, "relevance": 24, "scientific": 23,
                                                        "measurable": 22}})
        amount = CONTROL_AMOUNT[code]
        _do(iid, "consolidate", "jxk", {"grade": "优", "opinion": "目标明确，按控制数批复", "control_amount": amount})
        _do(iid, "revise_goals", filer, goals(code, amount))
        _do(iid, "final_review", "jxk", {"approved": True, "opinion": "批复"})
        added += 1
    return added


def _publish() -> int:
    project = _project(PUBLISHED)
    review_id = None if project is None else db.session.scalar(
        select(GoalReview.id).where(GoalReview.project_id == project.id).order_by(GoalReview.id.desc()))
    if project is None or project.goal_status != "approved" or review_id is None:
        _skip(f"公开 of {PUBLISHED}'s goal table: its goals are not approved")
        return 0
    if db.session.scalars(select(Publication).where(Publication.kind == "goal_table",
                                                    Publication.object_id == review_id)).first():
        return 0
    publication.set_disclosure(_user("jxk"), "goal_table", review_id, True, None)
    return 1


# -- 2. the June monitoring round ---------------------------------------------------------------------
def _monitoring() -> int:
    if db.session.scalars(select(MonitoringRound).where(MonitoringRound.year == YEAR,
                                                        MonitoringRound.month == MONITORING_MONTH)).first():
        return 0
    with _eager():
        started = monitoring.start_round(_user("jxk"), {"year": YEAR, "month": MONITORING_MONTH})
    round_id = started.round.id
    for code, data in MONITORED.items():
        project = _project(code)
        report = None if project is None else db.session.scalars(select(MonitoringReport).where(
            MonitoringReport.round_id == round_id, MonitoringReport.project_id == project.id)).first()
        if report is None or report.instance_id is None:
            _skip(f"the 监控表 of {code}: not in the round")
            continue
        filer, head, _, business = REVIEWED[code]
        iid = report.instance_id
        executed = float(report.executed or 0)
        filled = {k: copy.deepcopy(v) for k, v in data.items() if k != "review"}
        _do(iid, "fill_report", filer, {**filled, "executed": executed, "forecast": max(data["forecast"], executed)})
        _do(iid, "head_signoff", head, {"approved": True, "opinion": "同意报送"})
        _do(iid, "business_review", business, data["review"])
    return started.added


# -- 3. 单位自评 and 重点评价 ------------------------------------------------------------------------------
def _self_evaluations() -> int:
    """The year's self-evaluation round opened by 绩效科: a 自评表 per approved project, waiting for its filer;
    人社局's submitted and chosen for 财政复核."""
    if db.session.scalars(select(EvaluationRound).where(EvaluationRound.fiscal_year == YEAR)).first():
        return 0
    with _eager():
        _, added = self_evaluation.start_round(_user("jxk"), YEAR)
    project = _project(SELF_EVALUATED)
    evaluation = None if project is None else db.session.scalars(select(SelfEvaluation).where(
        SelfEvaluation.project_id == project.id, SelfEvaluation.fiscal_year == YEAR)).first()
    if evaluation is None or evaluation.instance_id is None:
        _skip(f"the 自评表 of {SELF_EVALUATED}: not in the round")
        return added
    filer, head = REVIEWED[SELF_EVALUATED][:2]
    _do(evaluation.instance_id, "fill_evaluation", filer, copy.deepcopy(SELF_EVALUATION))
    _do(evaluation.instance_id, "evaluation_signoff", head, {"approved": True, "opinion": "同意报送"})
    # Every row at full marks: 绩效科 lists it for 财政复核, whose task then waits in the section's 可认领 queue.
    self_evaluation.choose_for_recheck(_user("jxk"), evaluation.id)
    return added


def _key_evaluation() -> int:
    """One finished key evaluation by the agency `thirdparty` (scored 92.5, 优), the department not objecting."""
    project = _project(KEY_EVALUATED)
    if project is None or project.goal_status != "approved":
        _skip(f"key evaluation of {KEY_EVALUATED}: its goals are not approved")
        return 0
    if db.session.scalars(select(KeyEvaluation).where(KeyEvaluation.project_id == project.id)).first():
        return 0
    head = REVIEWED[KEY_EVALUATED][1]
    agency = _user("thirdparty")
    [evaluation] = key_evaluation.commission(_user("jxk"), {"project_ids": [project.id], "agency": agency.username})
    evaluation_id, iid = evaluation.id, evaluation.instance_id
    lost = {"实际完成率": 4, "社会效益": 3.5}
    indicators = db.session.get(KeyEvaluation, evaluation_id).indicators
    scores = [{"code": r["code"], "score": r["points"] - lost.get(r["name"], 0),
               "comment": f"{r['name']}：" + ("存在不足，扣分" if r["name"] in lost else "符合要求")}
              for r in indicators]
    report_id = attachments.save_upload(agency, io.BytesIO(REPORT_PDF), "评价报告.pdf").id
    db.session.commit()
    _do(iid, "agency_score", agency.username, {
        "scores": scores, "method": "采用资料核查、现场勘查和问卷调查相结合的方法。",
        "findings": ["普查对象底册更新不及时", "部分乡镇普查员培训不足"],
        "conclusion": "项目总体实施较好，达到预期目标。", "experience": "建立了普查数据逐级审核制度。",
        "suggestions": "加强普查员培训和数据质量抽查。", "evidence": [report_id]})
    _do(iid, "review_work", "jxk", {"accepted": True, "opinion": "评价工作规范"})
    _do(iid, "department_feedback", head, {"objection": False, "opinion": ""})
    _do(iid, "finalise", "jxk", {"opinion": "同意第三方评价结论"})
    return 1


def _npc_package() -> int:
    """The year's 报送人大材料包, built here (a PDF with the key evaluation report)."""
    if db.session.scalars(select(NpcPackage).where(NpcPackage.fiscal_year == YEAR)).first():
        return 0
    with _eager():
        npc_package.request_package(_user("jxk"), YEAR)
    return 1
