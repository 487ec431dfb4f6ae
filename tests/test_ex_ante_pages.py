"""事前绩效评估 through the pages: the project page's start button and block, every step's page, the material
uploads, a refused form shown again with its errors, the list, the assessment page and the goal review's gate."""
from __future__ import annotations

import io
import re

from .conftest import csrf_from
from .ex_ante_flow import ExAnteFlow, dimension_grades, new_project, sub_grades

PDF = b"%PDF-1.4\n%ex-ante pages\n"


def _post(client, url: str, data: dict, **kw):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def _task_id(location: str) -> int:
    match = re.search(r"/tasks/(\d+)$", location)
    assert match, location
    return int(match.group(1))


def _flat(prefix: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}-{k}": v for k, v in values.items()}


def test_the_whole_assessment_through_the_pages(app, api, browser):
    pid = new_project(api)
    filer, head, jxk = browser("rsj_filer"), browser("rsj_head"), browser("jxk")
    project_page = filer.get(f"/projects/{pid}").get_data(as_text=True)
    assert "发起事前绩效评估" in project_page and "未评估" in project_page
    assert "新增重大项目须经事前绩效评估" in project_page
    assert "发起事前绩效评估" not in head.get(f"/projects/{pid}").get_data(as_text=True)   # the filer registers

    # start: straight to the registration step, with its upload form beside the task form
    started = _post(filer, f"/projects/{pid}/ex-ante", {})
    assert started.status_code == 302
    register_id = _task_id(started.headers["Location"])
    page = filer.get(f"/tasks/{register_id}").get_data(as_text=True)
    assert "上传评估材料" in page and "尚缺：事前绩效评估申报书、实施方案、可行性研究报告、预算明细及测算说明" in page
    assert "<script>" not in page and "style=" not in page
    assessment_id = int(re.search(r'action="/ex-ante/(\d+)/materials"', page).group(1))

    # submitting without the pack is refused, with everything typed kept
    refused = _post(filer, f"/tasks/{register_id}", {"item_kind": "project", "basis": "new", "summary": "零就业家庭援助"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "材料不全" in text and "零就业家庭援助" in text
    for kind in ("application", "plan", "feasibility", "budget_detail"):
        uploaded = _post(filer, f"/ex-ante/{assessment_id}/materials",
                         {"kind": kind, "file": (io.BytesIO(PDF), f"{kind}.pdf")}, content_type="multipart/form-data")
        assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith(f"/tasks/{register_id}")
    bad = _post(filer, f"/ex-ante/{assessment_id}/materials", {"kind": "plan", "file": (io.BytesIO(b"MZ\x90"), "x.exe")},
                content_type="multipart/form-data")
    assert bad.status_code == 302
    page = filer.get(f"/tasks/{register_id}").get_data(as_text=True)
    assert "未上传" in page and "尚缺" not in page and "budget_detail.pdf" in page
    done = _post(filer, f"/tasks/{register_id}", {"item_kind": "project", "basis": "new", "summary": "零就业家庭援助"})
    assert done.status_code == 302

    # self-assessment: the five dimension grades and the report
    self_id = _task_id(done.headers["Location"])
    page = filer.get(f"/tasks/{self_id}").get_data(as_text=True)
    assert 'name="grades-necessity"' in page and "立项必要性" in page
    refused = _post(filer, f"/tasks/{self_id}", {**_flat("grades", dimension_grades("优")), "report": ""})
    assert refused.status_code == 422
    assert _post(filer, f"/tasks/{self_id}", {**_flat("grades", dimension_grades("优")),
                                              "report": "评估报告正文"}).status_code == 302

    flow = ExAnteFlow(api, pid)
    flow.assessment = api("jxk").get(f"/api/v1/ex-ante/{assessment_id}").get_json()
    signoff = flow.task(flow.head, "head_signoff")
    page = head.get(f"/tasks/{signoff['id']}").get_data(as_text=True)
    assert "部门评估报告" in page and "评估报告正文" in page and "application.pdf" in page
    assert _post(head, f"/tasks/{signoff['id']}", {"approved": "true", "opinion": "同意"}).status_code == 302

    organize = flow.task(flow.jxk, "organize_review")
    page = jxk.get(f"/tasks/{organize['id']}").get_data(as_text=True)
    assert "委托第三方机构独立评估" in page
    assert _post(jxk, f"/tasks/{organize['id']}", {"materials_complete": "true", "use_third_party": "y",
                                                   "opinion": "材料齐全"}).status_code == 302

    finance = flow.task(flow.finance, "finance_review")
    sbk = browser("sbk")
    assert "建议结论" in sbk.get(f"/tasks/{finance['id']}").get_data(as_text=True)
    assert _post(sbk, f"/tasks/{finance['id']}", {"recommendation": "support", "opinion": "同意"}).status_code == 302
    for expert in flow.experts():
        page_client = browser(expert)
        task = flow.task(api(expert), "expert_review")
        assert 'name="grades-funding"' in page_client.get(f"/tasks/{task['id']}").get_data(as_text=True)
        assert _post(page_client, f"/tasks/{task['id']}", {**_flat("grades", dimension_grades("良")),
                                                           "recommendation": "support", "opinion": "可行"}).status_code == 302
    third = browser("thirdparty")
    report = flow.task(flow.third, "third_party_report")
    assert "第三方评估报告" in third.get(f"/tasks/{report['id']}").get_data(as_text=True)
    assert _post(third, f"/tasks/{report['id']}", {**_flat("grades", dimension_grades("良")),
                                                   "recommendation": "partial", "opinion": "报告"}).status_code == 302
    check = flow.task(flow.jxk, "third_party_check")
    assert _post(jxk, f"/tasks/{check['id']}", {"accepted": "true", "opinion": "采信"}).status_code == 302

    # scoring: the rule is on the page; a 部分支持 without conditions comes back with the error
    score = flow.task(flow.jxk, "score_review")
    page = jxk.get(f"/tasks/{score['id']}").get_data(as_text=True)
    assert "评分规则" in page and "优 100%" in page and "80 分及以上予以支持" in page
    assert 'name="sub_grades-necessity_relevance"' in page
    form = {**_flat("sub_grades", sub_grades("中")), "opinion": "综合意见", "conditions": ""}
    refused = _post(jxk, f"/tasks/{score['id']}", form)
    assert refused.status_code == 422 and "请写明支持条件" in refused.get_data(as_text=True)
    assert _post(jxk, f"/tasks/{score['id']}", {**form, "conditions": "压减场地费用"}).status_code == 302

    # the conclusion on the list, the assessment page, the project page; the report file
    listing = jxk.get("/ex-ante").get_data(as_text=True)
    assert "2028-RSJ-101" in listing and "部分支持" in listing and "60.00" in listing
    detail = filer.get(f"/ex-ante/{assessment_id}").get_data(as_text=True)
    assert 'data-ex-ante-conclusion="partial"' in detail and "压减场地费用" in detail and "下载评估报告" in detail
    assert filer.get(f"/ex-ante/{assessment_id}/report.xlsx").status_code == 200
    project_page = filer.get(f"/projects/{pid}").get_data(as_text=True)
    assert 'data-project-ex-ante="partial"' in project_page and 'name="acknowledge_conditions"' in project_page

    # the goal review's gate: the conditions must be acknowledged
    refused = _post(filer, f"/projects/{pid}/goal-review", {})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/projects/{pid}")
    assert "请先确认已按支持条件调整完善" in filer.get(f"/projects/{pid}").get_data(as_text=True)
    started = _post(filer, f"/projects/{pid}/goal-review", {"acknowledge_conditions": "true"})
    assert started.status_code == 302 and "/tasks/" in started.headers["Location"]


def test_pages_refuse_what_the_user_may_not_do(app, api, browser):
    pid = new_project(api)
    flow = ExAnteFlow(api, pid)
    flow.start()
    other = browser("slj_filer")
    assert other.get(f"/ex-ante/{flow.id}").status_code == 404
    assert _post(other, f"/projects/{pid}/ex-ante", {}).status_code == 404
    assert "2028-RSJ-101" not in other.get("/ex-ante").get_data(as_text=True)
    head = browser("rsj_head")
    refused = _post(head, f"/projects/{pid}/ex-ante", {})
    assert refused.status_code == 302
    assert "只有项目所属部门的填报人" in head.get(f"/projects/{pid}").get_data(as_text=True)
    uploaded = _post(head, f"/ex-ante/{flow.id}/materials", {"kind": "plan", "file": (io.BytesIO(PDF), "p.pdf")},
                     content_type="multipart/form-data")
    assert uploaded.status_code == 302
    assert api("jxk").get(f"/api/v1/ex-ante/{flow.id}").get_json()["materials"] == []
    # the registration page is read-only for the head: no upload form
    register = flow.task(flow.filer, "register_item")
    assert f'action="/ex-ante/{flow.id}/materials"' not in head.get(f"/tasks/{register['id']}").get_data(as_text=True)
