"""`flask seed-demo` loads the year's cycle after 二上二下 (services/cycle_demo.py): approved goals, a 公开 goal
table, the June monitoring round with one submitted 监控表, a self-evaluation round and a finished key evaluation,
so the pages a user tries first are not empty; a second run adds nothing."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import Project
from workflow_app.models.key_evaluation import KeyEvaluation
from workflow_app.models.monitoring import MonitoringReport, MonitoringRound
from workflow_app.models.publication import NpcPackage, Publication
from workflow_app.models.self_evaluation import SelfEvaluation

COUNTED = (Project, MonitoringRound, MonitoringReport, Publication, SelfEvaluation, KeyEvaluation, NpcPackage)


def counts(app) -> dict[str, int]:
    with app.app_context():
        found = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}
        found["approved"] = db.session.scalar(select(func.count()).select_from(Project)
                                              .where(Project.goal_status == "approved"))
        db.session.remove()
    return found


def added(output: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"(\w+) \+(\d+)", output)}


def test_seed_demo_loads_the_cycle_once(app, browser):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "skipped" not in first.output, first.output
    loaded = added(first.output)
    assert (loaded["goal_reviews"], loaded["publications"], loaded["key_evaluations"]) == (3, 1, 1), first.output
    assert loaded["monitoring_reports"] == 3 and loaded["self_evaluations"] == 3, first.output
    assert loaded["npc_packages"] == 1, first.output
    after_first = counts(app)
    assert after_first["approved"] == 3 and after_first["MonitoringRound"] == 1, after_first

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert all(v == 0 for v in added(second.output).values()), second.output
    assert counts(app) == after_first


def test_the_pages_show_the_seeded_cycle(app, browser):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        reports = {code: (status, colour) for code, status, colour in db.session.execute(
            select(Project.code, MonitoringReport.status, MonitoringReport.colour).join(Project))}
        assert reports == {"2027-RSJ-001": ("decision", "green"), "2027-SLJ-001": ("decision", "red"),
                           "2027-TJJ-001": ("filling", None)}, reports
        round_id = db.session.scalar(select(MonitoringRound.id))
        package_id = db.session.scalar(select(NpcPackage.id))
        assert db.session.scalar(select(func.count()).select_from(SelfEvaluation)
                                 .where(SelfEvaluation.instance_id.is_(None))) == 0   # started synchronously
        evaluation = db.session.scalars(select(KeyEvaluation)).one()
        assert (evaluation.status, evaluation.agency, evaluation.grade) == ("finished", "thirdparty", "优")
        db.session.remove()
    jxk = browser("jxk")
    monitoring = jxk.get("/monitoring")
    listed = monitoring.get_data(as_text=True)
    assert f"/monitoring/rounds/{round_id}" in listed and "红色预警 1" in listed and "正常 1" in listed
    board = jxk.get(f"/monitoring/rounds/{round_id}/board").get_data(as_text=True)
    assert "红色预警" in board and "正常" in board and "农村饮水安全巩固提升工程" in board
    disclosure = jxk.get("/disclosure").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in disclosure and "农村饮水安全巩固提升工程" in disclosure
    assert "第五次全国经济普查县级经费" in jxk.get("/key-evaluations").get_data(as_text=True)
    self_evaluations = jxk.get("/self-evaluations?year=2027").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in self_evaluations and "99.53" in self_evaluations   # 人社局's, submitted
    queue = jxk.get("/tasks?scope=group").get_data(as_text=True)       # its 财政复核 waits for the section
    assert "财政复核自评表" in queue and "城乡居民就业技能培训补贴" in queue
    applied = jxk.get("/result-applications?budget_year=2028").get_data(as_text=True)
    assert "2027-RSJ-001" in applied and "2027-TJJ-001" in applied and "优先保障" in applied
    packages = jxk.get("/npc-packages").get_data(as_text=True)
    assert 'data-status="done"' in packages                       # built during seed-demo, no worker
    pdf = jxk.get(f"/npc-packages/{package_id}/file")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    public = app.test_client().get("/public").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in public          # the one goal table 公开
    assert "农村饮水安全巩固提升工程" not in public       # approved, but not decided 公开


def test_a_step_without_its_precondition_is_skipped_not_fatal(app, api):
    # 人社局 has a goal review of its own under way: the demo leaves it alone, and what needs its approved goals
    # (the 公开 table, its 监控表 and 自评表) is skipped with a message; the rest loads.
    from .helpers import project_id
    rsj = project_id(app, "2027-RSJ-001")
    assert api("rsj_filer").post(f"/api/v1/projects/{rsj}/goal-review").status_code == 201
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    loaded = added(result.output)
    assert (loaded["goal_reviews"], loaded["publications"], loaded["monitoring_reports"]) == (2, 0, 2), result.output
    assert "skipped" in result.output and "2027-RSJ-001" in result.output
    assert loaded["key_evaluations"] == 1 and loaded["npc_packages"] == 1
    with app.app_context():
        assert db.session.get(Project, rsj).goal_status != "approved"
        db.session.remove()
