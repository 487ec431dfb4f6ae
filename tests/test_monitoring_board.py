"""The monitoring board (监控看板) of a round: the figures per department and per project (worst first), what
each user sees (a department only its own rows), the charts' data equal to the tables, the 监控汇总表 export,
and a fixed number of statements however many projects the round has."""
from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import Department, MonitoringReport, Project
from workflow_app.models.monitoring import MonitoringIndicatorRow

from .helpers import RSJ, project_id
from .monitoring_flow import YEAR, MonitoringFlow, approve_goals, report_data
from .test_query_counts import counting

TJJ = "2027-TJJ-001"


def add_reports(app, round_id: int, specs: list[dict]) -> list[int]:
    """Reports of extra projects written straight to the tables (as a submitted report stores them): the board
    reads only these columns, and a goal review per project would take minutes."""
    ids = []
    with app.app_context():
        template = db.session.scalars(select(MonitoringReport).where(MonitoringReport.round_id == round_id)).first()
        departments = {d.code: d.id for d in db.session.scalars(select(Department))}
        first = len(db.session.scalars(select(Project.id)).all())
        for n, spec in enumerate(specs, start=first):
            project = Project(code=f"2027-BRD-{n:04d}", name=f"看板测试项目{n}", department_id=departments[spec["dept"]],
                              fiscal_year=YEAR, amount=Decimal(spec.get("budget", "100")), goal_status="approved")
            db.session.add(project)
            db.session.flush()
            report = MonitoringReport(round_id=round_id, project_id=project.id, department_id=project.department_id,
                                      goal_version_id=template.goal_version_id, budget=project.amount,
                                      executed=spec.get("executed"), execution_rate=spec.get("rate"),
                                      colour=spec.get("colour"), flagged_rows=len(spec.get("flags", [])),
                                      outcome=spec.get("outcome"), status=spec.get("status", "decision"),
                                      times_submitted=1 if spec.get("colour") else 0)
            db.session.add(report)
            db.session.flush()
            for position, name in enumerate(spec.get("flags", [])):
                db.session.add(MonitoringIndicatorRow(report_id=report.id, position=position, level1="产出指标",
                                                      level2="数量指标", name=name, operator=">=", target="100",
                                                      flag=True))
            ids.append(report.id)
        db.session.commit()
    return ids


@pytest.fixture
def round_(app, api):
    """A 1-7月 round of RSJ (300 万元, reported: 200 executed → green) and TJJ (90 万元, not reported), plus
    synthetic reports of 县水务局 (slj) and 县残联 (cjl)."""
    ids = {RSJ: project_id(app, RSJ), TJJ: project_id(app, TJJ)}
    approve_goals(api, ids[RSJ], RSJ, 300)
    approve_goals(api, ids[TJJ], TJJ, 90)
    body = api("jxk").post("/api/v1/monitoring-rounds", json={"year": YEAR, "month": 7}).get_json()
    rsj_report = next(r for r in body["reports"] if r["project_id"] == ids[RSJ])
    flow = MonitoringFlow(api, rsj_report)
    flow.to_decision(report_data(executed=200))
    flow.do(flow.jxk, "decide", {"outcome": "continue", "opinion": "继续执行"})
    extra = add_reports(app, body["id"], [
        {"dept": "slj", "colour": "red", "rate": Decimal("10.00"), "executed": Decimal("10"), "flags": ["供水人口"],
         "outcome": "suspend", "status": "concluded"},
        {"dept": "slj", "colour": "red", "rate": Decimal("20.00"), "executed": Decimal("20")},
        {"dept": "slj", "colour": "yellow", "rate": Decimal("40.00"), "executed": Decimal("40"),
         "flags": ["管网长度", "水质达标率"], "outcome": "correct", "status": "filling"},
        {"dept": "cjl", "colour": "green", "rate": Decimal("90.00"), "executed": Decimal("90"), "outcome": "adjust",
         "status": "concluded"},
        {"dept": "cjl", "colour": "red", "rate": Decimal("5.00"), "executed": Decimal("5"), "flags": ["康复人数"]},
    ])
    return {"id": body["id"], "projects": ids, "extra": extra}


