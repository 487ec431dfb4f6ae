"""绩效运行监控 through the pages: the performance section starts a round (year + month) and follows its progress,
the department fills the 监控表 prefilled from the approved goals (a refused table is shown again as typed, nothing
saved), the review pages show the table with its computed warnings, and the decision page opens a rectification in
one click with the flagged rows as findings."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import MonitoringRound, Rectification

from .conftest import csrf_from
from .helpers import RSJ, project_id
from .monitoring_flow import YEAR, MonitoringFlow, approve_goals, report_data


def _post(client, url: str, data: dict, **kw):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def _rounds(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(MonitoringRound))
        db.session.remove()
        return n


def _table(data: dict) -> dict[str, str]:
    """The 监控表 as the page posts it."""
    form = {"executed": str(data["executed"]), "forecast": str(data["forecast"]),
            "overall_progress": data["overall_progress"]}
    for i, row in enumerate(data["indicators"]):
        form.update({f"indicators-{i}-{k}": str(v) for k, v in row.items()})
    return form


def test_start_a_round_fill_the_table_and_open_a_rectification_through_the_pages(app, api, browser):
    pid = project_id(app, RSJ)
    approve_goals(api, pid, RSJ, 300)
    jxk, filer = browser("jxk"), browser("rsj_filer")

    index = jxk.get("/monitoring").get_data(as_text=True)
    assert "发起一轮运行监控" in index and 'name="month"' in index
    assert "发起一轮运行监控" not in filer.get("/monitoring").get_data(as_text=True)   # only 绩效科 starts

    refused = _post(jxk, "/monitoring/rounds", {"year": str(YEAR), "month": "13"})
    assert refused.status_code == 422 and "截止月份" in refused.get_data(as_text=True)
    assert f'value="{YEAR}"' in refused.get_data(as_text=True) and _rounds(app) == 0
    started = _post(jxk, "/monitoring/rounds", {"year": str(YEAR), "month": "7"})
    assert started.status_code == 302
    round_page = jxk.get(started.headers["Location"]).get_data(as_text=True)
    assert "2027年 1-7月" in round_page and "已启动 1 / 1 个项目" in round_page and "部门填报" in round_page
    assert "style=" not in round_page
    # Again: the same round, nothing started twice.
    again = _post(jxk, "/monitoring/rounds", {"year": str(YEAR), "month": "7"})
    assert again.headers["Location"] == started.headers["Location"] and _rounds(app) == 1

    round_id = int(started.headers["Location"].rsplit("/", 1)[1])
    body = api("jxk").get(f"/api/v1/monitoring-rounds/{round_id}").get_json()
    report = body["reports"][0]
    flow = MonitoringFlow(api, report)
    task = api("rsj_filer").task_named("fill_report", instance_id=report["instance_id"])

    # The table, prefilled from the approved goals.
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    for text in ("城乡居民就业技能培训补贴", "县人力资源和社会保障局", "培训人次", "≥3000人次", "学员满意度", "全年开展就业技能培训"):
        assert text in page, text
    assert 'name="indicators-3-likelihood"' in page and 'name="executed"' in page

    # A quantitative row's progress must be a number: shown again as typed, nothing saved.
    data = report_data(executed=60, forecast=280)
    data["indicators"][0].update(progress="一千八", likelihood="impossible", cause="staffing", measures="增派讲师")
    refused = _post(filer, f"/tasks/{task['id']}", _table(data))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "定量指标的执行情况须填写数字" in text and "一千八" in text and "增派讲师" in text
    assert flow.report()["times_submitted"] == 0 and flow.report()["executed"] == 0.0

    data["indicators"][0]["progress"] = "300"
    done = _post(filer, f"/tasks/{task['id']}", _table(data))
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    report = flow.report()
    assert report["colour"] == "red" and report["indicators"][0]["flag"] is True   # 20 % ÷ 7/12 = 34 %

    # The review pages show the table with its warnings; the business section is 社保科.
    flow.do(flow.head, "head_signoff", {"approved": True, "opinion": "同意"})
    review = api("sbk").task_named("business_review", instance_id=flow.instance_id)
    page = browser("sbk").get(f"/tasks/{review['id']}").get_data(as_text=True)
    assert "红色预警" in page and "1项指标偏离" in page and "增派讲师" in page
    flow.do(flow.business, "business_review", {"recommendation": "suspend", "opinion": "执行严重滞后"})

    decide = api("jxk").task_named("decide", instance_id=flow.instance_id)
    page = jxk.get(f"/tasks/{decide['id']}").get_data(as_text=True)
    assert "一键下达整改" in page and "预算执行进度严重滞后" in page and "完全不可能" in page
    assert re.search(r'<option selected value="suspend">', page)   # the business section's recommendation
    opened = _post(jxk, f"/monitoring/reports/{flow.report_id}/rectification",
                   {"findings": "预算执行进度严重滞后\n培训人次：完成目标可能性：完全不可能", "back": f"/tasks/{decide['id']}"})
    assert opened.status_code == 302 and re.search(r"/rectifications/\d+$", opened.headers["Location"])
    with app.app_context():
        rect = db.session.scalars(select(Rectification)).one()
        assert rect.source == "monitoring" and rect.project_id == pid and len(rect.findings) == 2
        db.session.remove()
    # Once: the decision page no longer offers it, and a second post is refused with a message.
    assert "一键下达整改" not in jxk.get(f"/tasks/{decide['id']}").get_data(as_text=True)
    twice = _post(jxk, f"/monitoring/reports/{flow.report_id}/rectification", {"findings": "x"})
    assert twice.status_code == 302
    assert "未下达整改" in jxk.get(twice.headers["Location"]).get_data(as_text=True)

    # The decision with a reason; the report page shows the outcome.
    refused = _post(jxk, f"/tasks/{decide['id']}", {"outcome": "suspend", "opinion": "暂缓"})
    assert refused.status_code == 422 and "暂缓或停止拨款须写明理由" in refused.get_data(as_text=True)
    done = _post(jxk, f"/tasks/{decide['id']}", {"outcome": "suspend", "opinion": "暂缓", "reason": "待整改到位后拨付"})
    assert done.status_code == 302
    page = filer.get(f"/monitoring/reports/{flow.report_id}").get_data(as_text=True)
    assert "暂缓拨款" in page and "待整改到位后拨付" in page and "已下达整改" in page
    assert browser("slj_filer").get(f"/monitoring/reports/{flow.report_id}").status_code == 404


def test_adjusting_the_budget_shows_the_goal_difference_on_the_project_page(app, api, browser):
    from .test_monitoring import adjusted_goals
    pid = project_id(app, RSJ)
    approve_goals(api, pid, RSJ, 300)
    body = api("jxk").post("/api/v1/monitoring-rounds", json={"year": YEAR, "month": 8}).get_json()
    flow = MonitoringFlow(api, body["reports"][0])
    flow.to_decision(recommendation="adjust")
    decide = api("jxk").task_named("decide", instance_id=flow.instance_id)
    page = browser("jxk").get(f"/tasks/{decide['id']}").get_data(as_text=True)
    # The adjustment editor starts from the approved goals and amount.
    assert 'name="indicators-0-name"' in page and 'value="培训人次"' in page and 'value="300.00"' in page
    flow.do(flow.jxk, "decide", {"outcome": "adjust", "opinion": "调减", "new_amount": 240,
                                 "overall_goal": "全年开展就业技能培训2400人次。", "indicators": adjusted_goals()})
    project_page = browser("rsj_filer").get(f"/projects/{pid}").get_data(as_text=True)
    assert "监控调整" in project_page and "2400" in project_page and "240" in project_page
