"""The pages people work in: the goal review and rectification journeys through real forms with CSRF."""
from __future__ import annotations

import io
import re

from .conftest import csrf_from
from .disclosure_flow import publish
from .goal_flow import GoalFlow, INDICATORS
from .helpers import RSJ, project_id
from .test_rectification import PDF, Rect


def indicator_form(rows, **extra) -> dict[str, str]:
    data = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"indicators-{i}-{key}"] = str(value)
    data.update({k: str(v) for k, v in extra.items()})
    return data


def task_link(html: str, title_fragment: str) -> str:
    match = re.search(r'href="(/tasks/\d+)">[^<]*' + re.escape(title_fragment), html)
    assert match, f"no task link for {title_fragment}"
    return match.group(1)


def test_goal_review_in_the_browser_from_start_to_public_page(app, api, browser):
    pid = project_id(app, RSJ)
    filer = browser("rsj_filer")
    page = filer.get(f"/projects/{pid}")
    assert page.status_code == 200 and "发起" in page.get_data(as_text=True)
    started = filer.post(f"/projects/{pid}/goal-review", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert started.status_code == 302
    task_url = started.headers["Location"]
    form_page = filer.get(task_url).get_data(as_text=True)
    assert "年度总体目标" in form_page

    # weights that do not sum to 100: 422, the message beside the indicators, every typed row kept
    rows = [dict(r) for r in INDICATORS]
    rows[0]["weight"] = 45
    bad = filer.post(task_url, data={"csrf_token": csrf_from(form_page), "overall_goal": "<b>目标</b>",
                                     **indicator_form(rows)})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "指标权重合计必须为100" in html
    assert 'value="培训合格率"' in html and 'value="学员满意度"' in html and "&lt;b&gt;目标&lt;/b&gt;" in html

    good = filer.post(task_url, data={"csrf_token": csrf_from(html), "overall_goal": "<script>alert(1)</script>培训目标",
                                      **indicator_form(INDICATORS)})
    assert good.status_code == 302

    head = browser("rsj_head")
    inbox = head.get("/tasks?scope=group").get_data(as_text=True)
    signoff_url = task_link(inbox, "")
    signoff_page = head.get(signoff_url).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;培训目标" in signoff_page and "<script>alert(1)" not in signoff_page
    assert head.post(signoff_url, data={"approved": "true", "opinion": "同意"}).status_code == 400  # no CSRF
    done = head.post(signoff_url, data={"csrf_token": csrf_from(signoff_page), "approved": "true", "opinion": "同意"})
    assert done.status_code == 302

    # the rest of the review through the API, then the approval page and the public page
    flow = GoalFlow(api, pid)
    flow.instance_id = api("jxk").task_named("formal_check")["instance_id"]
    flow.do(flow.jxk, "formal_check", {"complete": True, "opinion": "完整"})
    flow.joint_review("优", "良", [92, 90, 94])
    jxk = browser("jxk")
    consolidate = flow.jxk.task_named("consolidate", instance_id=flow.instance_id)
    page = jxk.get(f"/tasks/{consolidate['id']}").get_data(as_text=True)
    assert "建议" in page
    flow.do(flow.jxk, "consolidate", {"grade": "优", "opinion": "好", "control_amount": 300})
    flow.do(flow.filer, "revise_goals", {"overall_goal": "修订后的培训目标", "indicators": INDICATORS, "amount": 300})
    final = flow.jxk.task_named("final_review", instance_id=flow.instance_id)
    final_page = jxk.get(f"/tasks/{final['id']}").get_data(as_text=True)
    approved = jxk.post(f"/tasks/{final['id']}", data={"csrf_token": csrf_from(final_page), "approved": "true",
                                                         "opinion": "批复"})
    assert approved.status_code == 302
    # approved goals go public once the department publishes them with its budget (信息公开)
    assert "修订后的培训目标" not in app.test_client().get("/public/goals").get_data(as_text=True)
    publish(app, api, flow.instance_id, "rsj_filer")
    public = app.test_client().get("/public/goals").get_data(as_text=True)
    assert "修订后的培训目标" in public and "培训人次" in public and "城乡居民就业技能培训补贴" in public
    project_page = filer.get(f"/projects/{pid}").get_data(as_text=True)
    assert "一上" in project_page and "二上" in project_page


def test_another_departments_task_page_is_404_and_inbox_lists_mine(app, api, browser):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    task = flow.filer.task_named("draft_goals", instance_id=flow.instance_id)
    assert browser("slj_filer").get(f"/tasks/{task['id']}").status_code == 404
    assert browser("slj_filer").get(f"/instances/{flow.instance_id}").status_code == 404
    inbox = browser("rsj_filer").get("/tasks?scope=mine").get_data(as_text=True)  # the starter holds it
    assert f"/tasks/{task['id']}" in inbox


def test_rectification_pages_board_chain_upload_and_ledger(app, api, browser):
    rect = Rect(app, api, days=3)
    rect.plan_accepted()
    filer = browser("rsj_filer")
    task = rect.filer.task_named("report_progress", instance_id=rect.instance_id)
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    uploaded = filer.post("/attachments", data={"csrf_token": csrf_from(page), "back": f"/tasks/{task['id']}",
                                                "file": (io.BytesIO(PDF), "验收报告.pdf")},
                          content_type="multipart/form-data")
    assert uploaded.status_code == 302
    page = filer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    evidence_id = re.search(r'name="evidence-0" value="(\d+)"', page).group(1)
    sent = filer.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(page), "progress": "已整改",
                                                      "evidence-0": evidence_id, "done": "true"})
    assert sent.status_code == 302
    supervisor = browser("supervisor")
    board = supervisor.get("/rectifications").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in board and "待审核" in board
    chain = supervisor.get(f"/rectifications/{rect.id}").get_data(as_text=True)
    assert "已整改" in chain and "验收报告.pdf" in chain and "绩效目标未细化量化" in chain
    assert supervisor.get(f"/attachments/{evidence_id}").data == PDF
    assert browser("slj_filer").get(f"/rectifications/{rect.id}").status_code == 404
    year = rect.jxk.get(f"/api/v1/projects/{rect.project_id}").get_json()["fiscal_year"]
    export = browser("jxk").get(f"/rectifications/ledger.xlsx?year={year}")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_pages_send_a_strict_content_security_policy(app, browser):
    response = browser("jxk").get("/tasks")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_revision_page_starts_from_the_latest_version(app, api, browser):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    flow.joint_review("良", "良", [85, 85, 85])
    flow.do(flow.jxk, "consolidate", {"grade": "良", "opinion": "请压减", "control_amount": 260})
    task = flow.filer.task_named("revise_goals", instance_id=flow.instance_id)
    html = browser("rsj_filer").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'value="培训人次"' in html and 'value="学员满意度"' in html
    assert "260" in html  # the control number beside the amount


