"""The 项目支出绩效自评表 PDF (财预〔2020〕10号 附件1): printed from the stored self-evaluation, with finance's re-check
beside it once there is one; a draft prints with a 草稿 watermark, an unfilled table has nothing to print (409);
whoever may read the evaluation may download it, another department gets 404."""
from __future__ import annotations

import os
from datetime import date, timedelta
import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import RSJ, project_id
from .self_evaluation_flow import YEAR, SelfEvaluationFlow, approve_goals, fill_data
from .test_self_evaluation_recheck import finance_rows, two_submitted


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """The PDF's text without whitespace (table cells wrap), or None where poppler's pdftotext is missing."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(text.split())


def _keep(data: bytes, name: str) -> None:
    """SELF_EVALUATION_PDF_DIR=/some/dir keeps the printed forms to look at (pdftoppm -r 60 …)."""
    folder = os.environ.get("SELF_EVALUATION_PDF_DIR")
    if folder:
        Path(folder, name).write_bytes(data)


def _pdf(client, evaluation_id: int):
    response = client.get(f"/api/v1/self-evaluations/{evaluation_id}/form.pdf")
    if response.status_code == 200:
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return response


def _money(value) -> str:
    return f"{value:.2f}"


def test_the_submitted_form_prints_every_indicator_with_the_stored_scores(app, api, browser, tmp_path):
    flow, honest, _ = two_submitted(app, api)
    response = _pdf(api("rsj_filer"), honest["id"])
    assert response.status_code == 200, response.get_json()
    assert "attachment" in response.headers["Content-Disposition"]
    _keep(response.data, "submitted.pdf")
    text = pdf_text(response.data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "项目支出绩效自评表" in text and f"（{YEAR}年度）" in text and "草稿" not in text
    assert honest["project"]["name"] in text
    for label in ("年初预算数", "全年预算数", "全年执行数", "执行率", "年度资金总额", "预期目标", "实际完成情况",
                  "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "偏差原因分析及改进措施", "总分"):
        assert label in text, label
    breakdown = honest["breakdown"]
    for row, scored in zip(honest["rows"], breakdown["rows"]):
        assert "".join(row["name"].split()) in text
        assert _money(scored["points"]) in text and _money(scored["score"]) in text
    assert "两个乡镇延期开班" in text                                         # the deviation cause of row 1
    # 预算执行率: 285 of 300 = 95.00 %, 9.50 of its 10 points, as stored.
    assert "95.00%" in text and _money(breakdown["execution_score"]) == "9.50" and "9.50" in text
    assert "285.00" in text and "300.00" in text
    assert "100.00" in text and _money(honest["score"]) in text and f"自评等级：{honest['grade']}" in text
    assert "财政复核" not in text                                              # not drawn
    # Whoever may read the evaluation; another department (and nobody logged in) not.
    for username in ("jxk", "rsj_head", "supervisor"):
        assert _pdf(api(username), honest["id"]).status_code == 200, username
    missing = api("slj_filer").get(f"/api/v1/self-evaluations/{honest['id']}/form.pdf")
    assert missing.status_code == 404 and missing.get_json()["message"] == "自评表不存在"
    assert api().get(f"/api/v1/self-evaluations/{honest['id']}/form.pdf").status_code == 401
    # The pages: the link on the table's page, the download, 404 for another department.
    page = browser("rsj_filer").get(f"/self-evaluations/{honest['id']}").get_data(as_text=True)
    assert f'href="/self-evaluations/{honest["id"]}/form.pdf"' in page
    download = browser("rsj_filer").get(f"/self-evaluations/{honest['id']}/form.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert browser("slj_filer").get(f"/self-evaluations/{honest['id']}/form.pdf").status_code == 404


def test_the_rechecked_form_carries_finances_score_grade_and_opinion(app, api, tmp_path):
    flow, honest, uncritical = two_submitted(app, api)
    flow.jxk.post(f"/api/v1/self-evaluation-rounds/{honest['round_id']}/sample", json={"seed": "s", "count": 0})
    body = {"executed": 240, "rows": finance_rows(), "opinion": "满意度调查样本不足，培训人次含重复统计。",
            "findings": ["培训人次重复统计"], "deadline": (date.today() + timedelta(days=60)).isoformat()}
    answer = flow.jxk.post(f"/api/v1/self-evaluations/{uncritical['id']}/recheck", json=body)
    assert answer.status_code == 200, answer.get_json()
    rechecked = answer.get_json()
    response = _pdf(api("slj_head"), uncritical["id"])
    assert response.status_code == 200
    _keep(response.data, "rechecked.pdf")
    text = pdf_text(response.data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "财政复核情况" in text and "自评满分且未反映问题" in text              # why it was re-checked
    assert f"自评等级：{uncritical['grade']}" in text and _money(uncritical["score"]) in text
    assert _money(rechecked["recheck_score"]) in text and rechecked["recheck_grade"] == "良"
    assert f"差异{_money(rechecked['score_gap'])}分" in text
    for scored in rechecked["recheck_breakdown"]["rows"]:
        assert _money(scored["score"]) in text
    assert "240.00" in text and "80.00%" in text                               # finance's 执行数 and 执行率
    assert "满意度调查样本不足，培训人次含重复统计。" in text and "培训人次重复统计" in text
    assert "部分达成（70%）" in text                                            # finance's qualitative judgement


def test_a_draft_prints_with_a_watermark_and_an_unfilled_one_not_at_all(app, api, browser, tmp_path):
    pid = project_id(app, RSJ)
    approve_goals(api, pid)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    evaluation = flow.evaluation(pid, client=flow.filer)
    url = f"/api/v1/self-evaluations/{evaluation['id']}/form.pdf"
    refused = flow.filer.get(url)
    assert refused.status_code == 409 and "尚未填报" in refused.get_json()["message"]
    page = browser("rsj_filer")
    back = page.get(f"/self-evaluations/{evaluation['id']}/form.pdf")
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/self-evaluations/{evaluation['id']}")
    assert "尚未填报" in page.get(back.headers["Location"]).get_data(as_text=True)
    flow.fill(pid, fill_data())                               # with the head now: scored, not submitted
    task = flow.head.task_named("evaluation_signoff", project_id=pid)   # the head reads it before signing off
    signoff_page = browser("rsj_head").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert f'href="/self-evaluations/{evaluation["id"]}/form.pdf"' in signoff_page
    response = _pdf(flow.head, evaluation["id"])
    assert response.status_code == 200
    _keep(response.data, "draft.pdf")
    text = pdf_text(response.data, tmp_path)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "草稿" in text and "尚未报送财政" in text and "待部门负责人审核" in text
    signing = flow.evaluation(pid, client=flow.head)
    assert _money(signing["score"]) in text and f"自评等级：{signing['grade']}" in text
    flow.signoff(pid)
    text = pdf_text(_pdf(flow.head, evaluation["id"]).data, tmp_path)
    assert "草稿" not in text
