"""The 重点评价报告 PDF: the 10号 outline generated from the evaluation's data, with the CJK font embedded."""
from __future__ import annotations

import pytest
from flask import render_template

from workflow_app.extensions import db
from workflow_app.models import KeyEvaluation
from workflow_app.services import key_evaluation, key_evaluation_report, pdf

from .helpers import RSJ, project_id
from .key_evaluation_flow import KeyEvaluationFlow, approve_goals

OUTLINE = ("一、基本情况", "二、评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析",
           "五、主要经验及做法、存在的问题及原因分析", "六、有关建议")


def _finished(app, api, **finalise) -> KeyEvaluationFlow:
    pid = project_id(app, RSJ)
    approve_goals(api, pid)
    flow = KeyEvaluationFlow(api, pid)
    flow.commission()
    flow.score(lost={"实际完成率": 4, "社会效益": 3.5})
    flow.accept()
    flow.do(flow.head, "department_feedback", {"objection": True, "opinion": "完成率统计口径有误"})
    flow.finalise(**finalise)
    return flow


def test_the_report_html_follows_the_10hao_outline_with_the_score_table(app, api):
    flow = _finished(app, api)
    with app.test_request_context():
        e = db.session.get(KeyEvaluation, flow.id)
        html = render_template(key_evaluation_report.TEMPLATE, **key_evaluation_report.context(e))
    positions = [html.index(heading) for heading in OUTLINE]
    assert positions == sorted(positions)
    assert "城乡居民就业技能培训补贴" in html and "某会计师事务所" in html
    assert "全年开展就业技能培训3000人次" in html                     # the approved goal
    assert "培训人次" in html                                          # a goal indicator
    assert "资金拨付进度偏慢" in html and "加强培训后就业跟踪服务" in html
    assert "“实际完成率”扣4分" in html                               # 四、指标分析 names what lost points
    assert "综合评价得分 <span class=\"grade\">92.50</span>" in html and ">优</span>" in html
    assert "产出小计" in html and "完成率统计口径有误" in html           # 七: the department's objection


def test_the_report_is_a_pdf_with_the_cjk_font_and_the_project_name(app, api):
    flow = _finished(app, api)
    with app.test_request_context():
        e = db.session.get(KeyEvaluation, flow.id)
        html = render_template(key_evaluation_report.TEMPLATE, **key_evaluation_report.context(e))
        try:
            data = pdf.html_to_pdf(html, compress=False)
        except OSError as exc:  # Pango missing: the README's set-up installs it
            pytest.skip(f"Pango is not installed: {exc}")
    assert data.startswith(b"%PDF-")
    assert b"FontFile" in data and b"Noto-Sans-CJK-SC" in data
    # The project name is in the PDF as text: the first bookmark (the title) carries it in UTF-16 hex.
    assert "城乡居民就业技能培训补贴".encode("utf-16-be").hex().encode() in data


def test_the_report_downloads_for_whom_may_read_the_evaluation(app, api, browser):
    flow = _finished(app, api)
    for username in ("jxk", "rsj_head", "thirdparty", "supervisor"):
        response = api(username).get(f"/api/v1/key-evaluations/{flow.id}/report.pdf")
        assert response.status_code == 200, username
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert api("slj_filer").get(f"/api/v1/key-evaluations/{flow.id}/report.pdf").status_code == 404
    page = browser("rsj_filer").get(f"/key-evaluations/{flow.id}/report.pdf")
    assert page.status_code == 200 and page.data.startswith(b"%PDF-")
    assert browser("slj_filer").get(f"/key-evaluations/{flow.id}/report.pdf").status_code == 404


def test_the_published_report_leaves_out_the_departments_internal_objection(app, api):
    flow = _finished(app, api)
    with app.test_request_context():
        e = db.session.get(KeyEvaluation, flow.id)
        html = render_template(key_evaluation_report.TEMPLATE, **key_evaluation_report.context(e, published=True))
        assert "完成率统计口径有误" not in html and "六、有关建议" in html
        assert [x.id for x in key_evaluation.finished_evaluations(2027)] == [flow.id]
        assert key_evaluation.finished_evaluations(2026) == []
        assert key_evaluation_report.published_report_pdf(e).startswith(b"%PDF-")


def test_an_unfinished_evaluation_is_not_published(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    flow.commission()
    with app.test_request_context():
        e = db.session.get(KeyEvaluation, flow.id)
        with pytest.raises(ValueError):
            key_evaluation_report.published_report_pdf(e)
        assert key_evaluation.finished_evaluations() == []
