"""单位自评 through the pages: the 自评表 task page with its live breakdown markup, a refused table shown again
with the row's error, the head's sign-off page, the round and the draw on the list page, finance's re-check form."""
from __future__ import annotations

import re

from .conftest import csrf_from
from .helpers import RSJ, project_id
from .self_evaluation_flow import YEAR, SelfEvaluationFlow, approve_goals


def _post(client, url: str, data: dict, **kw):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def _rows(values: list[dict[str, str]]) -> dict[str, str]:
    return {f"rows-{i}-{k}": v for i, row in enumerate(values) for k, v in row.items()}


def test_the_department_fills_and_signs_off_in_the_pages(app, api, browser):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    jxk = browser("jxk")
    started = _post(jxk, "/self-evaluation-rounds", {"fiscal_year": str(YEAR), "min_amount": "0"})
    assert started.status_code == 302
    listing = jxk.get(f"/self-evaluations?year={YEAR}").get_data(as_text=True)
    assert "已发起 2027 年度自评：新增 1 个项目" in listing and RSJ in listing and "填报中" in listing
    filer = browser("rsj_filer")
    task_id = SelfEvaluationFlow(api).filer.task_named("fill_evaluation", project_id=rsj)["id"]
    page = filer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "data-evaluation-form" in page and page.count("data-eval-row") == 4
    assert "/static/js/evaluation-scoring.js" in page and "<script>" not in page and "style=" not in page
    assert 'data-target="3000"' in page and "全年开展就业技能培训3000人次" in page
    # 2800 trained without a cause: the same page again, with the row's message and what was typed.
    rows = [{"actual": "2800", "cause": ""}, {"actual": "92", "cause": ""},
            {"level": "达成", "share": "90", "actual": "明显", "cause": ""}, {"actual": "95", "cause": ""}]
    form = {"annual_budget": "300", "executed": "285", "overall_actual": "完成培训2800人次", "problems": "场地不足"}
    refused = _post(filer, f"/tasks/{task_id}", {**form, **_rows(rows)})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "须填写偏差原因分析及改进措施" in text and "第1行“培训人次”" in text and 'value="2800"' in text
    rows[0]["cause"] = "两个乡镇延期开班"
    done = _post(filer, f"/tasks/{task_id}", {**form, **_rows(rows)})
    assert done.status_code == 302
    head = browser("rsj_head")
    signoff_id = SelfEvaluationFlow(api).head.task_named("evaluation_signoff", project_id=rsj)["id"]
    page = head.get(f"/tasks/{signoff_id}").get_data(as_text=True)
    assert "94.28" in page and "两个乡镇延期开班" in page and "31.11" in page
    assert _post(head, f"/tasks/{signoff_id}", {"approved": "true", "opinion": "同意"}).status_code == 302
    detail_url = re.search(r'href="(/self-evaluations/\d+)"', jxk.get(f"/self-evaluations?year={YEAR}")
                           .get_data(as_text=True)).group(1)
    detail = filer.get(detail_url).get_data(as_text=True)
    assert "已报送财政" in detail and "94.28" in detail and "recheck-form" not in detail
    assert browser("slj_filer").get(detail_url).status_code == 404
    project_page = filer.get(f"/projects/{rsj}").get_data(as_text=True)
    assert "自评 94.28 分" in project_page and "2028年预算：" in project_page and "优先保障" in project_page


def test_finance_draws_and_rechecks_in_the_pages(app, api, browser):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    evaluation = flow.submit(rsj)
    jxk = browser("jxk")
    drawn = _post(jxk, f"/self-evaluation-rounds/{evaluation['round_id']}/sample", {"seed": "s1", "count": "1"})
    assert drawn.status_code == 302
    assert "已抽取 1 份随机样本" in jxk.get(drawn.headers["Location"]).get_data(as_text=True)
    url = f"/self-evaluations/{evaluation['id']}"
    page = jxk.get(url).get_data(as_text=True)
    assert 'id="recheck-form"' in page and "随机抽取" in page
    rows = [{"actual": "2400"}, {"actual": "85"}, {"level": "部分达成", "share": "70"}, {"actual": "80"}]
    refused = _post(jxk, f"{url}/recheck", {"executed": "", **_rows(rows)})
    assert refused.status_code == 422 and 'value="2400"' in refused.get_data(as_text=True)
    assert flow.evaluation(rsj)["recheck_score"] is None
    done = _post(jxk, f"{url}/recheck", {"executed": "240", "opinion": "满意度样本不足", "findings": "", **_rows(rows)})
    assert done.status_code == 302
    page = jxk.get(url).get_data(as_text=True)
    assert "复核得分 80.29（良）" in page and "差异 19.21 分" in page
    quality = jxk.get(f"/self-evaluation-quality?year={YEAR}").get_data(as_text=True)
    assert "县人力资源和社会保障局" in quality and "19.21" in quality
    assert browser("rsj_filer").get(f"/self-evaluation-quality?year={YEAR}").status_code == 403
