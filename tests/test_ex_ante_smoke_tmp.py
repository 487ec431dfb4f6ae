from tests.ex_ante_flow import ExAnteFlow, new_project, sub_grades
import re

def test_smoke(app, api, browser):
    pid = new_project(api)
    flow = ExAnteFlow(api, pid)
    flow.start()
    filer = browser("rsj_filer")
    r = filer.get(f"/projects/{pid}"); assert r.status_code == 200, r.data[:3000]
    t = flow.task(flow.filer, "register_item")
    r = filer.get(f"/tasks/{t['id']}"); assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "上传评估材料" in html
    flow.through_signoff()
    flow.reviews(True) if False else None
    jxk = browser("jxk")
    t = flow.task(flow.jxk, "organize_review")
    assert jxk.get(f"/tasks/{t['id']}").status_code == 200
    flow.reviews(third_party=False)
    t = flow.task(flow.jxk, "score_review")
    html = jxk.get(f"/tasks/{t['id']}").get_data(as_text=True)
    assert "评分规则" in html and "sub_grades-necessity_relevance" in html, html[-3000:]
    flow.score(sub_grades("良"))
    assert jxk.get("/ex-ante").status_code == 200
    assert jxk.get(f"/ex-ante/{flow.id}").status_code == 200
    r = jxk.get(f"/ex-ante/{flow.id}/report.xlsx"); assert r.status_code == 200
    r = jxk.get(f"/instances/{flow.instance_id}"); assert r.status_code == 200
