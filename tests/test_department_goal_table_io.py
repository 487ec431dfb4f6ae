"""部门整体支出绩效目标表 in and out: a department's approved annual goals as PDF (the CJK font embedded) and Excel,
and a department importing its draft goals from the same sheet into the goal editor — every bad row reported as
第N行 with its column, nothing half-imported, nothing stored until the editor is submitted; the import audited."""
from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent
from workflow_app.models.department_performance import DepartmentGoalVersion
from workflow_app.services import department_performance_goal_table as goal_table, pdf

from .conftest import csrf_from
from .department_performance_flow import LAST_YEAR, DepartmentFlow, goals

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_ROW = 6   # title, 部门名称, 部门预算总额, 年度总体目标, the header: the indicators start on row 6


def upload(client, url: str, data: bytes, name: str = "部门整体绩效目标表.xlsx"):
    return client.client.post(url, headers=client._headers(), content_type="multipart/form-data",
                              data={"file": (BytesIO(data), name)})


def count(app, model) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return n


def imports_audited(app) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "dept_perf_goal_table_imported")))
        db.session.expunge_all()
        db.session.remove()
    return events


@pytest.fixture
def flows(api):
    """县人社局's goals approved; 县水务局 drafting its own (its draft step waits)."""
    rsj, slj = DepartmentFlow(api, "rsj"), DepartmentFlow(api, "slj")
    rsj.start(["rsj", "slj"])
    slj.case = api("jxk").get(f"/api/v1/department-performance?year={LAST_YEAR}&department=slj").get_json()["items"][0]
    rsj.approve_goals()
    return rsj, slj


