"""财政复核 as a workflow step (process self_evaluation_recheck): a drawn or chosen 自评表 gets one re-check task in
the performance section's queue, due in DUE_DAYS_SELF_EVALUATION_RECHECK days, reminded and marked overdue by the
timers; completing it (task API, task page, or the 自评表's own re-check page/API) is the re-check, with its
history on the instance; bad input leaves the task open and nothing saved; a second draw starts nothing twice."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from workflow_app.extensions import db
from workflow_app.models import HumanTask, Notification, ProcessInstance, Rectification, User
from workflow_app.models.self_evaluation import SelfEvaluation

from .conftest import csrf_from
from .helpers import RSJ, project_id
from .self_evaluation_flow import SelfEvaluationFlow, approve_goals
from .test_self_evaluation_recheck import finance_rows, two_submitted

KEY = "self_evaluation_recheck"


def _recheck_tasks(client, scope: str = "group") -> list[dict]:
    return [t for t in client.tasks(scope) if t["name"] == "recheck_evaluation"]


def _count(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.process_key == KEY))
        db.session.remove()
        return int(n or 0)


def _draw(flow, round_id: int, **body):
    response = flow.jxk.post(f"/api/v1/self-evaluation-rounds/{round_id}/sample", json={"seed": "s", **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_draw_puts_one_task_per_drawn_table_in_the_sections_queue_never_two(app, api):
    flow, honest, uncritical = two_submitted(app, api)
    _draw(flow, honest["round_id"], count=0)                       # the flagged table only
    tasks = _recheck_tasks(flow.jxk)
    assert [(t["project_id"], t["lane"], t["process"]) for t in tasks] == [
        (uncritical["project_id"], "performance_section", KEY)]
    # Due in DUE_DAYS_SELF_EVALUATION_RECHECK (15) days, waiting unclaimed for the section.
    due = datetime.fromisoformat(tasks[0]["due_at"])
    assert timedelta(days=14, hours=23) < due - datetime.now(timezone.utc) <= timedelta(days=15)
    assert tasks[0]["assignee"] is None
    # The section's queue count (kept by the human_tasks triggers) includes it.
    assert flow.jxk.get("/api/v1/tasks?scope=group").get_json()["total"] == 1
    # Not in any department's queue.
    for user in ("rsj_filer", "rsj_head", "slj_filer", "slj_head"):
        client = api(user)
        assert _recheck_tasks(client, "mine") == [] and _recheck_tasks(client, "group") == [], user
    assert _count(app) == 1
    # A second draw adds the honest table; the flagged one keeps its one task. A third, and a choice, add nothing.
    _draw(flow, honest["round_id"], share=50)
    assert _count(app) == 2
    _draw(flow, honest["round_id"], share=100)
    assert flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose").status_code == 200
    assert _count(app) == 2
    assert sorted(t["project_id"] for t in _recheck_tasks(flow.jxk)) == sorted(
        [honest["project_id"], uncritical["project_id"]])
    with app.app_context():
        instance_ids = {db.session.get(SelfEvaluation, e["id"]).recheck_instance_id for e in (honest, uncritical)}
        assert None not in instance_ids and len(instance_ids) == 2
        db.session.remove()
    # The generic start is refused: only a draw or a choice names the table.
    refused = flow.jxk.post(f"/api/v1/processes/{KEY}/instances",
                            json={"project_id": honest["project_id"], "data": {"self_evaluation_id": honest["id"]}})
    assert refused.status_code in (403, 422) and _count(app) == 2


def test_choosing_one_table_starts_its_task(app, api):
    flow, honest, _ = two_submitted(app, api)
    assert flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose").status_code == 200
    assert [t["project_id"] for t in _recheck_tasks(flow.jxk)] == [honest["project_id"]]
    assert flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose").status_code == 200
    assert _count(app) == 1


def test_completing_the_task_through_the_api_is_the_recheck(app, api):
    flow, honest, uncritical = two_submitted(app, api)
    _draw(flow, honest["round_id"], count=0)
    task = _recheck_tasks(flow.jxk)[0]
    deadline = (date.today() + timedelta(days=60)).isoformat()
    body = {"executed": 240, "rows": finance_rows(), "opinion": "满意度调查样本不足。",
            "findings": ["培训人次重复统计", "满意度调查样本不足"], "deadline": deadline}
    # A department may not complete it (it cannot even find it).
    assert api("slj_filer").complete(task["id"], body).status_code in (403, 404)
    assert api("slj_head").post(f"/api/v1/tasks/{task['id']}/claim").status_code in (403, 404)
    response = flow.jxk.complete(task["id"], body)
    assert response.status_code == 200, response.get_json()
    evaluation = flow.jxk.get(f"/api/v1/self-evaluations/{uncritical['id']}").get_json()
    assert (evaluation["status"], evaluation["recheck_score"], evaluation["recheck_grade"]) == ("rechecked", 80.29, "良")
    assert evaluation["recheck_findings"] == body["findings"] and evaluation["rectification_id"]
    assert _recheck_tasks(flow.jxk) == [] and _recheck_tasks(flow.jxk, "mine") == []
    assert evaluation["recheck_instance_id"] == task["instance_id"]
    # Once: the 自评表's own re-check API now finds it done.
    again = flow.jxk.post(f"/api/v1/self-evaluations/{uncritical['id']}/recheck", json=body)
    assert again.status_code == 409
    with app.app_context():
        rect = db.session.get(Rectification, evaluation["rectification_id"])
        assert rect.source == "recheck"
        people = db.session.scalars(select(User.id).where(User.username.in_(("slj_filer", "slj_head")))).all()
        notes = db.session.scalars(select(Notification).where(
            Notification.user_id.in_(people), Notification.kind == "self_evaluation_rechecked")).all()
        assert len(notes) == 2 and all("80.29" in n.message for n in notes)
        db.session.remove()
    # The history of the re-check instance: started, completed by jxk, with the opinion.
    view = flow.jxk.get(f"/api/v1/instances/{task['instance_id']}").get_json()
    assert view["status"] == "completed" and view["ready_tasks"] == []
    done = [h for h in view["history"] if h["task"] == "recheck_evaluation"]
    assert done and done[-1]["by"] == "jxk" and done[-1]["opinion"] == "满意度调查样本不足。"


def test_bad_input_is_422_with_nothing_saved_and_the_task_still_open(app, api):
    flow, honest, _ = two_submitted(app, api)
    flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose")
    task = _recheck_tasks(flow.jxk)[0]
    good = {"executed": 240, "rows": finance_rows()}
    for changes, field in [({"executed": None}, "executed"), ({"executed": "x"}, "executed"),
                           ({"rows": finance_rows()[:3]}, "rows"),
                           ({"rows": [{"actual": "x"}] + finance_rows()[1:]}, "rows.0.actual"),
                           ({"findings": ["问题"], "deadline": "someday"}, "deadline"),
                           ({"findings": ["问题"]}, "deadline"),
                           ({"opinion": "长" * 5001}, "opinion"),
                           ({"reduce_amount": 10}, "reduce_amount")]:
        response = flow.jxk.complete(task["id"], {**good, **changes})
        assert response.status_code == 422 and field in response.get_json()["fields"], (changes, response.get_json())
    with app.app_context():
        evaluation = db.session.get(SelfEvaluation, honest["id"])
        assert evaluation.status == "submitted" and evaluation.recheck_score is None
        assert db.session.scalars(select(Rectification)).first() is None
        assert db.session.get(HumanTask, task["id"]).state == "ready"
        db.session.remove()
    assert [t["id"] for t in _recheck_tasks(flow.jxk)] == [task["id"]]


def test_the_recheck_api_of_the_table_completes_its_task(app, api):
    flow, honest, _ = two_submitted(app, api)
    flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose")
    task = _recheck_tasks(flow.jxk)[0]
    response = flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/recheck",
                             json={"executed": 240, "rows": finance_rows(), "opinion": "基本属实"})
    assert response.status_code == 200, response.get_json()
    state = flow.jxk.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert state["state"] == "completed" and state["completed_by"] == "jxk"


def test_a_table_drawn_before_the_process_existed_gets_its_task_when_rechecked(app, api):
    flow, honest, _ = two_submitted(app, api)
    with app.app_context():      # drawn by the old desk work: a reason, no instance
        db.session.get(SelfEvaluation, honest["id"]).recheck_reason = "sampled"
        db.session.commit()
        db.session.remove()
    refused = flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/recheck", json={"executed": 240, "rows": []})
    assert refused.status_code == 422 and _count(app) == 0          # rolled back with the refusal
    done = flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/recheck",
                         json={"executed": 240, "rows": finance_rows()})
    assert done.status_code == 200, done.get_json()
    assert _count(app) == 1 and _recheck_tasks(flow.jxk) == []



def test_a_draw_catches_up_tables_drawn_before_the_process_existed(app, api):
    flow, honest, uncritical = two_submitted(app, api)
    with app.app_context():
        db.session.get(SelfEvaluation, honest["id"]).recheck_reason = "sampled"
        db.session.commit()
        db.session.remove()
    _draw(flow, honest["round_id"], count=0)       # the flagged one is drawn; the old one gets its task too
    assert sorted(t["project_id"] for t in _recheck_tasks(flow.jxk)) == sorted(
        [honest["project_id"], uncritical["project_id"]])
    _draw(flow, honest["round_id"], count=0)
    assert _count(app) == 2


def test_the_task_page_shows_the_recheck_form_and_completes_it(app, api, browser):
    rsj = project_id(app, RSJ)
    approve_goals(api, rsj)
    flow = SelfEvaluationFlow(api)
    flow.start_round()
    evaluation = flow.submit(rsj)
    flow.jxk.post(f"/api/v1/self-evaluations/{evaluation['id']}/choose")
    task = _recheck_tasks(flow.jxk)[0]
    jxk = browser("jxk")
    inbox = jxk.get("/tasks?scope=group").get_data(as_text=True)
    assert f"/tasks/{task['id']}" in inbox
    page = jxk.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'name="rows-0-actual"' in page and 'name="findings"' in page and 'id="recheck-evaluation-link"' in page
    assert f"/self-evaluations/{evaluation['id']}" in page
    token = csrf_from(page)
    rows = {f"rows-{i}-{k}": v for i, row in enumerate(finance_rows()) for k, v in row.items()}
    refused = jxk.post(f"/tasks/{task['id']}", data={"csrf_token": token, "executed": "abc", **rows})
    assert refused.status_code == 422 and 'value="2400"' in refused.get_data(as_text=True)
    assert flow.evaluation(rsj)["recheck_score"] is None
    assert flow.jxk.get(f"/api/v1/tasks/{task['id']}").get_json()["state"] == "ready"
    # A department's people may not work on it from the page either.
    other = browser("rsj_filer").get(f"/tasks/{task['id']}")
    assert other.status_code == 404 or 'name="rows-0-actual"' not in other.get_data(as_text=True)
    deadline = (date.today() + timedelta(days=30)).isoformat()
    done = jxk.post(f"/tasks/{task['id']}", data={"csrf_token": token, "executed": "240", "opinion": "抽查属实",
                                                 "findings": "满意度样本不足\n培训台账不全", "deadline": deadline,
                                                 **rows})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    result = flow.evaluation(rsj)
    assert (result["status"], result["recheck_score"]) == ("rechecked", 80.29)
    assert result["recheck_findings"] == ["满意度样本不足", "培训台账不全"]
    detail = jxk.get(f"/self-evaluations/{evaluation['id']}").get_data(as_text=True)
    assert "复核得分 80.29（良）" in detail
    assert f'href="/instances/{task["instance_id"]}" id="recheck-instance-link"' in detail
    # The instance page (history and diagram) of the re-check.
    instance = jxk.get(f"/instances/{task['instance_id']}").get_data(as_text=True)
    assert "财政复核" in instance


def test_an_overdue_recheck_is_marked_and_the_section_reminded(app, api):
    flow, honest, _ = two_submitted(app, api)
    flow.jxk.post(f"/api/v1/self-evaluations/{honest['id']}/choose")
    task = _recheck_tasks(flow.jxk)[0]
    due = datetime.fromisoformat(task["due_at"])
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", (due + timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    after = _recheck_tasks(flow.jxk)[0]
    assert after["id"] == task["id"] and after["overdue"] is True
    with app.app_context():
        jxk = db.session.scalars(select(User.id).where(User.username == "jxk")).one()
        kinds = db.session.scalars(select(Notification.kind).where(
            Notification.user_id == jxk, Notification.instance_id == task["instance_id"])).all()
        assert "overdue" in kinds
        db.session.remove()
    # Late, but it can still be done.
    assert flow.jxk.complete(task["id"], {"executed": 240, "rows": finance_rows()}).status_code == 200


def test_the_process_declares_its_labels_and_deadline(app):
    from workflow_app.processes import load_all, registry
    load_all()
    module = registry.get(KEY)
    assert module.key == KEY and registry.due_days()[f"{KEY}:recheck_evaluation"] == 15
    assert registry.task_title_en("recheck_evaluation", "财政复核自评表") == "Re-check the self-evaluation form"
    assert registry.process_name_en(KEY, "财政复核") == "Finance re-check of a self-evaluation"


def test_everyone_in_the_section_is_told_of_a_drawn_table_not_only_the_drawer(app, api):
    from workflow_app.services.org import create_user
    with app.app_context():
        create_user("jxk2", "password-2", ["performance_section"], "czj-jxk", "绩效科 李干部")
        db.session.commit()
        db.session.remove()
    flow, honest, uncritical = two_submitted(app, api)
    _draw(flow, honest["round_id"], count=0)                       # the flagged table only
    task_id = _recheck_tasks(flow.jxk)[0]["id"]
    with app.app_context():
        told = set(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                      .where(Notification.task_id == task_id, Notification.kind == "new_task")))
        db.session.remove()
    assert told == {"jxk", "jxk2"}                                  # and no department
    other = api("jxk2", "password-2")
    assert _recheck_tasks(other) and _recheck_tasks(other, "mine") == []   # in the queue, unheld
