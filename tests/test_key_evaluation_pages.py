"""财政重点评价 through the pages: selection and commissioning, the indicator editor, the agency's score page with
its report upload, a refused form shown again, the department's feedback, the result page, the rectification
button and the marks."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import KeyEvaluation
from workflow_app.models.key_evaluation import DEFAULT_TREE

from .conftest import csrf_from
from .helpers import RSJ, project_id
from .key_evaluation_flow import PDF, KeyEvaluationFlow


def _post(client, url: str, data: dict, **kw):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def _rows(tree: list[dict]) -> dict[str, str]:
    form = {}
    for i, r in enumerate(tree):
        form.update({f"rows-{i}-dimension": r["dimension"], f"rows-{i}-level2": r["level2"],
                     f"rows-{i}-name": r["name"], f"rows-{i}-points": str(r["points"])})
    return form


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(KeyEvaluation))


def test_the_performance_section_selects_and_commissions_through_the_page(app, api, browser):
    jxk = browser("jxk")
    page = jxk.get("/key-evaluations/select?fiscal_year=2027&min_amount=300").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in page and "农村饮水安全巩固提升工程" in page
    assert "残疾人康复救助项目" not in page                                  # 210 万元
    assert "立项依据充分性" in page and "某会计师事务所" in page              # the default tree and the agency
    pid = project_id(app, RSJ)
    # A tree that totals 90 is refused: the page comes back with what was typed, nothing is started.
    short = [dict(r) for r in DEFAULT_TREE]
    short[0]["points"] = 3
    short[11]["points"] = 0.5
    short[12]["points"] = 7.5
    refused = _post(jxk, "/key-evaluations", {"project_ids": str(pid), "agency": "thirdparty", **_rows(short)})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "合计须为100分" in text and 'value="0.5"' in text
    assert _count(app) == 0
    done = _post(jxk, "/key-evaluations", {"project_ids": str(pid), "agency": "thirdparty",
                                           **_rows([dict(r) for r in DEFAULT_TREE])})
    assert done.status_code == 302
    listing = jxk.get("/key-evaluations").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in listing and "第三方评价中" in listing
    # Selected again, the project shows its running evaluation instead of a box.
    again = jxk.get("/key-evaluations/select?fiscal_year=2027&min_amount=300").get_data(as_text=True)
    assert f'name="project_ids" value="{pid}"' not in again and "评价中" in again
    # Others may not select: back to the list with a message.
    assert browser("rsj_filer").get("/key-evaluations/select").status_code == 302


def test_the_marks_are_set_on_the_selection_page(app, browser):
    jxk = browser("jxk")
    pid = project_id(app, "2027-CJL-001")
    back = "/key-evaluations/select?fiscal_year=2027"
    response = _post(jxk, f"/projects/{pid}/key-evaluation-marks", {"public_concern": "1", "back": back})
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    page = jxk.get("/key-evaluations/select?public_concern=true").get_data(as_text=True)
    assert "残疾人康复救助项目" in page and "城乡居民就业技能培训补贴" not in page
    away = _post(jxk, f"/projects/{pid}/key-evaluation-marks", {"wide_coverage": "1", "back": "//evil.example/"})
    assert urlsplit_path(away.headers["Location"]) == "/key-evaluations/select"


def urlsplit_path(location: str) -> str:
    from urllib.parse import urlsplit
    return urlsplit(location).path


def test_the_indicator_tree_is_edited_on_the_evaluation_page_until_the_agency_scores(app, api, browser):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    jxk = browser("jxk")
    page = jxk.get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    assert "调整评价指标" in page
    tree = [dict(r) for r in DEFAULT_TREE]
    tree[19]["name"] = "受训学员满意度"
    saved = _post(jxk, f"/key-evaluations/{flow.id}/indicators", _rows(tree))
    assert saved.status_code == 302
    assert flow.state()["indicators"][19]["name"] == "受训学员满意度"
    tree[0]["points"] = 13                                                    # 决策 30, 产出+效益 still 60, total 110
    refused = _post(jxk, f"/key-evaluations/{flow.id}/indicators", _rows(tree))
    assert refused.status_code == 422 and "合计须为100分" in refused.get_data(as_text=True)
    assert flow.state()["indicators"][0]["points"] == 3
    assert "调整评价指标" not in browser("rsj_head").get(f"/key-evaluations/{flow.id}").get_data(as_text=True)


def test_the_whole_evaluation_through_the_pages(app, api, browser):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    agency = browser("thirdparty")
    task_id = flow.agency.task_named("agency_score", instance_id=flow.instance_id)["id"]
    page = agency.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "立项依据充分性" in page and "服务对象满意度" in page and 'name="scores-19-score"' in page
    assert "<script>" not in page and "style=" not in page
    form = {"method": "资料核查与现场勘查", "conclusion": "总体较好", "suggestions": "加强跟踪",
            "findings-0": "就业跟踪不到位", "findings-1": ""}
    for i, r in enumerate(flow.state()["indicators"]):
        form.update({f"scores-{i}-code": r["code"], f"scores-{i}-score": str(r["points"]),
                     f"scores-{i}-comment": "符合要求"})
    form["scores-0-score"] = "9"                                              # worth 3
    refused = _post(agency, f"/tasks/{task_id}", form)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "立项依据充分性" in text and "得分必须在" in text and 'value="9"' in text and "就业跟踪不到位" in text
    form["scores-0-score"] = "2.5"
    form["file"] = (io.BytesIO(PDF), "重点评价报告.pdf")
    done = _post(agency, f"/tasks/{task_id}", form, content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)[:300]
    state = flow.state()
    assert state["agency_score"] == 99.5 and state["findings"] == ["就业跟踪不到位"]
    assert len(state["report_attachments"]) == 1

    jxk = browser("jxk")
    review_id = flow.jxk.task_named("review_work", instance_id=flow.instance_id)["id"]
    page = jxk.get(f"/tasks/{review_id}").get_data(as_text=True)
    assert "99.50" in page and "就业跟踪不到位" in page and "重点评价报告.pdf" in page
    assert _post(jxk, f"/tasks/{review_id}", {"accepted": "true", "opinion": "通过"}).status_code == 302

    head = browser("rsj_head")
    feedback_id = flow.head.task_named("department_feedback", instance_id=flow.instance_id)["id"]
    assert "逾期未反馈的，视为无异议" in head.get(f"/tasks/{feedback_id}").get_data(as_text=True)
    refused = _post(head, f"/tasks/{feedback_id}", {"objection": "true", "opinion": ""})
    assert refused.status_code == 422 and "有异议时请写明异议内容及理由" in refused.get_data(as_text=True)
    assert _post(head, f"/tasks/{feedback_id}", {"objection": "false"}).status_code == 302

    final_id = flow.jxk.task_named("finalise", instance_id=flow.instance_id)["id"]
    assert _post(jxk, f"/tasks/{final_id}", {"final_score": "", "opinion": "同意"}).status_code == 302
    result = head.get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    assert "99.50 · 优" in result and "下载评价报告（PDF）" in result
    assert "按评价发现的问题下达整改通知" not in result                         # the performance section's button

    page = jxk.get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    assert "按评价发现的问题下达整改通知（1 条）" in page
    deadline = (date.today() + timedelta(days=30)).isoformat()
    opened = _post(jxk, f"/key-evaluations/{flow.id}/rectification", {"deadline": deadline})
    assert opened.status_code == 302
    page = jxk.get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    assert "已下达整改通知" in page and "按评价发现的问题下达整改通知" not in page
    assert re.search(r'href="/rectifications/\d+"', page)


def test_another_agency_gets_404_on_the_pages(app, api, browser):
    from workflow_app.services.demo import DEMO_PASSWORD
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("agency2", DEMO_PASSWORD, ["third_party"], None, "另一家评估公司")
        db.session.commit()
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    other = browser("agency2")
    assert other.get(f"/key-evaluations/{flow.id}").status_code == 404
    assert other.get(f"/key-evaluations/{flow.id}/report.pdf").status_code == 404
    assert other.get(f"/instances/{flow.instance_id}").status_code == 404
    task_id = flow.agency.task_named("agency_score", instance_id=flow.instance_id)["id"]
    assert other.get(f"/tasks/{task_id}").status_code == 404
    assert "城乡居民就业技能培训补贴" not in other.get("/key-evaluations").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in browser("thirdparty").get("/key-evaluations").get_data(as_text=True)


def test_the_department_page_withholds_the_agencys_draft(app, api, browser):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    flow.score(lost={"资金到位率": 2})
    head = browser("rsj_head")
    page = head.get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    assert "审核通过后向被评价部门公开" in page and "培训后就业跟踪不到位" not in page and "98.00" not in page
    assert "下载评价报告（PDF）" not in page
    assert head.get(f"/key-evaluations/{flow.id}/report.pdf").status_code == 302
    assert "培训后就业跟踪不到位" in browser("jxk").get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    flow.accept()
    page = head.get(f"/key-evaluations/{flow.id}").get_data(as_text=True)
    assert "培训后就业跟踪不到位" in page and "98.00" in page


def test_the_project_page_links_its_key_evaluation(app, api, browser):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    assert "财政重点评价" not in browser("rsj_filer").get(f"/projects/{flow.project_id}").get_data(as_text=True)
    flow.through()
    page = browser("rsj_filer").get(f"/projects/{flow.project_id}").get_data(as_text=True)
    assert "财政重点评价" in page and f'href="/key-evaluations/{flow.id}"' in page and "100.00 · 优" in page