def exported(api, case_id: int) -> bytes:
    response = api("rsj_filer").get(f"/api/v1/department-performance/{case_id}/goal-table.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    return response.data


def test_the_approved_goals_print_as_pdf(app, api, browser, flows):
    rsj, _slj = flows
    url = f"/department-performance/{rsj.case['id']}/goal-table.pdf"
    response = api("rsj_filer").get("/api/v1" + url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert f"{LAST_YEAR}-rsj-部门整体绩效目标表.pdf" in unquote(response.headers["Content-Disposition"])
    assert browser("jxk").get(url).status_code == 200
    assert browser("sbk").get(url).status_code == 200               # the business section reads every case
    assert api("slj_filer").get("/api/v1" + url).status_code == 404  # another department's: does not exist
    assert browser("slj_filer").get(url).status_code == 404
    with app.test_request_context():
        from workflow_app.models import User
        table = goal_table.case_table(db.session.scalars(select(User).where(User.username == "jxk")).one(),
                                      rsj.case["id"])
        assert table.approved and table.approved_at is not None
        html = goal_table.html(table)
        for text in (f"{LAST_YEAR}年度部门整体支出绩效目标表", "部门名称", "县人力资源和社会保障局", "年度预算",
                     "5230.50", "年度总体目标", "全面完成就业和社会保障年度任务", "一级指标", "二级指标", "三级指标",
                     "指标值", "权重", "履职效能", "管理效率", "（权重 70）", "（权重 30）", "城镇新增就业人数",
                     "≥3000人", "≤4%", "制度健全、账实相符", "批复日期"):
            assert text in html, text
        try:
            data = pdf.html_to_pdf(html, compress=False)
        except OSError as exc:  # Pango missing: the README's set-up installs it
            pytest.skip(f"Pango is not installed: {exc}")
    assert data.startswith(b"%PDF-") and b"FontFile" in data and b"Noto-Sans-CJK-SC" in data


def test_a_draft_prints_as_not_yet_approved_and_the_detail_page_links_the_table(app, api, browser, flows):
    rsj, slj = flows
    slj.do(slj.filer, "draft_dept_goals", goals(overall="水务年度目标", amount=800))
    with app.test_request_context():
        from workflow_app.models import User
        table = goal_table.case_table(db.session.scalars(select(User).where(User.username == "slj_filer")).one(),
                                      slj.case["id"])
        html = goal_table.html(table)
    assert "尚未批复：第1版" in html and "水务年度目标" in html and "800.00" in html
    page = browser("rsj_filer").get(f"/department-performance/{rsj.case['id']}").get_data(as_text=True)
    assert f"/department-performance/{rsj.case['id']}/goal-table.pdf" in page
    assert f"/department-performance/{rsj.case['id']}/goal-table.xlsx" in page


def test_export_then_import_gives_the_same_goals(app, api, flows):
    rsj, slj = flows
    data = exported(api, rsj.case["id"])
    sheet = load_workbook(BytesIO(data)).active
    assert sheet.cell(1, 1).value == f"{LAST_YEAR}年度部门整体支出绩效目标表"
    assert [sheet.cell(r, 1).value for r in range(2, FIRST_ROW)] == ["部门名称", "部门预算总额（万元）", "年度总体目标",
                                                                   "一级指标"]
    assert [sheet.cell(FIRST_ROW - 1, c).value for c in range(1, 8)] == [
        "一级指标", "二级指标", "三级指标", "运算符", "指标值", "计量单位", "权重"]
    assert sheet.cell(2, 2).value == "县人力资源和社会保障局" and sheet.cell(3, 2).value == 5230.5
    assert sheet.cell(FIRST_ROW, 3).value == "城镇新增就业人数" and sheet.cell(FIRST_ROW, 5).value == "3000"

    # 县水务局 takes 县人社局's sheet as its template
    versions = count(app, DepartmentGoalVersion)
    imported = upload(slj.filer, f"/api/v1/department-performance/{slj.case['id']}/goal-import", data)
    assert imported.status_code == 200, imported.get_json()
    body = imported.get_json()
    assert body["overall_goal"] == "全面完成就业和社会保障年度任务" and body["amount"] == "5230.5"
    assert body["indicators"] == goals()["indicators"]
    assert count(app, DepartmentGoalVersion) == versions             # nothing stored by the import itself
    [event] = imports_audited(app)
    assert event.actor == "slj_filer" and event.object_id == str(slj.case["id"])
    assert event.after["indicators"] == 9

    slj.do(slj.filer, "draft_dept_goals", body)                      # what the import answered, submitted
    version = slj.get()["goal_versions"][0]
    assert version["amount"] == 5230.5
    assert [(i["name"], i["target"], i["weight"]) for i in version["indicators"]] == [
        (i["name"], i["target"], i["weight"]) for i in goals()["indicators"]]


def test_importing_on_the_editor_page_fills_the_editor(app, api, browser, flows):
    rsj, slj = flows
    data = exported(api, rsj.case["id"])
    task = slj.filer.task_named("draft_dept_goals", instance_id=slj.case["instance_id"])
    page = browser("slj_filer")
    editor = page.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "从 Excel 导入部门整体绩效目标表" in editor
    assert f'action="/department-performance/{slj.case["id"]}/goal-import"' in editor
    assert f"/department-performance/{slj.case['id']}/goal-table.xlsx" in editor      # the template
    assert "下载模板（部门整体支出绩效目标表 Excel）" in editor
    versions = count(app, DepartmentGoalVersion)
    response = page.post(f"/department-performance/{slj.case['id']}/goal-import", content_type="multipart/form-data",
                         data={"csrf_token": csrf_from(editor), "file": (BytesIO(data), "目标表.xlsx")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已从 Excel 读入 9 个指标" in html
    assert 'name="indicators-0-name"' in html and 'value="城镇新增就业人数"' in html and 'value="服务对象满意度"' in html
    assert "全面完成就业和社会保障年度任务" in html and 'value="5230.5"' in html
    assert count(app, DepartmentGoalVersion) == versions
    # without the CSRF token the form is refused
    refused = page.post(f"/department-performance/{slj.case['id']}/goal-import", content_type="multipart/form-data",
                        data={"file": (BytesIO(data), "目标表.xlsx")})
    assert refused.status_code == 400


def _bad_workbook(data: bytes) -> bytes:
    book = load_workbook(BytesIO(data))
    sheet = book.active
    sheet.cell(FIRST_ROW, 2, "预算执行")        # a 管理效率 level-2 under 履职效能
    sheet.cell(FIRST_ROW + 1, 5, "一千五")      # a quantitative target in words
    sheet.cell(FIRST_ROW + 3, 7, "abc")         # weight not a number
    sheet.cell(FIRST_ROW + 4, 4, "约等于")      # no such operator
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_bad_rows_are_all_reported_and_nothing_is_imported(app, api, browser, flows):
    rsj, slj = flows
    bad = _bad_workbook(exported(api, rsj.case["id"]))
    url = f"/department-performance/{slj.case['id']}/goal-import"
    versions = count(app, DepartmentGoalVersion)
    refused = upload(slj.filer, "/api/v1" + url, bad)
    assert refused.status_code == 422
    body = refused.get_json()
    rows = [f"第{FIRST_ROW}行", f"第{FIRST_ROW + 1}行", f"第{FIRST_ROW + 3}行", f"第{FIRST_ROW + 4}行"]
    assert sorted(body["fields"]) == sorted(rows)
    assert body["fields"][rows[0]][0].startswith("二级指标：") and "不属于" in body["fields"][rows[0]][0]
    assert body["fields"][rows[1]][0].startswith("指标值：") and "数字" in body["fields"][rows[1]][0]
    assert body["fields"][rows[2]] == ["权重：不是有效的小数"]      # what is wrong, once
    assert body["fields"][rows[3]][0].startswith("运算符：")
    assert "4 行有误，未导入任何内容" in body["message"]
    assert count(app, DepartmentGoalVersion) == versions and imports_audited(app) == []
    assert slj.filer.task_named("draft_dept_goals", instance_id=slj.case["instance_id"])   # still waits

    page = browser("slj_filer")
    task = slj.filer.task_named("draft_dept_goals", instance_id=slj.case["instance_id"])
    token = csrf_from(page.get(f"/tasks/{task['id']}").get_data(as_text=True))
    response = page.post(url, content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (BytesIO(bad), "目标表.xlsx")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未导入" in html and "data-import-errors" in html
    for row in rows:
        assert f"<li>{row}：" in html
    assert 'value="城镇新增就业人数"' not in html       # the editor keeps its own rows, none of the file's
    assert count(app, DepartmentGoalVersion) == versions

    for data, name in ((b"not a workbook", "x.xlsx"), (b"", "x.xlsx")):
        answer = upload(slj.filer, "/api/v1" + url, data, name)
        assert answer.status_code == 422 and answer.get_json()["message"]
    assert "部门整体支出绩效目标表模板" in upload(slj.filer, "/api/v1" + url, b"PK\x03\x04junk").get_json()["message"]
    assert slj.filer.client.post("/api/v1" + url, headers=slj.filer._headers()).status_code == 422
    empty = exported(api, rsj.case["id"])
    book = load_workbook(BytesIO(empty))
    book.active.delete_rows(FIRST_ROW, 20)
    out = BytesIO()
    book.save(out)
    header_only = upload(slj.filer, "/api/v1" + url, out.getvalue())
    assert header_only.status_code == 422 and "没有指标行" in header_only.get_json()["message"]
    assert count(app, DepartmentGoalVersion) == versions and imports_audited(app) == []


def test_import_needs_ones_own_draft_step(app, api, browser, flows):
    rsj, slj = flows
    data = exported(api, rsj.case["id"])
    url = f"/api/v1/department-performance/{slj.case['id']}/goal-import"
    assert upload(api("rsj_filer"), url, data).status_code == 404     # another department's case
    assert upload(api("slj_head"), url, data).status_code == 403      # sees it, does not draft it
    assert upload(api("jxk"), url, data).status_code == 403
    # 县人社局's goals are approved: nothing is being drafted
    conflict = upload(api("rsj_filer"), f"/api/v1/department-performance/{rsj.case['id']}/goal-import", data)
    assert conflict.status_code == 409 and "不在编制中" in conflict.get_json()["message"]
    page = browser("rsj_filer")
    token = csrf_from(page.get(f"/department-performance/{rsj.case['id']}").get_data(as_text=True))
    answer = page.post(f"/department-performance/{rsj.case['id']}/goal-import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (BytesIO(data), "目标表.xlsx")})
    assert answer.status_code == 302 and answer.location.endswith(f"/department-performance/{rsj.case['id']}")
    assert imports_audited(app) == []
