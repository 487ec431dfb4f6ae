"""信息公开 of the evaluation reports, end to end: a finished key evaluation report and a confirmed whole-department
self-evaluation report come onto the performance section's /disclosure list, stay off /public until marked 公开,
are then listed, searchable and downloadable as PDF by anyone (no login), and disappear again when marked 不公开
(with its reason). The published key evaluation report leaves out the department's objection (section 七)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from flask import render_template

from workflow_app.extensions import db
from workflow_app.models import KeyEvaluation
from workflow_app.services import key_evaluation_report

from .conftest import csrf_from
from .department_performance_flow import LAST_YEAR, DepartmentFlow, evaluation
from .disclosure_flow import (DEPARTMENT_TITLE, EVALUATED, EVALUATED_NAME, EVALUATION_TITLE, OBJECTION,
                              finished_key_evaluation)


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def public_titles(app, api, **query) -> list[str]:
    """What the public finds, through the API and on the /public page (both without logging in)."""
    items = api().get("/api/v1/public/documents", query_string=query)
    assert items.status_code == 200
    titles = [i["title"] for i in items.get_json()["items"]]
    page = app.test_client().get("/public", query_string=query).get_data(as_text=True)
    assert all(title in page for title in titles)
    assert all(title in titles for title in (EVALUATION_TITLE, DEPARTMENT_TITLE) if title in page)
    return titles


def downloads(app, api, kind: str, object_id: int) -> tuple[int, int, bytes]:
    """The public PDF through the API and the page (no login): both status codes and the page's file."""
    by_api = api().get(f"/api/v1/public/documents/{kind}/{object_id}.pdf")
    by_page = app.test_client().get(f"/public/{kind}/{object_id}.pdf")
    return by_api.status_code, by_page.status_code, by_page.data


def test_a_key_evaluation_report_is_published_without_the_objection_and_withdrawn(app, api, browser, tmp_path):
    kind = "key_evaluation_report"
    evaluation_id = finished_key_evaluation(app, api)         # the department objected
    page = browser("jxk")
    listing = page.get(f"/disclosure?kind={kind}").get_data(as_text=True)
    assert EVALUATION_TITLE in listing and "待定" in listing
    listed = api("jxk").get(f"/api/v1/publications?kind={kind}&year={LAST_YEAR}").get_json()["items"]
    assert [(i["id"], i["state"], i["code"]) for i in listed] == [(evaluation_id, "pending", EVALUATED)]

    # not public before the decision: not listed, not found, not downloadable
    assert EVALUATION_TITLE not in public_titles(app, api)
    assert public_titles(app, api, q=EVALUATED_NAME) == []
    assert downloads(app, api, kind, evaluation_id)[:2] == (404, 404)

    done = page.post(f"/disclosure/{kind}/{evaluation_id}", data={"csrf_token": csrf_from(listing), "published": "1"})
    assert done.status_code == 302
    assert "已公开" in page.get(f"/disclosure?kind={kind}").get_data(as_text=True)

    assert public_titles(app, api) == [EVALUATION_TITLE]
    assert public_titles(app, api, q="岗位开发") == [EVALUATION_TITLE]          # by name
    assert public_titles(app, api, q=EVALUATED) == [EVALUATION_TITLE]         # by code
    assert public_titles(app, api, year=LAST_YEAR, department="rsj", kind=kind) == [EVALUATION_TITLE]
    assert public_titles(app, api, department="slj") == []
    by_api, by_page, data = downloads(app, api, kind, evaluation_id)
    assert (by_api, by_page) == (200, 200) and data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert EVALUATED_NAME in text and "重点绩效评价报告" in text and "92.5" in text
        assert OBJECTION not in text and "七、其他需要说明的问题" not in text

    # the published report is the internal one without section 七 (which does carry the objection)
    with app.test_request_context():
        published = key_evaluation_report.published_html(evaluation_id)
        internal = render_template(key_evaluation_report.TEMPLATE,
                                   **key_evaluation_report.context(db.session.get(KeyEvaluation, evaluation_id)))
        db.session.remove()
    assert OBJECTION in internal and "七、其他需要说明的问题" in internal
    assert OBJECTION not in published and EVALUATED_NAME in published

    # 不公开 needs a reason; with it the report is gone from the public again
    jxk = api("jxk")
    refused = jxk.put(f"/api/v1/publications/{kind}/{evaluation_id}", json={"published": False, "reason": ""})
    assert refused.status_code == 422 and public_titles(app, api) == [EVALUATION_TITLE]
    withdrawn = jxk.put(f"/api/v1/publications/{kind}/{evaluation_id}",
                        json={"published": False, "reason": "评价涉及个人补助信息"})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "withheld"
    assert public_titles(app, api) == [] and public_titles(app, api, q=EVALUATED_NAME) == []
    assert downloads(app, api, kind, evaluation_id)[:2] == (404, 404)


