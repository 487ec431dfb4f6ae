"""财政复核 through the API: the seeded draw plus every flagged table, finance's re-scoring, the gap per department,
the grade to the department, findings opening a rectification in the same step, and the result that counts."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import Notification, Rectification, User
from workflow_app.models.self_evaluation import SelfEvaluation

from .helpers import RSJ, SLJ, project_id
from .self_evaluation_flow import FULL_ROWS, YEAR, SelfEvaluationFlow, approve_goals, fill_data

CAUSED_ROWS = [{"actual": "2800", "cause": "两个乡镇延期开班"}, {"actual": "92"},
               {"level": "达成", "share": "90"}, {"actual": "95"}]


def two_submitted(app, api) -> tuple[SelfEvaluationFlow, dict, dict]:
    """RSJ submits an honest table (94.28), SLJ an uncritical one (all full, no problem: flagged)."""
    rsj, slj = project_id(app, RSJ), project_id(app, SLJ)
    approve_goals(api, rsj)
    approve_goals(api, slj, filer="slj_filer", head="slj_head", authority="slj_deputy", finance="nyk")
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    honest = flow.submit(rsj, fill_data(rows=CAUSED_ROWS))
    uncritical = flow.submit(slj, fill_data(problems="", rows=FULL_ROWS), filer=api("slj_filer"), head=api("slj_head"))
    return flow, honest, uncritical


def finance_rows(trained: str = "2400") -> list[dict]:
    return [{"actual": trained}, {"actual": "85"}, {"level": "部分达成", "share": "70"}, {"actual": "80"}]


def test_the_draw_takes_every_flagged_table_plus_a_seeded_sample(app, api):
    flow, honest, uncritical = two_submitted(app, api)
    round_id = honest["round_id"]
    assert uncritical["flagged"] and not honest["flagged"]
    assert api("rsj_filer").post(f"/api/v1/self-evaluation-rounds/{round_id}/sample",
                                 json={"seed": "x", "count": 1}).status_code == 403
    for body, field in [({"count": 1}, "seed"), ({"seed": "x", "count": -1}, "count"),
                        ({"seed": "x", "share": 101}, "share"), ({"seed": "", "share": 10}, "seed")]:
        response = flow.jxk.post(f"/api/v1/self-evaluation-rounds/{round_id}/sample", json=body)
        assert response.status_code == 422 and field in response.get_json()["fields"], body
    drawn = flow.jxk.post(f"/api/v1/self-evaluation-rounds/{round_id}/sample", json={"seed": "2028-复核", "count": 0})
    assert drawn.status_code == 200
    assert (drawn.get_json()["flagged"], drawn.get_json()["sampled"]) == ([uncritical["id"]], [])
    drawn = flow.jxk.post(f"/api/v1/self-evaluation-rounds/{round_id}/sample", json={"seed": "2028-复核", "share": 50})
    # ceil(2 × 50 %) = 1 from the one table not drawn yet: the honest one, as random.Random(seed) picks it.
    assert drawn.get_json()["sampled"] == random.Random("2028-复核").sample([honest["id"]], 1)
    assert drawn.get_json()["sample_seed"] == "2028-复核"
    listed = flow.jxk.get(f"/api/v1/self-evaluations?year={YEAR}&recheck=true").get_json()
    assert {(i["id"], i["recheck_reason"]) for i in listed["items"]} == {(honest["id"], "sampled"),
                                                                         (uncritical["id"], "flagged")}


def test_recheck_rescores_records_the_gap_and_informs_the_department(app, api):
    flow, honest, uncritical = two_submitted(app, api)
    flow.jxk.post(f"/api/v1/self-evaluation-rounds/{honest['round_id']}/sample", json={"seed": "s", "count": 0})
    url = f"/api/v1/self-evaluations/{uncritical['id']}/recheck"
    deadline = (date.today() + timedelta(days=60)).isoformat()
    body = {"executed": 240, "rows": finance_rows(), "opinion": "满意度调查样本不足，培训人次含重复统计。",
            "findings": ["培训人次重复统计", "满意度调查样本不足"], "deadline": deadline}
    assert api("slj_filer").post(url, json=body).status_code == 403
    assert api("rsj_filer").post(url, json=body).status_code == 404
    # Not drawn: the honest table cannot be re-checked before it is chosen.
    assert flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/recheck", json=body).status_code == 409
    response = flow.jxk.post(url, json=body)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    # 8.00 + 33.33 × 0.8 (26.66) + 16.67 × 85/90 (15.74) + 30 × 70 % (21.00) + 10 × 80/90 (8.89) = 80.29
    assert (result["recheck_score"], result["recheck_grade"]) == (80.29, "良")
    assert result["score_gap"] == round(99.5 - 80.29, 2) and result["final_grade"] == "良"
    assert flow.jxk.post(url, json=body).status_code == 409          # once
    with app.app_context():
        rect = db.session.get(Rectification, result["rectification_id"])
        assert rect.source == "recheck" and rect.findings == body["findings"]
        slj_head = db.session.scalars(select(User).where(User.username == "slj_head")).one()
        note = db.session.scalars(select(Notification).where(
            Notification.user_id == slj_head.id, Notification.kind == "self_evaluation_rechecked")).one()
        assert "80.29" in note.message
    results = flow.jxk.get(f"/api/v1/result-applications?budget_year={YEAR + 1}&department=slj").get_json()["items"]
    assert [(r["source"], r["grade"], r["decision"]) for r in results] == [("recheck", "良", "maintain")]
    assert [s["source"] for s in results[0]["superseded"]] == ["self_evaluation"]
    quality = flow.jxk.get(f"/api/v1/self-evaluation-quality?year={YEAR}").get_json()["items"]
    assert [(q["department"], q["rechecked"], q["mean_gap"]) for q in quality] == [("slj", 1, 19.21)]
    assert api("slj_filer").get(f"/api/v1/self-evaluation-quality?year={YEAR}").status_code == 403
    ranking = flow.jxk.get(f"/api/v1/evaluation-ranking?year={YEAR}").get_json()["items"]
    assert [(r["department"], r["average"], r["recheck_gap"]) for r in ranking] == [
        ("rsj", 94.28, None), ("slj", 80.29, 19.21)]


def test_bad_recheck_input_is_refused_and_nothing_is_saved(app, api):
    flow, honest, uncritical = two_submitted(app, api)
    flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose")
    url = f"/api/v1/self-evaluations/{honest['id']}/recheck"
    good = {"executed": 240, "rows": finance_rows()}
    for changes, field in [({"executed": None}, "executed"), ({"rows": finance_rows()[:3]}, "rows"),
                           ({"rows": [{"actual": "x"}] + finance_rows()[1:]}, "rows.0.actual"),
                           ({"findings": ["问题"], "deadline": "someday"}, "deadline"),
                           ({"findings": "问题"}, "findings"),
                           ({"reduce_amount": 10}, "reduce_amount")]:           # 良 has no cut
        response = flow.jxk.post(url, json={**good, **changes})
        assert response.status_code == 422 and field in response.get_json()["fields"], (changes, response.get_json())
    with app.app_context():
        evaluation = db.session.get(SelfEvaluation, honest["id"])
        assert evaluation.status == "submitted" and evaluation.recheck_score is None
        assert db.session.scalars(select(Rectification)).first() is None
    # A 中 re-check with its cut: the decision list shows it.
    low = {"executed": 240, "rows": [{"actual": "2400"}, {"actual": "80"}, {"level": "部分达成", "share": "60"},
                                      {"actual": "80"}], "reduce_amount": 50}
    response = flow.jxk.post(url, json=low)
    assert response.status_code == 200, response.get_json()
    # 8 + 26.66 + 14.82 + 18 + 8.89
    assert (response.get_json()["recheck_score"], response.get_json()["recheck_grade"]) == (76.37, "中")
    listed = flow.jxk.get(f"/api/v1/result-applications?budget_year={YEAR + 1}&department=rsj").get_json()["items"]
    assert [(r["decision"], r["reduce_amount"], r["suggested_amount"]) for r in listed] == [("reduce", 50, 250)]
