"""Issue 13, items 12, 15 and 16 through the pages and the API: task pages read-only for those who may not act,
people pickers (name and department) for 转办 and 代理, search in 项目库 and the inbox by project name."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from workflow_app.extensions import db
from workflow_app.services.org import create_user
from workflow_app.services.standins import today

from .conftest import csrf_from
from .goal_flow import GoalFlow, goals
from .helpers import RSJ, SLJ, project_id, start

SUBMIT_FORM = re.compile(r'<form method="post" action="/tasks/\d+" novalidate>')


def _user(app, username: str, roles: list[str], department: str | None, name: str) -> None:
    with app.app_context():
        create_user(username, "password-2", roles, department, name)
        db.session.commit()


def _joint_review(app, api) -> GoalFlow:
    flow = GoalFlow(api, project_id(app, RSJ))
    flow.start()
    flow.through_formal_check()
    return flow


def _task_id(flow: GoalFlow, name: str, username: str | None = None) -> int:
    ready = [t for t in flow.instance()["ready_tasks"] if t["name"] == name
             and (username is None or t["assignee"] == username)]
    assert ready, name
    return ready[0]["id"]


def _options(html: str, select_name: str) -> list[tuple[str, str]]:
    match = re.search(r'<select[^>]*name="' + select_name + r'"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no <select name={select_name}>"
    return [(v, t.strip()) for v, t in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', match.group(1))]


# -- item 12: read-only task pages ---------------------------------------------------------------------------------
def test_filer_sees_experts_and_finance_tasks_read_only(app, api, browser):
    flow = _joint_review(app, api)
    filer = browser("rsj_filer")
    # the experts' reviews are anonymous to the department: not even read-only (item 4)
    assert filer.get(f"/tasks/{_task_id(flow, 'expert_review')}").status_code == 404
    for name in ("finance_review", "authority_review"):
        response = filer.get(f"/tasks/{_task_id(flow, name)}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        # no claim button, no form, no send-back / reassign / urge
        assert "认领</button>" not in html and not SUBMIT_FORM.search(html), name
        assert "/claim" not in html and "/send-back" not in html and "/reassign" not in html and "/urge" not in html
        # what it is, who may act (by role label, not username), until when
        assert "只读" in html and "您可以查看此任务，但不能办理" in html and "待评审的绩效目标" in html
        assert "截止" in html
    expert_page = browser("jxk").get(f"/tasks/{_task_id(flow, 'expert_review')}").get_data(as_text=True)
    assert "指定的评审专家" in expert_page
    assert "财政业务科室" in filer.get(f"/tasks/{_task_id(flow, 'finance_review')}").get_data(as_text=True)
    # another department's filer: not found at all
    assert browser("slj_filer").get(f"/tasks/{_task_id(flow, 'finance_review')}").status_code == 404


def test_actors_still_get_the_form_and_only_their_buttons(app, api, browser):
    flow = _joint_review(app, api)
    finance_id = _task_id(flow, "finance_review")
    sbk = browser("sbk").get(f"/tasks/{finance_id}").get_data(as_text=True)
    assert SUBMIT_FORM.search(sbk) and f"/tasks/{finance_id}/claim" in sbk and "只读" not in sbk
    assert "/reassign" not in sbk and "/urge" not in sbk   # not the performance section
    # the performance section follows it read-only, with 转办 and 催办
    jxk = browser("jxk").get(f"/tasks/{finance_id}").get_data(as_text=True)
    assert not SUBMIT_FORM.search(jxk) and "只读" in jxk and "/claim" not in jxk
    assert f"/tasks/{finance_id}/reassign" in jxk and f"/tasks/{finance_id}/urge" in jxk
    # the expert named on a review gets the form; the department head of the project does not
    expert = flow.experts()[0]
    expert_id = _task_id(flow, "expert_review", expert)
    assert SUBMIT_FORM.search(browser(expert).get(f"/tasks/{expert_id}").get_data(as_text=True))
    assert not SUBMIT_FORM.search(browser("rsj_head").get(f"/tasks/{expert_id}").get_data(as_text=True))


def test_a_task_held_by_a_colleague_is_read_only_without_give_back(app, api, browser):
    _user(app, "rsj_filer2", ["department_filer"], "rsj", "人社局 第二填报人")
    jxk = api("jxk")
    instance = start(jxk, "test_approval", {}, project_id(app, RSJ)).get_json()["id"]
    task = api("rsj_filer").task_named("fill", instance_id=instance)
    assert api("rsj_filer").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    other = browser("rsj_filer2", "password-2").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "只读" in other and "办理中" in other and not SUBMIT_FORM.search(other)
    assert "放回待认领" not in other and "认领</button>" not in other
    mine = browser("rsj_filer").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert SUBMIT_FORM.search(mine) and "放回待认领" in mine and "只读" not in mine
    # a department lane names its department beside the role label
    approve_view = browser("rsj_head").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "部门填报人（县人力资源和社会保障局）" in approve_view


# -- item 15: pickers ----------------------------------------------------------------------------------------------
def test_reassign_picker_lists_eligible_people_by_name_and_department(app, api, browser):
    _user(app, "rsj_filer2", ["department_filer"], "rsj", "人社局 第二填报人")
    _user(app, "rsj_old", ["department_filer"], "rsj", "人社局 已离职")
    with app.app_context():
        from sqlalchemy import select
        from workflow_app.models import User
        db.session.scalars(select(User).where(User.username == "rsj_old")).one().active = False
        db.session.commit()
    instance = start(api("jxk"), "test_approval", {}, project_id(app, RSJ)).get_json()["id"]
    task = api("rsj_filer").task_named("fill", instance_id=instance)
    assert api("rsj_filer").post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    page = browser("jxk").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert not re.search(r'<input[^>]*name="username"', page)   # no typed username any more
    options = _options(page, "username")
    # the holder is not offered; another department's filer, the head, the inactive user are not either
    assert options == [("rsj_filer2", "人社局 第二填报人（县人力资源和社会保障局）")]
    moved = browser("jxk")
    form = moved.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert moved.post(f"/tasks/{task['id']}/reassign",
                      data={"csrf_token": csrf_from(form), "username": "rsj_filer2"}).status_code == 302
    assert [t["id"] for t in api("rsj_filer2", "password-2").tasks("mine")] == [task["id"]]
    # the server keeps refusing whoever is not in the list
    jxk = api("jxk")
    for username in ("slj_filer", "rsj_head", "rsj_old", "rsj_filer2"):
        assert jxk.post(f"/api/v1/tasks/{task['id']}/reassign", json={"username": username}).status_code == 422


def test_reassign_picker_of_an_experts_review_lists_the_other_experts(app, api, browser):
    flow = _joint_review(app, api)
    expert = flow.experts()[0]
    page = browser("jxk").get(f"/tasks/{_task_id(flow, 'expert_review', expert)}").get_data(as_text=True)
    values = [v for v, _ in _options(page, "username")]
    assert expert not in values and values and all(v.startswith("expert") for v in values)
    assert all(text.endswith("（县财政评审专家库）") for _, text in _options(page, "username"))
    finance = browser("jxk").get(f"/tasks/{_task_id(flow, 'finance_review')}").get_data(as_text=True)
    assert set(_options(finance, "username")) == {("sbk", "社保科 李科员（县财政局社会保障科）"),
                                                   ("nyk", "农业农村科 赵科员（县财政局农业农村科）")}


def test_bulk_reassign_in_the_inbox_with_a_picker(app, api, browser):
    # two goal reviews waiting for the formal check: the performance section's group queue
    flows = [GoalFlow(api, project_id(app, RSJ)),
             GoalFlow(api, project_id(app, SLJ), filer="slj_filer", head="slj_head", authority="slj_head")]
    for flow in flows:
        flow.start()
        flow.do(flow.filer, "draft_goals", goals())
        flow.do(flow.head, "dept_signoff", {"approved": True, "opinion": "同意"})
    ids = [_task_id(flow, "formal_check") for flow in flows]
    _user(app, "jxk2", ["performance_section"], "czj-jxk", "绩效科 马科员")
    assert "转办所选" not in browser("rsj_filer").get("/tasks?scope=group").get_data(as_text=True)
    jxk = browser("jxk")
    inbox = jxk.get("/tasks?scope=group").get_data(as_text=True)
    assert "转办所选" in inbox and "认领所选" in inbox
    options = _options(inbox, "username")
    assert ("jxk2", "绩效科 马科员（县财政局绩效管理科）") in options
    assert all(text.endswith("）") for _, text in options)   # names with departments, never a bare username
    assert '<optgroup label="绩效科">' in inbox
    refused = jxk.post("/tasks/bulk-reassign", data={"csrf_token": csrf_from(inbox), "scope": "group",
                                                     "task_id": [str(i) for i in ids], "username": "rsj_filer"},
                       follow_redirects=True)
    assert "已转办 0 项，2 项未能转办" in refused.get_data(as_text=True)
    assert api("jxk2", "password-2").tasks("mine") == []
    done = jxk.post("/tasks/bulk-reassign", data={"csrf_token": csrf_from(inbox), "scope": "group",
                                                  "task_id": [str(i) for i in ids], "username": "jxk2"},
                    follow_redirects=True)
    assert "已转办 2 项，0 项未能转办" in done.get_data(as_text=True)
    assert sorted(t["id"] for t in api("jxk2", "password-2").tasks("mine")) == sorted(ids)


def test_stand_in_picker_lists_same_department_people_sharing_a_role(app, api, browser):
    _user(app, "rsj_head2", ["department_head"], "rsj", "人社局 副局长")
    _user(app, "rsj_both", ["department_filer", "department_head"], "rsj", "人社局 综合")
    head = browser("rsj_head")
    page = head.get("/me/stand-in").get_data(as_text=True)
    assert not re.search(r'<input[^>]*name="username"', page)
    assert _options(page, "username") == [("rsj_head2", "人社局 副局长（县人力资源和社会保障局）"),
                                          ("rsj_both", "人社局 综合（县人力资源和社会保障局）"),
                                          ("rsj_deputy", "人社局 黄副局长（县人力资源和社会保障局）")]
    start_day, end_day = today().isoformat(), (today() + timedelta(days=3)).isoformat()
    # another department's head is refused by the server (422, nothing saved)
    bad = head.post("/me/stand-in", data={"csrf_token": csrf_from(page), "username": "slj_head",
                                          "from": start_day, "until": end_day})
    assert bad.status_code == 422 and "代理人须与本人同部门并具有相同角色" in bad.get_data(as_text=True)
    empty = head.post("/me/stand-in", data={"csrf_token": csrf_from(page), "username": "",
                                            "from": start_day, "until": end_day})
    assert empty.status_code == 422 and "请选择代理人" in empty.get_data(as_text=True)
    ok = head.post("/me/stand-in", data={"csrf_token": csrf_from(page), "username": "rsj_head2",
                                         "from": start_day, "until": end_day}, follow_redirects=True)
    html = ok.get_data(as_text=True)
    assert "当前代理人：人社局 副局长（县人力资源和社会保障局）" in html and "rsj_head2）" not in html


def test_stand_in_page_says_when_nobody_can_stand_in(app, browser):
    page = browser("rsj_filer").get("/me/stand-in").get_data(as_text=True)
    assert _options(page, "username") == [] and "无法设置代理" in page


# -- item 16: search -----------------------------------------------------------------------------------------------
def _project_rows(html: str) -> list[str]:
    return re.findall(r'<tr><td>([^<]+)</td><td><a href="/projects/\d+">', html)


def test_project_library_search_by_name_code_department_and_year(app, api, browser):
    filer = api("rsj_filer")
    for code, name, year in (("2028-RSJ-001", "城乡居民就业技能培训补贴", 2028), ("2027-RSJ-002", "公益性岗位补贴", 2027),
                             ("2027-RSJ-003", "100%_达标奖励", 2027)):
        assert filer.post("/api/v1/projects", json={"code": code, "name": name, "department": "rsj",
                                                    "fiscal_year": year, "amount": 10}).status_code == 201
    jxk = browser("jxk")
    everything = _project_rows(jxk.get("/projects").get_data(as_text=True))
    assert len(everything) == 8
    assert _project_rows(jxk.get("/projects?q=培训").get_data(as_text=True)) == ["2028-RSJ-001", "2027-RSJ-001"]
    assert _project_rows(jxk.get("/projects?q=rsj-00").get_data(as_text=True)) == [
        "2028-RSJ-001", "2027-RSJ-001", "2027-RSJ-002", "2027-RSJ-003"]   # by code, any case
    assert _project_rows(jxk.get("/projects?q=%25_").get_data(as_text=True)) == ["2027-RSJ-003"]  # literal % _
    assert _project_rows(jxk.get("/projects?q=补贴&fiscal_year=2027").get_data(as_text=True)) == [
        "2027-RSJ-001", "2027-RSJ-002"]
    page = jxk.get("/projects?department=slj").get_data(as_text=True)
    assert _project_rows(page) == ["2027-SLJ-001"]
    assert '<option value="slj" selected>' in page and '<option value="2028" ' in page
    searched = jxk.get("/projects?q=培训").get_data(as_text=True)
    assert 'name="q"' in searched and 'value="培训"' in searched
    # a department sees only its own projects, searched or not, and only its own in the department select
    slj = browser("slj_filer").get("/projects?q=补贴").get_data(as_text=True)
    assert _project_rows(slj) == [] and '<option value="rsj"' not in slj
    # the API takes the same search
    listed = api("jxk").get("/api/v1/projects?q=培训&fiscal_year=2028").get_json()
    assert [p["code"] for p in listed["items"]] == ["2028-RSJ-001"] and listed["total"] == 1
    assert api("jxk").get("/api/v1/projects?q=" + "x" * 101).status_code == 422


def test_project_library_pages_keep_the_search(app, api, browser, monkeypatch):
    from workflow_app.web import projects as project_pages
    monkeypatch.setattr(project_pages, "PAGE_SIZE", 2)
    filer = api("rsj_filer")
    for n in range(2, 6):
        assert filer.post("/api/v1/projects", json={"code": f"2027-RSJ-00{n}", "name": f"就业补贴{n}",
                                                    "department": "rsj", "fiscal_year": 2027,
                                                    "amount": 10}).status_code == 201
    jxk = browser("jxk")
    first = jxk.get("/projects?q=补贴&department=rsj").get_data(as_text=True)
    assert _project_rows(first) == ["2027-RSJ-001", "2027-RSJ-002"] and "共 5 个项目" in first
    links = re.findall(r'href="(/projects\?[^"]+)"', first)
    third = [link for link in links if "page=3" in link]
    assert third and "q=%E8%A1%A5%E8%B4%B4" in third[0] and "department=rsj" in third[0]
    last = jxk.get(third[0].replace("&amp;", "&")).get_data(as_text=True)
    assert _project_rows(last) == ["2027-RSJ-005"]


@pytest.mark.parametrize("scope", ["mine", "group", "done", "started"])
def test_inbox_filter_by_project_name_in_every_queue(app, api, browser, scope):
    filer = api("rsj_filer")
    with app.app_context():
        from workflow_app.models import Project
        from workflow_app.services.projects import department_by_code
        db.session.add(Project(code="2027-RSJ-009", name="公益性岗位补贴", department_id=department_by_code("rsj").id,
                               fiscal_year=2027, amount=5))
        db.session.commit()
    second = project_id(app, "2027-RSJ-009")
    # the filer starts the goal review of each (the "started" queue); one task held, one open, one done each
    ids = {}
    for pid, key in ((project_id(app, RSJ), "training"), (second, "posts")):
        flow = GoalFlow(api, pid)
        flow.start()
        ids[key] = flow.instance_id
    # The starter holds the first task (in "mine"); "group" needs it given back, "done" completed.
    if scope in ("group", "done"):
        for instance in ids.values():
            task = filer.task_named("draft_goals", instance_id=instance)
            if scope == "group":
                assert filer.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
            else:
                assert filer.complete(task["id"], goals()).status_code == 200

    def names(query: str) -> set[str]:
        page = filer.get(f"/api/v1/tasks?scope={scope}{query}").get_json()
        assert page["total"] == len(page["items"])
        return {t["instance_id"] for t in page["items"]}

    assert names("") == set(ids.values())
    assert names("&project_name=培训") == {ids["training"]}
    assert names("&project_name=岗位") == {ids["posts"]}
    assert names("&project_name=2027-rsj-009") == {ids["posts"]}      # the code too, any case
    assert names("&project_name=%25") == set()                         # % is a character, not a wildcard
    assert names("&project_name=补贴") == set(ids.values())
    assert names("&project_name=补贴&fiscal_year=2030") == set()       # with the other filters
    assert filer.get(f"/api/v1/tasks?scope={scope}&project_name=" + "x" * 101).status_code == 422
    # the page: a search box keeping what was typed, and the filter kept in the paging links
    page = browser("rsj_filer").get(f"/tasks?scope={scope}&project_name=岗位").get_data(as_text=True)
    assert "公益性岗位补贴" in page and "城乡居民就业技能培训补贴" not in page
    assert 'name="project_name"' in page and 'value="岗位"' in page


def test_project_name_filter_keeps_an_inbox_page_one_statement_with_bound_values(app, api):
    from .test_query_counts import counting
    jxk, filer = api("jxk"), api("rsj_filer")
    for _ in range(3):
        start(jxk, "test_approval", {}, project_id(app, RSJ))
    for scope in ("mine", "group"):
        with counting(app) as plain:
            filer.get(f"/api/v1/tasks?scope={scope}")
        with counting(app) as seen:
            page = filer.get(f"/api/v1/tasks?scope={scope}&project_name=培训").get_json()
        assert len(seen) == len(plain) <= 3, seen   # as without it: the page carries its total
        assert not any("培训" in statement for statement in seen)   # the pattern is bound, not written in
    assert page["total"] == 3 and len(page["items"]) == 3