def test_instance_page_comment_and_withdraw(app, api, browser):
    from .goal_flow import goals
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.do(flow.filer, "draft_goals", goals())
    filer = browser("rsj_filer")
    page = filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    assert "撤回我的上一步办理" in page
    posted = filer.post(f"/instances/{flow.instance_id}/comments",
                        data={"csrf_token": csrf_from(page), "text": "<script>x()</script>请尽快签发"})
    assert posted.status_code == 302
    page = filer.get(f"/instances/{flow.instance_id}").get_data(as_text=True)
    assert "&lt;script&gt;x()&lt;/script&gt;请尽快签发" in page
    back = filer.post(f"/instances/{flow.instance_id}/withdraw", data={"csrf_token": csrf_from(page), "reason": "改"})
    assert back.status_code == 302
    assert [t["name"] for t in flow.instance()["ready_tasks"]] == ["draft_goals"]


def test_inbox_filters_and_notification_and_stand_in_pages(app, api, browser):
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    filer = browser("rsj_filer")
    # the starter holds the draft (我的待办), so the filters are tried on that queue
    assert "城乡居民就业技能培训补贴" in filer.get("/tasks?scope=mine").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" not in filer.get("/tasks?scope=mine&due=overdue").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" not in filer.get("/tasks?scope=mine&fiscal_year=2030").get_data(as_text=True)
    notes = filer.get("/notifications").get_data(as_text=True)
    assert "新待办" in notes
    page = filer.get("/me/stand-in").get_data(as_text=True)
    bad = filer.post("/me/stand-in", data={"csrf_token": csrf_from(page), "username": "nobody", "from": "x", "until": ""})
    assert bad.status_code == 422 and "用户不存在" in bad.get_data(as_text=True)