def test_the_board_counts_per_department_and_lists_the_worst_first(app, api, round_):
    body = api("jxk").get(f"/api/v1/monitoring-rounds/{round_['id']}/board").get_json()
    total = body["total"]
    assert total["projects"] == 7
    assert total["colours"] == {"red": 3, "yellow": 1, "green": 2, "none": 1}
    assert total["flagged_rows"] == 4 and total["flagged_projects"] == 3
    assert total["outcomes"] == {"continue": 1, "correct": 1, "adjust": 1, "suspend": 1, "stop": 0}
    departments = {d["department"]: d for d in body["departments"]}
    assert set(departments) == {"rsj", "tjj", "slj", "cjl"}
    slj = departments["slj"]
    assert slj["projects"] == 3 and slj["colours"]["red"] == 2 and slj["colours"]["yellow"] == 1
    assert slj["budget"] == 300 and slj["executed"] == 70 and slj["rate"] == 23.33 and slj["flagged_rows"] == 3
    assert departments["rsj"]["executed"] == 200 and departments["rsj"]["colours"]["green"] == 1
    assert departments["tjj"]["colours"]["none"] == 1
    # departments with the most red first
    assert [d["department"] for d in body["departments"]][:2] == ["slj", "cjl"]
    # projects: red (lowest rate first), yellow, green, not reported
    lines = body["projects"]["items"]
    assert [(p["colour"], p["rate"]) for p in lines] == [
        ("red", 5), ("red", 10), ("red", 20), ("yellow", 40), ("green", 66.67), ("green", 90), ("none", None)]
    assert body["projects"]["total"] == 7
    page = api("jxk").get(f"/api/v1/monitoring-rounds/{round_['id']}/board?limit=2&offset=2").get_json()
    assert [p["rate"] for p in page["projects"]["items"]] == [20, 40]
    only = api("jxk").get(f"/api/v1/monitoring-rounds/{round_['id']}/board?department=cjl").get_json()
    assert only["total"]["projects"] == 2 and [d["department"] for d in only["departments"]] == ["cjl"]


def test_a_department_sees_only_its_own_rows(api, round_):
    rsj = api("rsj_filer").get(f"/api/v1/monitoring-rounds/{round_['id']}/board").get_json()
    assert [d["department"] for d in rsj["departments"]] == ["rsj"]
    assert [p["code"] for p in rsj["projects"]["items"]] == [RSJ]
    # asking for another department's figures gives nothing of it
    other = api("rsj_filer").get(f"/api/v1/monitoring-rounds/{round_['id']}/board?department=slj").get_json()
    assert other["total"]["projects"] == 0 and other["departments"] == []
    # the business section and a supervisor see the whole round
    assert api("sbk").get(f"/api/v1/monitoring-rounds/{round_['id']}/board").get_json()["total"]["projects"] == 7
    assert api("supervisor").get(f"/api/v1/monitoring-rounds/{round_['id']}/board").get_json()["total"]["projects"] == 7
    # experts take no part in monitoring: the board does not exist for them
    assert api("expert1").get(f"/api/v1/monitoring-rounds/{round_['id']}/board").status_code == 404
    assert api("jxk").get("/api/v1/monitoring-rounds/999999/board").status_code == 404


