"""财政重点评价 (key evaluation) through the API: selection, the indicator tree, the agency's scoring and its
review, the department's objections, the finalised grade and what follows from it, and who sees what."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import KeyEvaluation, Notification, User

from .helpers import RSJ, SLJ, project_id
from .key_evaluation_flow import KeyEvaluationFlow, tree


def test_a_key_evaluation_runs_from_commissioning_to_a_graded_result(app, api):
    flow = KeyEvaluationFlow(api, project_id(app, RSJ))
    state = flow.through(lost={"实际完成率": 4, "社会效益": 3.5})
    assert state["status"] == "finished"
    assert state["agency_score"] == 92.5 and state["score"] == 92.5 and state["grade"] == "优"
    assert state["findings"] == ["培训后就业跟踪不到位", "资金拨付进度偏慢"]
    row = next(r for r in state["indicators"] if r["name"] == "实际完成率")
    assert row["points"] == 10 and row["score"] == 6
    assert [o["kind"] for o in state["opinions"]] == ["review", "feedback", "finalise"]
    # The department hears the grade and the findings.
    notes = flow.head.get("/api/v1/notifications").get_json()["items"]
    assert any("重点评价结果" in n["message"] and "优" in n["message"] and "资金拨付进度偏慢" in n["message"]
               for n in notes)
