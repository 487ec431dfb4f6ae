"""Issue 13, rectification items through the pages (Flask test client with CSRF):
1 opening a rectification from a page, 2 the plan's measures list, 5 the ledger export, 8 typed text kept on the
report page across uploads and refusals, 11 due dates (截止) of rectification tasks in the inbox and on task pages."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import openpyxl
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, HumanTask, Rectification, RectificationRecord

from .conftest import csrf_from
from .helpers import RSJ, project_id
from .test_rectification import LOCAL, PDF, Rect, today

MEASURE_INPUT = re.compile(r'<input[^>]*name="measures-(\d+)"[^>]*>')


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# -- 1. opening a rectification from a page ----------------------------------------------------------------
def test_performance_section_opens_a_rectification_from_the_project_page(app, browser):
    jxk = browser("jxk")
    pid = project_id(app, RSJ)
    project_page = jxk.get(f"/projects/{pid}").get_data(as_text=True)
    assert f"/rectifications/new?project_id={pid}" in project_page and "下达整改通知" in project_page
    page = jxk.get(f"/rectifications/new?project_id={pid}").get_data(as_text=True)
    assert "发现的问题" in page and "整改期限" in page and "问题来源" in page
    assert re.search(rf'<option selected value="{pid}">|<option value="{pid}" selected>', page), "project preselected"
    deadline = (today() + timedelta(days=30)).isoformat()
    response = jxk.post("/rectifications/new", data={
        "csrf_token": csrf_from(page), "project_id": str(pid), "findings-0": "绩效目标未细化量化",
        "findings-1": "", "findings-2": "资金支付进度滞后", "deadline": deadline, "source": "monitoring"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        rect = db.session.scalars(select(Rectification)).one()
        assert rect.findings == ["绩效目标未细化量化", "资金支付进度滞后"]   # the empty row is not a finding
        assert (rect.deadline.isoformat(), rect.source, rect.created_by) == (deadline, "monitoring", "jxk")
        assert response.headers["Location"].endswith(f"/rectifications/{rect.id}")
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "rectification_started")) == 1
    detail = jxk.get(response.headers["Location"]).get_data(as_text=True)
    assert "已下达整改通知" in detail and "资金支付进度滞后" in detail and "运行监控" in detail
    # the department finds the plan task in its queue
    inbox = browser("rsj_filer").get("/tasks?scope=group").get_data(as_text=True)
    assert "制定整改方案" in inbox


def test_the_board_opens_a_rectification_with_a_project_picker(app, browser):
    jxk = browser("jxk")
    board = jxk.get("/rectifications").get_data(as_text=True)
    assert 'href="/rectifications/new"' in board
    page = jxk.get("/rectifications/new").get_data(as_text=True)
    assert "请选择项目" in page and "2027-SLJ-001" in page
    pid = project_id(app, "2027-SLJ-001")
    response = jxk.post("/rectifications/new", data={
        "csrf_token": csrf_from(page), "project_id": str(pid), "findings-0": "验收资料缺失",
        "deadline": (today() + timedelta(days=20)).isoformat(), "source": "audit"})
    assert response.status_code == 302
    assert "农村饮水安全巩固提升工程" in browser("supervisor").get("/rectifications").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Rectification.project_id)).one() == pid


def test_refusals_keep_everything_typed_and_save_nothing(app, browser):
    jxk = browser("jxk")
    pid = project_id(app, RSJ)
    page = jxk.get("/rectifications/new").get_data(as_text=True)
    token = csrf_from(page)
    yesterday = (today() - timedelta(days=1)).isoformat()
    # no project chosen
    refused = jxk.post("/rectifications/new", data={
        "csrf_token": token, "project_id": "", "findings-0": "目标不明确", "deadline": yesterday, "source": "audit"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择项目" in html and "目标不明确" in html
    # a deadline in the past; two findings typed with a blank row between them
    refused = jxk.post("/rectifications/new", data={
        "csrf_token": token, "project_id": str(pid), "findings-0": "目标不明确", "findings-1": "",
        "findings-2": "支付滞后", "deadline": yesterday, "source": "audit"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "整改期限不能早于今天" in html
    assert ">目标不明确</textarea>" in html and ">支付滞后</textarea>" in html
    assert f'value="{yesterday}"' in html and re.search(r'<option selected value="audit">', html)
    # no finding at all
    refused = jxk.post("/rectifications/new", data={
        "csrf_token": token, "project_id": str(pid), "findings-0": " ", "deadline": "2099-01-01", "source": "x"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "至少一条问题" in html and "只能是" in html
    assert _count(app, Rectification) == 0
    # without a CSRF token nothing is done
    assert jxk.post("/rectifications/new", data={"project_id": str(pid), "findings-0": "x",
                                                 "deadline": "2099-01-01", "source": "audit"}).status_code == 400
    assert _count(app, Rectification) == 0


def test_only_the_performance_section_sees_the_button_and_the_page(app, browser):
    pid = project_id(app, RSJ)
    for user in ("rsj_filer", "supervisor", "admin", "sbk"):
        client = browser(user)
        assert "/rectifications/new" not in client.get(f"/projects/{pid}").get_data(as_text=True), user
        assert "/rectifications/new" not in client.get("/rectifications").get_data(as_text=True), user
        assert client.get(f"/rectifications/new?project_id={pid}").status_code == 403, user
        assert client.get("/rectifications/new").status_code == 403, user
    # another department's project is not found, as in the API
    assert browser("slj_filer").get(f"/rectifications/new?project_id={pid}").status_code == 404
    assert browser("jxk").get("/rectifications/new?project_id=999999").status_code == 404


# -- 2. the plan's measures ------------------------------------------------------------------------------
def _plan_page(app, api, browser):
    rect = Rect(app, api)
    task = rect.filer.task_named("submit_plan", scope="group", instance_id=rect.instance_id)
    return rect, task, browser("rsj_filer")


def test_three_of_four_measures_are_enough_and_none_is_required_markup(app, api, browser):
    rect, task, filer = _plan_page(app, api, browser)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    inputs = MEASURE_INPUT.findall(page)
    assert inputs == ["0", "1", "2", "3"]
    assert not any("required" in tag for tag in re.findall(r'<input[^>]*name="measures-\d+"[^>]*>', page))
    response = filer.post(f"/tasks/{task['id']}", data={
        "csrf_token": csrf_from(page), "plan": "逐项整改", "measures-0": "细化指标", "measures-1": "加快支付",
        "measures-2": "完善验收", "measures-3": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        plan = db.session.scalars(select(RectificationRecord).where(RectificationRecord.kind == "plan")).one()
        assert plan.items == ["细化指标", "加快支付", "完善验收"]


def test_failed_submits_keep_the_measures_and_do_not_grow_the_list(app, api, browser):
    rect, task, filer = _plan_page(app, api, browser)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "plan": "", "measures-0": "细化指标", "measures-1": "",
            "measures-2": "加快支付", "measures-3": ""}
    for _ in range(3):
        refused = filer.post(f"/tasks/{task['id']}", data=data)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert MEASURE_INPUT.findall(html) == ["0", "1", "2", "3"]      # four rows, every time
        assert 'value="细化指标"' in html and 'value="加快支付"' in html
        assert "措施 4 必填" not in html and "This field is required" not in html
        data = {"csrf_token": csrf_from(html), "plan": "",
                **{f"measures-{i}": v for i, v in enumerate(re.findall(r'name="measures-\d+"[^>]*value="([^"]*)"', html))}}
    # no measure at all: one clear message
    refused = filer.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(html), "plan": "方案",
                                                       "measures-0": "", "measures-1": " "})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "至少填写一条整改措施" in html and re.search(r">\s*方案</textarea>", html)
    assert _count(app, RectificationRecord) == 0


def test_the_api_still_refuses_a_plan_without_measures(app, api):
    rect = Rect(app, api)
    task = rect.filer.task_named("submit_plan", scope="group", instance_id=rect.instance_id)
    response = rect.filer.complete(task["id"], {"plan": "方案", "measures": ["", "  "]})
    assert response.status_code == 422 and response.get_json()["fields"]["measures"] == ["至少填写一条整改措施"]


# -- 5. the ledger -----------------------------------------------------------------------------------------
def test_ledger_from_the_board_without_a_year_one_row_per_rectification_with_date_cells(app, api, browser):
    rect = Rect(app, api, findings=["目标不明确", "支付滞后"])
    rect.plan_accepted()
    rect.do(rect.filer, "report_progress", {"progress": "两项均已整改", "evidence": [], "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
    rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": 12.5})
    jxk = browser("jxk")
    board = jxk.get("/rectifications").get_data(as_text=True)
    link = re.search(r'href="(/rectifications/ledger\.xlsx[^"]*)"', board)
    assert link and "导出整改台账" in board                     # there without typing a year
    export = jxk.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and export.data[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    headers = [c.value for c in sheet[3]]
    assert "整改措施" in headers and "完成情况" in headers
    body = list(sheet.iter_rows(min_row=4))
    assert len(body) == 1                                       # one row, not one per finding
    cell = {h: c for h, c in zip(headers, body[0])}
    assert cell["问题描述"].value == "1. 目标不明确\n2. 支付滞后"
    assert cell["整改措施"].value == "1. 细化指标\n2. 加快支付"
    assert cell["完成情况"].value == "已完成：两项均已整改"
    amounts = [row[headers.index("收回存量资金（万元）")].value for row in body]
    assert sum(a or 0 for a in amounts) == 12.5                # summing the column gives the amount once
    deadline = cell["整改期限"]
    assert isinstance(deadline.value, datetime) and deadline.value.date() == today() + timedelta(days=10)
    assert deadline.number_format == "yyyy-mm-dd"
    assert cell["办结日期"].is_date and cell["办结日期"].number_format == "yyyy-mm-dd"
    # the year select of the board exports that year
    year = rect.jxk.get(f"/api/v1/projects/{rect.project_id}").get_json()["fiscal_year"]
    board = jxk.get(f"/rectifications?year={year}").get_data(as_text=True)
    assert f'<option value="{year}" selected>' in board and f"ledger.xlsx?year={year}" in board
    assert jxk.get(f"/rectifications/ledger.xlsx?year={year - 1}").status_code == 200


# -- 8. the report page keeps what is typed ---------------------------------------------------------------
def _report_page(app, api, browser):
    rect = Rect(app, api)
    rect.plan_accepted()
    task = rect.filer.task_named("report_progress", instance_id=rect.instance_id)
    return rect, task, browser("rsj_filer")


def test_uploading_evidence_keeps_the_typed_report(app, api, browser):
    rect, task, filer = _report_page(app, api, browser)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    uploaded = filer.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "progress": "已完成指标细化，支付进度已达80%", "done": "false",
        "upload": "1", "file": (io.BytesIO(PDF), "验收报告.pdf")})
    html = uploaded.get_data(as_text=True)
    assert uploaded.status_code == 200
    assert "已完成指标细化，支付进度已达80%</textarea>" in html
    assert re.search(r'value="false"[^>]*checked|checked[^>]*value="false"', html)
    assert "验收报告.pdf" in html and "已上传" in html
    evidence = re.search(r'name="evidence-0" value="(\d+)"[^>]*checked', html)
    assert evidence, "the new file is ticked"
    # a second file: the first stays ticked as the user left it, the text stays
    second = filer.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(html), "progress": "已完成指标细化，支付进度已达80%", "done": "true",
        "evidence-0": evidence.group(1), "upload": "1", "file": (io.BytesIO(PDF), "支付凭证.pdf")})
    html = second.get_data(as_text=True)
    assert len(re.findall(r'name="evidence-\d+" value="\d+"[^>]*checked', html)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RectificationRecord).where(
            RectificationRecord.kind == "progress")) == 0     # an upload submits nothing
    ids = re.findall(r'name="(evidence-\d+)" value="(\d+)"', html)
    sent = filer.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(html), "progress": "全部完成",
                                                    "done": "true", **dict(ids)})
    assert sent.status_code == 302
    with app.app_context():
        report = db.session.scalars(select(RectificationRecord).where(RectificationRecord.kind == "progress")).one()
        assert len(report.attachment_ids) == 2


def test_a_refused_upload_or_submit_keeps_the_text_and_the_ticks(app, api, browser):
    rect, task, filer = _report_page(app, api, browser)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    refused = filer.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "progress": "正在整改", "upload": "1",
        "file": (io.BytesIO(b"MZ\x90\x00 not a document"), "病毒.exe")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "不支持的文件类型" in html and "正在整改</textarea>" in html
    # the upload button without a file
    refused = filer.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(html), "progress": "正在整改", "upload": "1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择要上传的文件" in html and "正在整改</textarea>" in html
    # two uploads, one unticked, then a submit refused (no decision): the unticked one stays unticked
    for name in ("甲.pdf", "乙.pdf"):
        html = filer.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
            "csrf_token": csrf_from(html), "progress": "正在整改", "upload": "1",
            "file": (io.BytesIO(PDF), name)}).get_data(as_text=True)
    boxes = re.findall(r'name="evidence-(\d+)" value="(\d+)"', html)
    assert len(boxes) == 2
    refused = filer.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(html), "progress": "正在整改",
                                                       "evidence-0": boxes[0][1]})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "正在整改</textarea>" in html
    assert re.search(rf'value="{boxes[0][1]}"[^>]*checked', html)
    assert not re.search(rf'value="{boxes[1][1]}"[^>]*checked', html)


def test_a_file_chosen_but_not_uploaded_goes_with_the_report(app, api, browser):
    rect, task, filer = _report_page(app, api, browser)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    sent = filer.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "progress": "已整改", "done": "true",
        "file": (io.BytesIO(PDF), "整改报告.pdf")})
    assert sent.status_code == 302
    chain = browser("supervisor").get(f"/rectifications/{rect.id}").get_data(as_text=True)
    assert "整改报告.pdf" in chain


# -- 11. due dates ------------------------------------------------------------------------------------------
def test_department_tasks_are_due_at_the_rectification_deadline(app, api, browser):
    rect = Rect(app, api, days=5)
    deadline = (today() + timedelta(days=5)).isoformat()
    filer = browser("rsj_filer")
    inbox = filer.get("/tasks?scope=group").get_data(as_text=True)
    row = re.search(r'<tr[^>]*>(?:(?!</tr>).)*制定整改方案(?:(?!</tr>).)*</tr>', inbox, re.S).group(0)
    assert f"{deadline} 23:59" in row                      # the end of the deadline day, county time
    task = rect.filer.task_named("submit_plan", scope="group", instance_id=rect.instance_id)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert re.search(rf"截止\s*{deadline} 23:59", page)
    with app.app_context():
        rows = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == rect.instance_id)).all()
        deadline_at = db.session.get(Rectification, rect.id).deadline_at
        assert [r.due_at for r in rows] == [deadline_at - timedelta(seconds=1)]
    # due this week: the inbox's due filter finds it (and not among the overdue)
    assert "制定整改方案" in filer.get("/tasks?scope=group&due=week").get_data(as_text=True)
    assert "制定整改方案" not in filer.get("/tasks?scope=group&due=overdue").get_data(as_text=True)
    # after the plan is accepted the progress report is due at the same deadline; the review has none ("—")
    assert rect.filer.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    rect.do(rect.filer, "submit_plan", {"plan": "逐项整改", "measures": ["细化指标"]})
    review = rect.jxk.task_named("review_plan", scope="group", instance_id=rect.instance_id)
    page = browser("jxk").get(f"/tasks/{review['id']}").get_data(as_text=True)
    assert re.search(r"截止\s*—", page)
    rect.do(rect.jxk, "review_plan", {"accepted": True, "opinion": "同意"})
    report = rect.filer.task_named("report_progress", instance_id=rect.instance_id)
    assert report["due_at"] is not None
    with app.app_context():
        assert db.session.get(HumanTask, report["id"]).due_at == deadline_at - timedelta(seconds=1)


def test_a_task_sent_back_to_the_plan_is_due_at_the_deadline_again(app, api):
    rect = Rect(app, api, days=8)
    task = rect.filer.task_named("submit_plan", scope="group", instance_id=rect.instance_id)
    assert rect.filer.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    rect.do(rect.filer, "submit_plan", {"plan": "初稿", "measures": ["措施一"]})
    review = rect.jxk.task_named("review_plan", scope="group", instance_id=rect.instance_id)
    sent = rect.jxk.post(f"/api/v1/tasks/{review['id']}/send-back", json={"to": "submit_plan", "reason": "请细化"})
    assert sent.status_code == 200, sent.get_json()
    with app.app_context():
        again = db.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == rect.instance_id, HumanTask.name == "submit_plan",
            HumanTask.state == "ready")).one()
        assert again.due_at == db.session.get(Rectification, rect.id).deadline_at - timedelta(seconds=1)