def test_the_page_has_the_charts_and_the_same_figures_as_tables(browser, round_):
    client = browser("jxk")
    response = client.get(f"/monitoring/rounds/{round_['id']}/board")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "echarts.min.js" in html and "monitoring-board.js" in html
    charts = {name: json.loads(data.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
                               .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
              for name, data in re.findall(r"data-board-chart=\"(\w+)\" data-chart-data='([^']*)'", html)}
    assert set(charts) == {"colours", "outcomes"}
    red = next(s for s in charts["colours"]["series"] if s["key"] == "red")
    by_department = dict(zip(charts["colours"]["labels"], red["values"]))
    assert by_department["县水务局"] == 2 and by_department["县残疾人联合会"] == 1
    # the table under the chart: the same count in the row of 县水务局
    row = re.search(r'<tr data-department="slj">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-colour-count="red">2<', row) and re.search(r'data-colour-count="yellow">1<', row)
    assert charts["outcomes"]["values"] == [1, 1, 1, 1, 0]
    assert re.search(r'data-outcome="suspend">1<', html)
    # the worst first in the project table
    reports = re.findall(r'<tr data-report="(\d+)">', html)
    assert int(reports[0]) == round_["extra"][4] and len(reports) == 7
    # a department's page: its own row only; an expert: no such page
    own = browser("rsj_filer").get(f"/monitoring/rounds/{round_['id']}/board").get_data(as_text=True)
    assert 'data-department="rsj"' in own and 'data-department="slj"' not in own and "县水务局" not in own
    assert browser("expert1").get(f"/monitoring/rounds/{round_['id']}/board").status_code == 404


def test_the_summary_export_has_one_row_per_project(api, browser, round_):
    response = api("jxk").get(f"/api/v1/monitoring-rounds/{round_['id']}/summary.xlsx")
    assert response.status_code == 200 and "监控汇总表" in response.headers["Content-Disposition"] or \
        "%E7%9B%91%E6%8E%A7%E6%B1%87%E6%80%BB%E8%A1%A8" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["监控汇总表"]
    assert "2027年1-7月" in sheet["A1"].value
    header = [c.value for c in sheet[3]]
    assert header[:9] == ["序号", "项目编码", "项目名称", "实施单位", "年初预算数（万元）", "执行数（万元）", "执行率（%）",
                          "时间进度（%）", "预警"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 7
    first = dict(zip(header, rows[0]))
    assert first["预警"] == "红色预警" and first["执行率（%）"] == 5 and first["偏离指标"] == "康复人数"
    assert first["时间进度（%）"] == pytest.approx(58.33)
    slj_yellow = next(dict(zip(header, r)) for r in rows if r[8] == "黄色预警")
    assert slj_yellow["偏离指标"] == "管网长度、水质达标率" and slj_yellow["监控结果"] == "纠偏"
    rsj = next(dict(zip(header, r)) for r in rows if r[1] == RSJ)
    assert rsj["执行数（万元）"] == 200 and rsj["监控结果"] == "继续执行" and rsj["预警"] == "正常"
    departments = workbook["分部门汇总"]
    assert {row[0].value for row in departments.iter_rows(min_row=2)} == {
        "县人力资源和社会保障局", "县统计局", "县水务局", "县残疾人联合会"}
    # a department's export: its own projects only; the page's link gives the same file
    own = load_workbook(io.BytesIO(api("rsj_filer").get(
        f"/api/v1/monitoring-rounds/{round_['id']}/summary.xlsx").data))["监控汇总表"]
    assert [row[1].value for row in own.iter_rows(min_row=4)] == [RSJ]
    page = browser("sbk").get(f"/monitoring/rounds/{round_['id']}/summary.xlsx")
    assert page.status_code == 200 and page.data[:2] == b"PK"


def test_the_board_runs_the_same_statements_for_few_and_many_projects(app, api, round_):
    jxk = api("jxk")

    def statements() -> int:
        with counting(app) as seen:
            assert jxk.get(f"/api/v1/monitoring-rounds/{round_['id']}/board").status_code == 200
        return len(seen)

    few = statements()
    add_reports(app, round_["id"], [{"dept": d, "colour": c, "rate": Decimal(r), "executed": Decimal(r)}
                                    for d, c, r in [("slj", "red", "3"), ("tjj", "green", "95"), ("cjl", "yellow", "41")]
                                    * 10])
    many = statements()
    assert many == few <= 6   # token and user, the round, the departments, the projects


def test_the_round_page_links_to_the_board_and_the_export(browser, round_):
    html = browser("jxk").get(f"/monitoring/rounds/{round_['id']}").get_data(as_text=True)
    assert f'href="/monitoring/rounds/{round_["id"]}/board"' in html
    assert f'href="/monitoring/rounds/{round_["id"]}/summary.xlsx"' in html
