"""The instance page's diagrams: the XML routes (visibility, called processes only) and the markers."""
from __future__ import annotations

import json
import re

from tests.goal_flow import GoalFlow
from tests.helpers import RSJ, SLJ, project_id


def figures(page: str) -> list[dict]:
    out = []
    for m in re.finditer(r"<figure[^>]*data-diagram\s[^>]*>", page):
        tag = m.group(0)
        out.append({
            "url": re.search(r'data-diagram-url="([^"]+)"', tag).group(1).replace("&amp;", "&"),
            "completed": json.loads(re.search(r"data-completed='([^']*)'", tag).group(1)),
            "ready": json.loads(re.search(r"data-ready='([^']*)'", tag).group(1)),
        })
    return out


def test_instance_page_draws_the_process_and_the_called_joint_review(app, api, browser):
    flow = GoalFlow(api, project_id(app, RSJ))
    iid = flow.start()
    flow.through_formal_check()
    flow.do(flow.finance, "finance_review", {"grade": "良", "opinion": "财政意见"})

    jxk = browser("jxk")
    page = jxk.get(f"/instances/{iid}").get_data(as_text=True)
    assert "<script>" not in page and ' style="' not in page and "onclick" not in page
    assert "bpmn-navigated-viewer.production.min.js" in page and "js/diagram.js" in page
    main, joint = figures(page)
    assert main["url"] == f"/instances/{iid}/diagram.xml"
    assert main["completed"] == ["dept_signoff", "draft_goals", "formal_check"]
    assert main["ready"] == ["joint_review"]          # the call activity is where the work is
    assert joint["url"] == f"/instances/{iid}/diagram.xml?process=joint_review"
    assert joint["completed"] == ["finance_review"]
    assert joint["ready"] == ["authority_review", "expert_review"]
    # the rest of the page still works
    assert "办理记录" in page and "当前待办" in page

    xml = jxk.get(main["url"])
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert b'<bpmn:process id="goal_review"' in xml.data and b"BPMNDiagram" in xml.data
    sub = jxk.get(joint["url"])
    assert sub.status_code == 200 and b'<bpmn:process id="joint_review"' in sub.data
    # only processes the instance calls
    assert jxk.get(f"/instances/{iid}/diagram.xml?process=rectification").status_code == 404
    assert jxk.get(f"/instances/{iid}/diagram.xml?process=review_grading").status_code == 404
    # the same visibility as the page: another department gets 404 for both
    other = browser("slj_filer")
    assert other.get(f"/instances/{iid}").status_code == 404
    assert other.get(main["url"]).status_code == 404
    assert other.get(joint["url"]).status_code == 404
    assert browser("rsj_filer").get(joint["url"]).status_code == 200
    assert app.test_client().get(main["url"]).status_code == 302
    assert jxk.get("/instances/999999/diagram.xml").status_code == 404


def test_a_process_without_calls_has_one_diagram(app, api, browser):
    from tests.helpers import start
    jxk_api = api("jxk")
    iid = start(jxk_api, "test_approval", {}, project_id(app, SLJ)).get_json()["id"]
    page = browser("jxk").get(f"/instances/{iid}").get_data(as_text=True)
    (only,) = figures(page)
    assert only["completed"] == [] and len(only["ready"]) == 1
    assert browser("jxk").get(f"/instances/{iid}/diagram.xml?process=joint_review").status_code == 404
