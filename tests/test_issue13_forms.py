"""Issue 13, the forms items through the pages (Flask test client with CSRF) and the API:
8 a refused comment keeps what was typed, 9 text limits are stated, 10 negative targets and weights,
17 the CSRF failure page, 18 English names of tasks and processes, 19 the wide tables' markup."""
from __future__ import annotations

import re

from sqlalchemy import select

from workflow_app.extensions import db
from workflow_app.models import Comment, GoalVersion

from .conftest import csrf_from
from .goal_flow import GoalFlow, INDICATORS, goals
from .helpers import RSJ, project_id
from .test_pages import indicator_form


def _started(app, api) -> GoalFlow:
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    return flow


# --- 17: the CSRF failure ----------------------------------------------------------------------------------

def test_a_post_without_a_valid_token_shows_the_chinese_expired_page_with_a_way_back(app, browser):
    client = browser("jxk")
    client.get("/tasks?scope=group")
    response = client.post("/tasks/bulk-claim", data={"task_id": "1"},
                           headers={"Referer": "http://localhost/tasks?scope=group"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面已过期，请刷新后重试" in html and "Bad Request" not in html
    assert 'href="/tasks?scope=group"' in html            # back to the page the form was on
    stale = client.post("/tasks/bulk-claim", data={"task_id": "1", "csrf_token": "stale"})
    assert stale.status_code == 400 and "页面已过期，请刷新后重试" in stale.get_data(as_text=True)


def test_the_expired_page_never_links_to_another_site(app, browser):
    response = browser("jxk").post("/tasks/bulk-claim", data={}, headers={"Referer": "https://evil.example/x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "evil.example" not in html and "页面已过期" in html


def test_the_login_form_without_token_gets_the_same_page(app):
    response = app.test_client().post("/login", data={"username": "jxk", "password": "x"})
    assert response.status_code == 400 and "页面已过期，请刷新后重试" in response.get_data(as_text=True)


# --- 8: a refused comment keeps what was typed --------------------------------------------------------------

def test_a_comment_refused_for_length_comes_back_with_the_text_and_the_ticked_attachment(app, api, browser):
    flow = _started(app, api)
    filer = browser("rsj_filer")
    page = filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    upload = filer.post("/attachments", data={"csrf_token": csrf_from(page), "back": f"/instances/{flow.instance_id}",
                                              "file": (__import__("io").BytesIO(_pdf()), "证明.pdf")},
                        content_type="multipart/form-data")
    assert upload.status_code == 302
    page = filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    attachment = re.search(r'name="attachment" value="(\d+)"', page).group(1)
    typed = "请尽快签发" + "长" * 5000
    refused = filer.post(f"/instances/{flow.instance_id}/comments",
                         data={"csrf_token": csrf_from(page), "text": typed, "attachment": attachment})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert typed in html                                           # the text is back in the textarea
    assert re.search(rf'value="{attachment}" id="ca{attachment}" checked', html)  # the tick too
    assert "不超过5000字（当前5005字）" in html
    assert 'maxlength="5000"' in html and "js/char-counter.js" in html
    with app.app_context():
        assert db.session.scalars(select(Comment)).all() == []    # nothing saved


def test_a_file_chosen_with_a_refused_comment_is_kept_ticked_and_posts_with_the_next_try(app, api, browser):
    import io
    flow = _started(app, api)
    filer = browser("rsj_filer")
    page = filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'id="comment-file"' in page   # one form: text and file
    typed = "附上佐证" + "长" * 5000
    refused = filer.post(f"/instances/{flow.instance_id}/comments", content_type="multipart/form-data",
                         data={"csrf_token": csrf_from(page), "text": typed, "file": (io.BytesIO(_pdf()), "佐证.pdf")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and typed in html
    kept = re.search(r'name="attachment" value="(\d+)" id="ca\d+" checked>\s*<label[^>]*>佐证.pdf<', html)
    assert kept, "the chosen file is kept and ticked"
    posted = filer.post(f"/instances/{flow.instance_id}/comments",
                        data={"csrf_token": csrf_from(html), "text": "附上佐证", "attachment": kept.group(1)})
    assert posted.status_code == 302
    with app.app_context():
        comment = db.session.scalars(select(Comment)).one()
        assert comment.attachment_ids == [int(kept.group(1))]


def test_a_refused_file_keeps_the_text(app, api, browser):
    import io
    flow = _started(app, api)
    filer = browser("rsj_filer")
    page = filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    refused = filer.post(f"/instances/{flow.instance_id}/comments", content_type="multipart/form-data",
                         data={"csrf_token": csrf_from(page), "text": "请看附件",
                               "file": (io.BytesIO(b"MZ\x90\x00 not a document"), "tool.exe")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请看附件</textarea>" in html and "不支持的文件类型" in html


def _pdf() -> bytes:
    from .test_rectification import PDF
    return PDF


# --- 9: limits stated by the server, counted in the page -----------------------------------------------------

def test_a_task_form_over_its_limit_says_the_limit_and_keeps_the_text(app, api, browser):
    flow = _started(app, api)
    flow.do(flow.filer, "draft_goals", goals())
    head = browser("rsj_head")
    task = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    page = head.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*maxlength="5000"[^>]*name="opinion"|<textarea[^>]*name="opinion"[^>]*maxlength="5000"',
                     page)
    pasted = "审" * 6000                      # what a bypassed maxlength (or a script) sends
    refused = head.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(page), "approved": "true",
                                                      "opinion": pasted})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "不超过5000字（当前6000字）" in html and pasted in html


def test_the_api_states_the_limit_too(app, api):
    flow = _started(app, api)
    task = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    response = flow.filer.complete(task["id"], goals(overall_goal="目" * 5001))
    assert response.status_code == 422
    assert response.get_json()["fields"]["overall_goal"] == ["不超过5000字（当前5001字）"]


# --- 10: negative targets ---------------------------------------------------------------------------------

def _draft_task(flow: GoalFlow) -> int:
    return flow.filer.task_named("draft_goals", instance_id=flow.instance_id)["id"]


def _versions(app) -> list[GoalVersion]:
    with app.app_context():
        return list(db.session.scalars(select(GoalVersion)))


def test_a_negative_quantitative_target_is_refused_and_nothing_saved(app, api):
    flow = _started(app, api)
    body = goals()
    body["indicators"][0].update(target="-5", unit="处")
    response = flow.filer.complete(_draft_task(flow), body)
    assert response.status_code == 422
    message = response.get_json()["fields"]["indicators.0.target"][0]
    assert "不能为负数" in message and "允许负值" in message
    assert _versions(app) == []


def test_a_negative_target_is_accepted_when_the_indicator_allows_it(app, api):
    flow = _started(app, api)
    body = goals()
    body["indicators"][1].update(name="单位成本降低", operator="<=", target="-5", unit="%", allow_negative=True)
    response = flow.filer.complete(_draft_task(flow), body)
    assert response.status_code == 200, response.get_json()
    project = flow.filer.get(f"/api/v1/projects/{flow.project_id}").get_json()
    indicator = project["goal_versions"][0]["indicators"][1]
    assert indicator["target"] == "-5" and indicator["allow_negative"] is True
    assert project["goal_versions"][0]["indicators"][0]["allow_negative"] is False


def test_a_negative_weight_is_refused_with_its_own_message(app, api):
    flow = _started(app, api)
    body = goals()
    for row, weight in zip(body["indicators"], (50.01, 20, 30, -0.01)):   # sums to 100
        row["weight"] = weight
    response = flow.filer.complete(_draft_task(flow), body)
    assert response.status_code == 422
    assert response.get_json()["fields"]["indicators.3.weight"] == ["权重须在0到100之间"]
    assert _versions(app) == []


def test_the_page_keeps_the_allow_negative_tick_and_refuses_minus_five(app, api, browser):
    flow = _started(app, api)
    filer = browser("rsj_filer")
    url = f"/tasks/{_draft_task(flow)}"
    page = filer.get(url).get_data(as_text=True)
    assert "允许负值" in page
    rows = [dict(r) for r in INDICATORS]
    rows[0].update(target="-5", unit="处")
    rows[1].update(target="-3")
    data = indicator_form(rows, overall_goal="目标", csrf_token=csrf_from(page))
    data["indicators-1-allow_negative"] = "y"
    refused = filer.post(url, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "指标值不能为负数" in html
    assert re.search(r'name="indicators-1-allow_negative"[^>]*checked|checked[^>]*name="indicators-1-allow_negative"',
                     html)
    assert not re.search(r'name="indicators-0-allow_negative"[^>]*checked', html)
    assert _versions(app) == []


# --- 18: English names of tasks and processes -----------------------------------------------------------------

def test_the_english_ui_names_tasks_and_processes_in_english(app, api, browser):
    flow = _started(app, api)
    flow.do(flow.filer, "draft_goals", goals())
    head = browser("rsj_head")
    head.set_cookie("lang", "en")
    inbox = head.get("/tasks?scope=group").get_data(as_text=True)
    assert "1st submission: department head sign-off" in inbox and "一上：部门负责人审核签发" not in inbox
    task = flow.head.task_named("dept_signoff", instance_id=flow.instance_id)
    page = head.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert '<h1 class="h4">1st submission: department head sign-off</h1>' in page
    assert "1st submission: draft the performance goals" in page          # the history and send-back targets
    instance = head.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    assert "Performance goal review (two submissions, two responses) #" in instance
    assert "绩效目标二上二下审核" not in instance and "一上：编制绩效目标" not in instance
    project = head.get(f"/projects/{flow.project_id}").get_data(as_text=True)
    assert "Performance goal review (two submissions, two responses)" in project


def test_the_chinese_ui_keeps_the_bpmn_names(app, api, browser):
    flow = _started(app, api)
    filer = browser("rsj_filer")
    assert "一上：编制绩效目标" in filer.get("/tasks?scope=group").get_data(as_text=True) + \
        filer.get("/tasks").get_data(as_text=True)
    assert "绩效目标二上二下审核 #" in filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
