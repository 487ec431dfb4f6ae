"""预算执行: the import of the payment system's export (all rows or none, every bad row reported, a month
re-imported replaces the old one), the execution to a cut-off month in one statement, and the pages."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, PaymentImport, PaymentRecord, Project
from workflow_app.services.execution import executed_amounts, execution_rate

from .conftest import csrf_from
from .helpers import RSJ, SLJ, project_id

XMZ, TJJ = "2027-XMZ-001", "2027-TJJ-001"


def csv_file(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, filename: str = "zhifu.csv", year: str | None = None):
    data = {"file": (io.BytesIO(content), filename)}
    if year is not None:
        data["year"] = year
    return client.post("/api/v1/payment-imports", data=data, content_type="multipart/form-data")


def records(app) -> dict[tuple[str, int, int], Decimal]:
    with app.app_context():
        rows = db.session.execute(select(Project.code, PaymentRecord.year, PaymentRecord.month, PaymentRecord.amount)
                                  .join(Project, Project.id == PaymentRecord.project_id))
        return {(code, year, month): amount for code, year, month, amount in rows}


def test_csv_in_yuan_is_imported_in_wan(app, api):
    jxk = api("jxk")
    content = csv_file(f"项目编码,月份,支付金额（元）\n{RSJ},1,123456.78\n{RSJ},2027-02,500000\n{SLJ},3月,0\n")
    response = upload(jxk, content, year="2027")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["rows"] == 3 and body["projects"] == 2 and body["replaced"] == 0 and body["unit"] == "yuan"
    assert body["years"] == [2027] and len(body["sha256"]) == 64
    # 123456.78 元 = 12.345678 万元 → 12.35 (two places, half up)
    assert records(app) == {(RSJ, 2027, 1): Decimal("12.35"), (RSJ, 2027, 2): Decimal("50.00"),
                            (SLJ, 2027, 3): Decimal("0.00")}
    with app.app_context():
        event_ = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import_payments")).one()
        assert event_.actor == "jxk" and event_.after["rows"] == 3


def test_gbk_csv_and_wan_header_with_year_column(app, api):
    content = csv_file(f"年度,项目编码,月份,支付金额(万元),摘要\n2027,{XMZ},7,12.5,第一批\n2027,{TJJ},7,\"1,000.25\",\n",
                       "gbk")
    response = upload(api("sbk"), content, "导出.csv")
    assert response.status_code == 201, response.get_json()
    assert records(app) == {(XMZ, 2027, 7): Decimal("12.50"), (TJJ, 2027, 7): Decimal("1000.25")}


def test_xlsx_with_excel_dates_and_bom_csv(app, api):
    from datetime import datetime
    content = xlsx_file([["支付数据导出"], [], ["项目编码", "月份", "支付金额（万元）"],
                         [RSJ, datetime(2027, 4, 1), 20], [RSJ, 5.0, 30.456], [None, None, None]])
    response = upload(api("jxk"), content, "zhifu.xlsx", year="2027")
    assert response.status_code == 201, response.get_json()
    assert records(app) == {(RSJ, 2027, 4): Decimal("20.00"), (RSJ, 2027, 5): Decimal("30.46")}
    bom = "\ufeff项目编码,月份,支付金额（万元）\n2027-SLJ-001,2027-06,1\n".encode("utf-8")
    assert upload(api("jxk"), bom).status_code == 201
    assert records(app)[(SLJ, 2027, 6)] == Decimal("1.00")


def test_every_bad_row_is_reported_and_nothing_imported(app, api):
    content = csv_file(
        "项目编码,月份,支付金额（元）\n"
        f"{RSJ},1,100\n"             # row 2: good
        "2027-NOPE-9,2,100\n"        # row 3: unknown code
        f"{RSJ},13,100\n"            # row 4: bad month
        f"{SLJ},2,-5\n"              # row 5: negative
        f"{SLJ},3,一百元\n"           # row 6: not a number
        f"{RSJ},2027-01,200\n"       # row 7: duplicate of row 2
        f"{TJJ},4,\n")               # row 8: empty amount
    response = upload(api("jxk"), content, year="2027")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed" and "未导入" in body["message"]
    found = [(r["row"], r["column"]) for r in body["rows"]]
    assert found == [(3, "项目编码"), (4, "月份"), (5, "支付金额"), (6, "支付金额"), (7, "月份"), (8, "支付金额")]
    messages = {r["row"]: r["message"] for r in body["rows"]}
    assert "2027-NOPE-9" in messages[3] and "不存在" in messages[3]
    assert "负数" in messages[5] and "不是数字" in messages[6] and "第2行" in messages[7] and "为空" in messages[8]
    assert body["fields"]["rows"][0].startswith("第3行")
    assert records(app) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count(PaymentImport.id))) == 0


@pytest.mark.parametrize("header,message", [
    ("项目编码,月份,支付金额\n", "注明单位"),
    ("项目编码,支付金额（元）\n", "月份"),
    ("编码,月份,金额\n", "项目编码"),
])
def test_a_file_without_the_columns_is_refused(api, header, message):
    response = upload(api("jxk"), csv_file(header + f"{RSJ},1,1\n"), year="2027")
    assert response.status_code == 422
    assert message in response.get_json()["message"] and response.get_json()["rows"] == []


def test_unusable_files(api):
    jxk = api("jxk")
    assert "xlsx" in upload(jxk, b"\xd0\xcf\x11\xe0old", "old.xls").get_json()["message"]
    assert upload(jxk, b"", "empty.csv").status_code == 422
    assert upload(jxk, b"PK\x03\x04broken", "broken.xlsx").status_code == 422
    response = jxk.post("/api/v1/payment-imports", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    # no year anywhere: the rows say which
    response = upload(jxk, csv_file(f"项目编码,月份,支付金额（万元）\n{RSJ},1,1\n"))
    assert response.status_code == 422 and response.get_json()["rows"][0]["column"] == "年度"
    assert upload(jxk, csv_file(f"项目编码,月份,支付金额（万元）\n{RSJ},1,1\n"), year="27").status_code == 422
    # a year column that disagrees with the month's year
    response = upload(jxk, csv_file(f"年度,项目编码,月份,支付金额（万元）\n2027,{RSJ},2026-05,1\n"))
    assert response.status_code == 422 and "不一致" in response.get_json()["rows"][0]["message"]


def test_reimporting_a_month_replaces_it(app, api):
    jxk = api("jxk")
    first = f"项目编码,月份,支付金额（万元）\n{RSJ},1,10\n{RSJ},2,20\n{SLJ},1,5\n"
    assert upload(jxk, csv_file(first), year="2027").status_code == 201
    corrected = f"项目编码,月份,支付金额（万元）\n{RSJ},2,25\n{RSJ},3,30\n"
    response = upload(jxk, csv_file(corrected), year="2027")
    assert response.status_code == 201 and response.get_json()["replaced"] == 1
    assert records(app) == {(RSJ, 2027, 1): Decimal("10.00"), (RSJ, 2027, 2): Decimal("25.00"),
                            (RSJ, 2027, 3): Decimal("30.00"), (SLJ, 2027, 1): Decimal("5.00")}
    # the same file again changes nothing
    assert upload(jxk, csv_file(corrected), year="2027").get_json()["replaced"] == 2
    assert len(records(app)) == 4


def test_only_the_bureau_imports(api):
    content = csv_file(f"项目编码,月份,支付金额（万元）\n{RSJ},1,10\n")
    for user in ("rsj_filer", "rsj_head", "expert1", "supervisor"):
        assert upload(api(user), content, year="2027").status_code == 403, user
    assert upload(api(None), content, year="2027").status_code == 401


def test_executed_amounts_sum_to_the_cut_off_in_one_statement(app, api):
    content = csv_file(f"项目编码,月份,支付金额（万元）\n{RSJ},1,10\n{RSJ},7,20.5\n{RSJ},8,100\n{SLJ},2,3\n")
    assert upload(api("jxk"), content, year="2027").status_code == 201
    rsj, slj, tjj = (project_id(app, c) for c in (RSJ, SLJ, TJJ))
    with app.app_context():
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            amounts = executed_amounts([rsj, slj, tjj], 2027, 7)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert amounts == {rsj: Decimal("30.50"), slj: Decimal("3.00"), tjj: Decimal("0.00")}
    with app.app_context():
        assert executed_amounts([rsj], 2026, 12) == {rsj: Decimal("0.00")}
        assert executed_amounts([], 2027, 7) == {}


@pytest.mark.parametrize("executed,budget,rate", [
    ("30.50", "320.00", Decimal("9.53")), ("320", "320", Decimal("100.00")), ("0", "95", Decimal("0.00")),
    ("400", "320", Decimal("125.00")), ("1", "3", Decimal("33.33")), ("2", "3", Decimal("66.67")),
    ("5", "0", None), ("5", None, None),
])
def test_execution_rate(executed, budget, rate):
    assert execution_rate(Decimal(executed), Decimal(budget) if budget is not None else None) == rate


def test_project_execution_api_and_page(app, api, browser):
    content = csv_file(f"项目编码,月份,支付金额（万元）\n{RSJ},1,32\n{RSJ},3,64\n")
    assert upload(api("jxk"), content, year="2027").status_code == 201
    rsj = project_id(app, RSJ)
    body = api("rsj_filer").get(f"/api/v1/projects/{rsj}/execution").get_json()
    assert body["budget"] == 320 and body["executed"] == 96 and body["rate"] == 30
    assert [(m["month"], m["amount"], m["cumulative"], m["imported"]) for m in body["months"]] == [
        (1, 32, 32, True), (2, 0, 32, False), (3, 64, 96, True)]
    assert api("slj_filer").get(f"/api/v1/projects/{rsj}/execution").status_code == 404
    html = browser("rsj_filer").get(f"/projects/{rsj}").get_data(as_text=True)
    assert "预算执行" in html and "96.00" in html and "30.00%" in html and "execution-months" in html
    slj = project_id(app, SLJ)
    assert "尚无支付数据" in browser("jxk").get(f"/projects/{slj}").get_data(as_text=True)


def test_import_page_shows_every_bad_row_and_imports_a_good_file(app, browser):
    client = browser("sbk")
    page = client.get("/payments")
    assert page.status_code == 200 and "支付数据导入" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    bad = csv_file(f"项目编码,月份,支付金额（元）\n{RSJ},0,1\n2027-NOPE-1,1,1\n")
    response = client.post("/payments", data={"csrf_token": token, "year": "2027",
                                               "file": (io.BytesIO(bad), "bad.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "payment-errors" in html
    assert "<td>2</td><td>月份</td>" in html and "<td>3</td><td>项目编码</td>" in html
    good = xlsx_file([["项目编码", "月份", "支付金额（元）"], [RSJ, 1, 10000]])
    response = client.post("/payments", data={"csrf_token": token, "year": "2027",
                                               "file": (io.BytesIO(good), "good.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get("/payments").get_data(as_text=True)
    assert "已导入 1 条" in html and "good.xlsx" in html
    assert records(app) == {(RSJ, 2027, 1): Decimal("1.00")}
    # the page is the bureau's: a department does not see it, nor the link
    department = browser("rsj_filer")
    assert department.get("/payments").status_code == 404
    assert "支付数据" not in department.get("/tasks").get_data(as_text=True)
    assert 'href="/payments"' in client.get("/tasks").get_data(as_text=True)


def test_seed_demo_adds_payments_once(app):
    runner = app.test_cli_runner()
    assert "payments +30" in runner.invoke(args=["seed-demo"]).output
    assert "payments +0" in runner.invoke(args=["seed-demo"]).output
    paid = records(app)
    assert len(paid) == 30 and paid[(SLJ, 2027, 6)] == Decimal("28.68")   # 860.50 × 0.4 / 12
    rsj = project_id(app, RSJ)
    with app.app_context():
        assert executed_amounts([rsj], 2027, 6)[rsj] == Decimal("144.00")   # 320 × 0.9 / 12 × 6