def test_a_department_self_evaluation_report_is_published_once_confirmed_and_withdrawn(app, api, browser, tmp_path):
    kind = "department_performance_report"
    flow = DepartmentFlow(api, "rsj")
    flow.start(["rsj"])
    flow.approve_goals()
    flow.year_over(app)
    flow.do(flow.filer, "dept_self_evaluate", evaluation())
    flow.do(flow.head, "dept_evaluation_signoff", {"approved": True, "opinion": "同意报送"})
    # awaiting the performance section's confirmation: nothing to publish yet
    assert DEPARTMENT_TITLE not in browser("jxk").get("/disclosure").get_data(as_text=True)
    flow.do(flow.jxk, "confirm_dept_evaluation", {"approved": True, "opinion": "确认"})
    case_id = flow.case["id"]

    page = browser("jxk")
    listing = page.get(f"/disclosure?year={LAST_YEAR}").get_data(as_text=True)
    assert DEPARTMENT_TITLE in listing and "待定" in listing
    assert DEPARTMENT_TITLE not in public_titles(app, api)
    assert downloads(app, api, kind, case_id)[:2] == (404, 404)

    # the department publishes its own report
    published = api("rsj_filer").put(f"/api/v1/publications/{kind}/{case_id}", json={"published": True})
    assert published.status_code == 200 and published.get_json()["state"] == "published"
    assert api("slj_filer").put(f"/api/v1/publications/{kind}/{case_id}", json={"published": False,
                                                                                 "reason": "x"}).status_code == 404
    assert public_titles(app, api) == [DEPARTMENT_TITLE]
    assert public_titles(app, api, q="部门整体绩效") == [DEPARTMENT_TITLE]
    assert public_titles(app, api, year=LAST_YEAR, kind=kind) == [DEPARTMENT_TITLE]
    assert public_titles(app, api, year=LAST_YEAR - 1) == []
    by_api, by_page, data = downloads(app, api, kind, case_id)
    assert (by_api, by_page) == (200, 200) and data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert "部门整体绩效自评报告" in text and "县人力资源和社会保障局" in text and "一、基本情况" in text

    # 不公开 on the page: the reason is required, then the report disappears again
    token = csrf_from(page.get("/disclosure").get_data(as_text=True))
    refused = page.post(f"/disclosure/{kind}/{case_id}", data={"csrf_token": token, "published": "0", "reason": ""})
    assert refused.status_code == 422 and "不公开须填写原因" in refused.get_data(as_text=True)
    assert public_titles(app, api) == [DEPARTMENT_TITLE]
    withdrawn = page.post(f"/disclosure/{kind}/{case_id}",
                          data={"csrf_token": token, "published": "0", "reason": "含涉密单位人员信息"})
    assert withdrawn.status_code == 302
    assert "含涉密单位人员信息" in page.get("/disclosure").get_data(as_text=True)
    assert public_titles(app, api) == [] and public_titles(app, api, q="部门整体绩效") == []
    assert downloads(app, api, kind, case_id)[:2] == (404, 404)
