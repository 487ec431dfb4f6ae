"""信息公开: the publish decision on approved goal tables (公开 with the date, 不公开 with a required reason), the
warning for approvals left undecided, and the public portal, which shows nothing that is not published."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from workflow_app.engine import now
from workflow_app.extensions import db
from workflow_app.models import AuditEvent, GoalReview, ProcessInstance, Publication

from .conftest import csrf_from
from .disclosure_flow import approve, create_project
from .goal_flow import GoalFlow, goals
from .helpers import RSJ, SLJ, project_id


def publications(app) -> list[tuple[int, bool, str | None]]:
    with app.app_context():
        rows = db.session.execute(select(Publication.object_id, Publication.published, Publication.reason)
                                  .order_by(Publication.object_id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_the_department_publishes_or_withholds_with_a_reason(app, api):
    table = approve(app, api, RSJ, "rsj")
    jxk, filer = api("jxk"), api("rsj_filer")
    listed = filer.get("/api/v1/publications?year=2027").get_json()
    assert [(i["kind"], i["id"], i["state"], i["code"]) for i in listed["items"]] == [
        ("goal_table", table, "pending", RSJ)]

    # 不公开 needs a reason: 422 and nothing saved
    refused = filer.put(f"/api/v1/publications/goal_table/{table}", json={"published": False, "reason": "  "})
    assert refused.status_code == 422 and "reason" in refused.get_json()["fields"]
    assert filer.put(f"/api/v1/publications/goal_table/{table}", json={"published": "yes"}).status_code == 422
    assert publications(app) == []

    withheld = filer.put(f"/api/v1/publications/goal_table/{table}", json={"published": False, "reason": "涉密项目"})
    assert withheld.status_code == 200, withheld.get_json()
    assert (withheld.get_json()["state"], withheld.get_json()["reason"]) == ("withheld", "涉密项目")
    published = jxk.put(f"/api/v1/publications/goal_table/{table}", json={"published": True})
    body = published.get_json()
    assert published.status_code == 200 and body["state"] == "published" and body["reason"] is None
    assert body["published_at"] and body["decided_by"] == "jxk"
    assert publications(app) == [(table, True, None)]
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "goal_table")
                                          .order_by(AuditEvent.id)))
    assert actions == ["publication_withheld", "publication_published"]


def test_who_may_decide(app, api):
    table = approve(app, api, RSJ, "rsj")
    url = f"/api/v1/publications/goal_table/{table}"
    body = {"published": True}
    assert api("slj_filer").put(url, json=body).status_code == 404     # another department's table
    assert api("slj_filer").get(url).status_code == 404
    assert api("expert1").put(url, json=body).status_code == 404
    assert api("sbk").get(url).status_code == 200                       # reads every project, decides nothing
    assert api("sbk").put(url, json=body).status_code == 403
    assert api("supervisor").put(url, json=body).status_code == 403
    assert api("expert1").get("/api/v1/publications").status_code == 403
    assert api("slj_filer").get("/api/v1/publications").get_json()["items"] == []
    assert api().put(url, json=body).status_code == 401
    assert publications(app) == []
    assert api("rsj_head").put(url, json=body).status_code == 200


def test_nothing_unpublished_leaks(app, api):
    """Published, undecided, withheld (不公开), withdrawn and unapproved goal tables: only the published one is
    listed, found by search and downloadable, on the pages and through the API."""
    create_project(api, "rsj_filer", "2027-RSJ-002", "公益性岗位开发补贴", "rsj")
    create_project(api, "rsj_filer", "2027-RSJ-003", "创业担保贷款贴息", "rsj")
    shown = approve(app, api, RSJ, "rsj")
    undecided = approve(app, api, "2027-RSJ-002", "rsj")
    withheld = approve(app, api, SLJ, "slj")
    in_review = GoalFlow(api, project_id(app, "2027-RSJ-003"))
    in_review.start()
    in_review.do(in_review.filer, "draft_goals", goals(overall_goal="尚在审核中的贴息目标"))
    jxk = api("jxk")
    assert jxk.put(f"/api/v1/publications/goal_table/{shown}", json={"published": True}).status_code == 200
    assert jxk.put(f"/api/v1/publications/goal_table/{withheld}",
                   json={"published": False, "reason": "涉及饮水工程安全信息"}).status_code == 200

    anonymous, public = api(), app.test_client()
    items = anonymous.get("/api/v1/public/documents").get_json()["items"]
    assert [(i["code"], i["id"]) for i in items] == [(RSJ, shown)]
    assert set(items[0]) == {"kind", "kind_label", "id", "code", "title", "department", "department_name",
                             "fiscal_year", "published_at", "pdf"}   # no decider, no reason, no internal state
    hidden_names = ["公益性岗位开发补贴", "农村饮水安全巩固提升工程", "创业担保贷款贴息", "2027-RSJ-002", SLJ, "2027-RSJ-003"]
    for page in ("/public", "/public/goals", "/public?year=2027", "/public?department=slj"):
        html = public.get(page).get_data(as_text=True)
        assert all(name not in html for name in hidden_names), page
        assert "涉及饮水工程安全信息" not in html and "尚在审核中的贴息目标" not in html
    assert "城乡居民就业技能培训补贴" in public.get("/public").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in public.get("/public/goals").get_data(as_text=True)
    for query in ("公益性", "饮水", "贴息", "2027-SLJ", "2027-RSJ-00"):
        assert [i["code"] for i in anonymous.get(f"/api/v1/public/documents?q={query}").get_json()["items"]] in (
            [], [RSJ]), query
        assert "公益性岗位开发补贴" not in public.get(f"/public?q={query}").get_data(as_text=True)
    assert [i["code"] for i in anonymous.get("/api/v1/public/documents?q=就业技能").get_json()["items"]] == [RSJ]
    with app.app_context():
        draft_review = db.session.scalar(select(GoalReview.id).where(GoalReview.instance_id == in_review.instance_id))
    for object_id in (undecided, withheld, draft_review, 999999):
        assert anonymous.get(f"/api/v1/public/documents/goal_table/{object_id}.pdf").status_code == 404
        assert public.get(f"/public/goal_table/{object_id}.pdf").status_code == 404
    assert public.get(f"/public/no_such_kind/{shown}.pdf").status_code == 404
    download = public.get(f"/public/goal_table/{shown}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert download.mimetype == "application/pdf"

    # withdrawn: published once, then 不公开: gone from the list and the download
    assert jxk.put(f"/api/v1/publications/goal_table/{shown}",
                   json={"published": False, "reason": "撤回重新公开"}).status_code == 200
    assert anonymous.get("/api/v1/public/documents").get_json()["items"] == []
    assert public.get(f"/public/goal_table/{shown}.pdf").status_code == 404
    assert "城乡居民就业技能培训补贴" not in public.get("/public/goals").get_data(as_text=True)


def test_portal_filters_by_year_department_and_search(app, api):
    first, second = approve(app, api, RSJ, "rsj"), approve(app, api, SLJ, "slj")
    jxk = api("jxk")
    for table in (first, second):
        assert jxk.put(f"/api/v1/publications/goal_table/{table}", json={"published": True}).status_code == 200
    public = app.test_client()
    both = public.get("/public?year=2027").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in both and "农村饮水安全巩固提升工程" in both
    assert f"/public/goal_table/{first}.pdf" in both
    water = public.get("/public?department=slj").get_data(as_text=True)
    assert "农村饮水安全巩固提升工程" in water and "城乡居民就业技能培训补贴" not in water
    by_code = public.get(f"/public?q={RSJ}").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in by_code and "农村饮水安全巩固提升工程" not in by_code
    assert "没有符合条件的公开文件" in public.get("/public?year=2026").get_data(as_text=True)
    assert api().get("/api/v1/public/documents?department=rsj").get_json()["total"] == 1


def _approved_days_ago(app, table: int, days: int) -> None:
    with app.app_context():
        instance_id = db.session.scalar(select(GoalReview.instance_id).where(GoalReview.id == table))
        db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                           .values(completed_at=now() - timedelta(days=days)))
        db.session.commit()
        db.session.remove()


def test_warning_after_twenty_days_undecided(app, api, browser):
    late, recent = approve(app, api, RSJ, "rsj"), approve(app, api, SLJ, "slj")
    _approved_days_ago(app, late, 21)
    _approved_days_ago(app, recent, 19)
    jxk = api("jxk")
    items = {i["id"]: i for i in jxk.get("/api/v1/publications").get_json()["items"]}
    assert (items[late]["overdue"], items[late]["waiting_days"]) == (True, 21)
    assert items[recent]["overdue"] is False
    assert [i["id"] for i in jxk.get("/api/v1/publications?state=overdue").get_json()["items"]] == [late]
    assert jxk.get("/api/v1/publications?state=late").status_code == 422
    page = browser("jxk")
    dashboard = page.get("/dashboard").get_data(as_text=True)
    assert "1 份已批复的文件超过 20 天未公开" in dashboard
    listing = page.get("/disclosure").get_data(as_text=True)
    assert "1 份已批复的文件超过 20 天未公开" in listing and "已批复 21 天未公开" in listing

    app.config["DISCLOSURE_WARNING_DAYS"] = 30
    try:
        assert "天未公开" not in page.get("/dashboard").get_data(as_text=True)
    finally:
        app.config["DISCLOSURE_WARNING_DAYS"] = 20
    # a decision, either way, ends the warning
    assert jxk.put(f"/api/v1/publications/goal_table/{late}",
                   json={"published": False, "reason": "待部门预算公开时一并公开"}).status_code == 200
    assert "天未公开" not in page.get("/dashboard").get_data(as_text=True)


def test_deciding_on_the_page(app, api, browser):
    table = approve(app, api, RSJ, "rsj")
    page = browser("rsj_filer")
    listing = page.get("/disclosure").get_data(as_text=True)
    assert "城乡居民就业技能培训补贴" in listing and "待定" in listing
    token = csrf_from(listing)
    refused = page.post(f"/disclosure/goal_table/{table}", data={"csrf_token": token, "published": "0", "reason": ""})
    assert refused.status_code == 422 and "不公开须填写原因" in refused.get_data(as_text=True)
    assert publications(app) == []
    assert page.post(f"/disclosure/goal_table/{table}", data={"published": "1"}).status_code == 400  # no CSRF
    done = page.post(f"/disclosure/goal_table/{table}", data={"csrf_token": token, "published": "1"})
    assert done.status_code == 302
    assert publications(app) == [(table, True, None)]
    assert "已公开" in page.get("/disclosure").get_data(as_text=True)
    # another department: not found; a reader of every project: back with a message
    other = browser("slj_filer")
    assert other.post(f"/disclosure/goal_table/{table}",
                      data={"csrf_token": csrf_from(other.get("/disclosure").get_data(as_text=True)),
                            "published": "0", "reason": "x"}).status_code == 404
    assert "城乡居民就业技能培训补贴" not in other.get("/disclosure").get_data(as_text=True)
    assert browser("expert1").get("/disclosure").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Publication)) == 1
