"""结果应用: an evaluation's grade decides the project's next budget; the list and the ranking, as pages and Excel."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import AuditEvent, Project, User
from workflow_app.models.result_application import ResultApplication
from workflow_app.services import result_application as results
from workflow_app.services.errors import Invalid

from .conftest import csrf_from
from .helpers import RSJ, SLJ, XMZ


def _record(code: str, source: str, score, grade: str, reduce_amount=None, by: str = "jxk", year: int = 2028):
    project = db.session.scalars(select(Project).where(Project.code == code)).one()
    user = db.session.scalars(select(User).where(User.username == by)).one()
    row = results.record(project, year, source, score, grade, user, reduce_amount=reduce_amount, note="测试")
    db.session.commit()
    return row


@pytest.mark.parametrize("grade, decision", [("优", "priority"), ("良", "maintain"), ("中", "reduce"), ("差", "cancel")])
def test_the_grade_decides_the_next_budget(ctx, grade, decision):
    row = _record(RSJ, "self_evaluation", 75, grade)
    assert row.decision == decision
    assert db.session.scalars(select(Project).where(Project.code == RSJ)).one().budget_decision == decision


def test_key_evaluation_overrides_recheck_overrides_self_evaluation(ctx):
    _record(RSJ, "self_evaluation", 95, "优")
    _record(RSJ, "key_evaluation", 55, "差")
    _record(RSJ, "recheck", 82, "良")          # later, but weaker than the key evaluation
    project = db.session.scalars(select(Project).where(Project.code == RSJ)).one()
    best = results.effective(project.id, 2028)
    assert (best.source, best.decision, project.budget_decision) == ("key_evaluation", "cancel", "cancel")
    _record(RSJ, "recheck", 70, "中", reduce_amount=10)   # the same source again replaces its row
    assert db.session.scalar(select(db.func.count()).select_from(ResultApplication)) == 3


def test_bad_results_are_refused_and_nothing_is_written(ctx):
    project = db.session.scalars(select(Project).where(Project.code == RSJ)).one()
    for kwargs, field in [({"source": "audit"}, "source"), ({"grade": "A"}, "grade"), ({"score": 101}, "score"),
                          ({"score": "x"}, "score"), ({"reduce_amount": -1, "grade": "中"}, "reduce_amount"),
                          ({"reduce_amount": 5, "grade": "良"}, "reduce_amount"),
                          ({"reduce_amount": 10_000, "grade": "中"}, "reduce_amount"), ({"budget_year": 2020}, "budget_year")]:
        args = {"budget_year": 2028, "source": "self_evaluation", "score": 70, "grade": "中", **kwargs}
        with pytest.raises(Invalid) as raised:
            results.record(project, args["budget_year"], args["source"], args["score"], args["grade"], None,
                           reduce_amount=args.get("reduce_amount"))
        assert field in raised.value.fields
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(ResultApplication)) == 0


def test_recording_is_audited(ctx):
    row = _record(RSJ, "recheck", 65, "中", reduce_amount="12.5")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "result_applied")).one()
    assert event.after["reduce_amount"] == "12.50" and row.reduce_amount == Decimal("12.50")


def test_decision_list_is_scoped_to_the_department_and_exports_to_excel(app, api):
    with app.app_context():
        _record(RSJ, "self_evaluation", 92, "优")
        _record(SLJ, "self_evaluation", 70, "中", reduce_amount=20)
        _record(XMZ, "recheck", 50, "差")
    jxk, rsj = api("jxk"), api("rsj_filer")
    body = jxk.get("/api/v1/result-applications?budget_year=2028").get_json()
    assert body["total"] == 3
    by_code = {item["project"]["code"]: item for item in body["items"]}
    assert by_code[SLJ]["decision"] == "reduce" and by_code[SLJ]["reduce_amount"] == 20
    amount = float(db_amount(app, SLJ))
    assert by_code[SLJ]["suggested_amount"] == pytest.approx(amount - 20)
    assert by_code[XMZ]["suggested_amount"] == 0
    own = rsj.get("/api/v1/result-applications?budget_year=2028").get_json()
    assert [i["project"]["code"] for i in own["items"]] == [RSJ]
    assert jxk.get("/api/v1/result-applications").status_code == 422
    response = jxk.get("/api/v1/result-applications.xlsx?budget_year=2028")
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet["A1"].value == "2028年度预算安排绩效评价结果应用清单"
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    slj = next(r for r in rows if r[2] == SLJ)
    assert slj[8] == "核减" and slj[10] == 20 and slj[11] == pytest.approx(amount - 20)


def db_amount(app, code: str) -> Decimal:
    with app.app_context():
        return db.session.scalars(select(Project.amount).where(Project.code == code)).one()


def test_the_performance_section_sets_a_missing_cut(app, api):
    with app.app_context():
        row_id = _record(SLJ, "self_evaluation", 70, "中").id
        good_id = _record(RSJ, "self_evaluation", 95, "优").id
    jxk = api("jxk")
    assert api("slj_filer").post(f"/api/v1/result-applications/{row_id}/reduce-amount",
                                 json={"reduce_amount": 5}).status_code == 403
    assert api("rsj_filer").post(f"/api/v1/result-applications/{row_id}/reduce-amount",
                                 json={"reduce_amount": 5}).status_code == 404
    assert jxk.post(f"/api/v1/result-applications/{good_id}/reduce-amount", json={"reduce_amount": 5}).status_code == 422
    assert jxk.post(f"/api/v1/result-applications/{row_id}/reduce-amount", json={"reduce_amount": -5}).status_code == 422
    listed = jxk.get("/api/v1/result-applications?budget_year=2028").get_json()["items"]
    assert next(i for i in listed if i["id"] == row_id)["suggested_amount"] is None   # 待核定
    response = jxk.post(f"/api/v1/result-applications/{row_id}/reduce-amount", json={"reduce_amount": 8.5})
    assert response.status_code == 200 and response.get_json()["reduce_amount"] == 8.5


def test_ranking_orders_departments_by_average_score(app, api):
    with app.app_context():
        _record(RSJ, "self_evaluation", 95, "优")
        _record(RSJ, "recheck", 81, "良")          # the re-check counts, not the self-evaluation
        _record(SLJ, "self_evaluation", "88.5", "良")
    body = api("jxk").get("/api/v1/evaluation-ranking?year=2027").get_json()
    assert [(i["rank"], i["department_name"], i["average"]) for i in body["items"]] == [
        (1, "县水务局", 88.5), (2, "县人力资源和社会保障局", 81)]
    assert body["items"][1]["grades"] == {"优": 0, "良": 1, "中": 0, "差": 0}
    assert api("rsj_filer").get("/api/v1/evaluation-ranking?year=2027").status_code == 403
    sheet = load_workbook(BytesIO(api("jxk").get("/api/v1/evaluation-ranking.xlsx?year=2027").data)).active
    assert sheet["A1"].value.startswith("2027年度部门绩效评价得分排名") and sheet["A4"].value == 1
    assert sheet["D4"].value == 88.5


def test_pages_show_the_list_and_the_ranking(app, browser):
    with app.app_context():
        row_id = _record(SLJ, "self_evaluation", 70, "中").id
    page = browser("jxk")
    html = page.get("/result-applications?budget_year=2028").get_data(as_text=True)
    assert SLJ in html and "核减" in html and "待核定" in html
    response = page.post(f"/result-applications/{row_id}/reduce-amount",
                         data={"csrf_token": csrf_from(html), "reduce_amount": "6", "back": "/result-applications?budget_year=2028"})
    assert response.status_code == 302
    html = page.get("/result-applications?budget_year=2028").get_data(as_text=True)
    assert "已核定核减金额" in html and "待核定" not in html
    ranking = page.get("/evaluation-ranking?year=2027").get_data(as_text=True)
    assert "县水务局" in ranking and "70.00" in ranking
    assert page.get("/result-applications.xlsx?budget_year=2028").status_code == 200
    assert page.get("/evaluation-ranking.xlsx?year=2027").status_code == 200
    filer = browser("slj_filer")
    assert SLJ in filer.get("/result-applications?budget_year=2028").get_data(as_text=True)
    filer_html = filer.get("/result-applications?budget_year=2028").get_data(as_text=True)
    assert "6.00" in filer_html and "reduce_amount" not in filer_html   # sees the cut, cannot set it
    assert browser("rsj_filer").get("/evaluation-ranking?year=2027").status_code in (302, 403)
