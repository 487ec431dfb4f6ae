"""The English locale: pages switch with the `lang` cookie, and the committed catalog is complete and compiled.

Chinese is the source language (every msgid is Chinese); English lives in workflow_app/translations/en. After
changing UI strings run ./scripts/translations, translate what it reports as untranslated, and commit the .pot,
.po and .mo files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from workflow_app.extensions import db
from workflow_app.labels import GRADE_LABELS, LEVEL_LABELS, OPERATOR_LABELS
from workflow_app.models.goal import GRADES, LEVELS, OPERATORS, GoalReview

from .conftest import csrf_from
from .disclosure_flow import publish
from .goal_flow import INDICATORS, GoalFlow
from .helpers import RSJ, project_id
from .test_browser import CHROMIUM, chromium, live, login  # noqa: F401 (fixtures of the browser test below)

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "workflow_app" / "translations"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.mo"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]")
NAV_ZH = ["我的待办", "可认领", "已办", "项目库", "整改督办", "通知", "代理", "退出"]
NAV_EN = ["My to-dos", "To claim", "Done", "Project library", "Rectification supervision", "Notifications",
          "Stand-in", "Log out"]


def text(response) -> str:
    return response.get_data(as_text=True)


def english(client):
    """Choose English the way a user does: the language link sets the `lang` cookie and redirects."""
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "lang=en" in response.headers["Set-Cookie"]
    return client


# --- pages ------------------------------------------------------------------------------------------------------

def test_login_page_is_chinese_by_default(app):
    html = text(app.test_client().get("/login"))
    assert '<html lang="zh-CN">' in html
    assert "用户名" in html and "密码" in html and "登录预算绩效管理系统" in html


def test_login_page_in_english_after_choosing_english(app):
    client = english(app.test_client())
    html = text(client.get("/login"))
    assert '<html lang="en">' in html
    assert "Username" in html and "Password" in html and "Log in to Budget Performance Management" in html
    assert "用户名" not in html and "密码" not in html and "登录" not in html
    assert not CJK.search(html), CJK.findall(html)  # the login page shows no data, so nothing Chinese at all


def test_failed_login_message_is_english(app):
    client = english(app.test_client())
    token = csrf_from(text(client.get("/login")))
    response = client.post("/login", data={"username": "jxk", "password": "wrong-password", "csrf_token": token})
    assert response.status_code == 422
    assert "Incorrect username or password" in text(response) and "用户名或密码错误" not in text(response)


def test_unknown_language_code_keeps_chinese(app):
    client = app.test_client()
    response = client.get("/lang/fr")
    assert response.status_code == 302 and "lang=" not in response.headers.get("Set-Cookie", "")
    assert "用户名" in text(client.get("/login"))


def test_inbox_in_english_shows_english_navigation(app, browser):
    client = english(browser("jxk"))
    html = text(client.get("/tasks"))
    for label in NAV_EN:
        assert label in html, label
    for label in NAV_ZH:
        assert f">{label}<" not in html and f">{label} <" not in html, label
    assert "Statistics" in html  # the performance section sees the dashboard link
    assert ">中文<" in html  # the switch offers the way back


def test_switching_back_to_chinese(app, browser):
    client = english(browser("jxk"))
    assert "My to-dos" in text(client.get("/tasks"))
    back = client.get("/lang/zh_CN?next=/tasks")
    assert back.status_code == 302 and back.headers["Location"].endswith("/tasks")
    html = text(client.get("/tasks"))
    assert '<html lang="zh-CN">' in html
    for label in NAV_ZH:
        assert label in html, label
    assert "My to-dos" not in html and "Project library" not in html
    assert ">English<" in html


@pytest.mark.parametrize("path", [
    "/tasks?scope=mine", "/tasks?scope=group", "/tasks?scope=done", "/tasks?scope=started", "/projects",
    "/rectifications", "/dashboard", "/notifications", "/me/stand-in", "/public/goals", "/logout",
])
def test_pages_render_in_english(app, browser, path):
    """Every page renders with the English catalog (a broken placeholder would raise while formatting)."""
    client = english(browser("jxk"))
    response = client.get(path)
    assert response.status_code == 200, path
    assert "My to-dos" in text(response)


def test_goal_form_labels_and_validation_messages_in_english(app, browser):
    """Lazy form labels and a form error with a placeholder come out of the catalog, formatted."""
    filer = english(browser("rsj_filer"))
    pid = project_id(app, RSJ)
    page = filer.get(f"/projects/{pid}")
    assert "Start performance goal review (1st submission)" in text(page)
    started = filer.post(f"/projects/{pid}/goal-review", data={"csrf_token": csrf_from(text(page))})
    assert started.status_code == 302
    form_page = text(filer.get(started.headers["Location"]))
    assert "Overall annual goal" in form_page and "Add indicator" in form_page and "年度总体目标" not in form_page
    rows = {"indicators-0-level1": "产出指标", "indicators-0-level2": "数量指标", "indicators-0-name": "培训人次",
            "indicators-0-operator": ">=", "indicators-0-target": "3000", "indicators-0-unit": "人次",
            "indicators-0-weight": "40"}
    bad = filer.post(started.headers["Location"],
                     data={"csrf_token": csrf_from(form_page), "overall_goal": "培训目标", **rows})
    assert bad.status_code == 422
    html = text(bad)
    assert "At least one benefit indicator is required" in html
    assert "Indicator weights must total 100 (currently 40" in html
    assert "指标权重合计必须为100" not in html


# --- stored domain values (grades, indicator categories) -------------------------------------------------------

GRADES_EN = {"优": "Excellent", "良": "Good", "中": "Fair", "差": "Poor"}
LEVELS_EN = {"产出指标": "Output indicators", "效益指标": "Benefit indicators",
             "满意度指标": "Satisfaction indicators", "数量指标": "Quantity", "质量指标": "Quality",
             "时效指标": "Timeliness", "社会效益指标": "Social benefits", "服务对象满意度指标": "Beneficiary satisfaction"}


def badge(label: str) -> re.Pattern[str]:
    return re.compile(r'class="badge grade-badge[^"]*">' + re.escape(label) + "</span>")


def cell(label: str) -> str:
    return f"<td>{label}</td>"


def option(html: str, name: str, label: str) -> str:
    """The value of the option of select `name` that shows `label` (what the browser posts when it is chosen)."""
    select = re.search(r'<select[^>]*name="' + re.escape(name) + r'"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    found = re.search(r'<option[^>]*value="([^"]*)"[^>]*>\s*' + re.escape(label) + r"\s*</option>", select.group(1))
    assert found, f"no option {label!r} in {name}: {select.group(1)}"
    return found.group(1)


def test_every_stored_value_has_a_label():
    assert set(GRADE_LABELS) == set(GRADES)
    assert set(LEVEL_LABELS) == set(LEVELS) | {l2 for l2s in LEVELS.values() for l2 in l2s}
    assert set(OPERATOR_LABELS) == set(OPERATORS)


def test_every_ex_ante_label_has_a_display_label():
    """Pages show models/ex_ante.py's plain labels (kept Chinese for the API and the report) through DISPLAY_LABELS."""
    from workflow_app.models import ex_ante
    from workflow_app.services.ex_ante_report import OPINION_KINDS
    texts = {*ex_ante.ITEM_KINDS.values(), *ex_ante.BASES.values(), *ex_ante.CONCLUSION_LABELS.values(),
             *ex_ante.MATERIALS.values(), *OPINION_KINDS.values()}
    for spec in ex_ante.DIMENSIONS.values():
        texts |= {spec["name"], spec["policy_name"], *spec["items"].values()}
    assert texts == set(ex_ante.DISPLAY_LABELS)


def test_grades_and_indicator_categories_show_in_english_but_stay_chinese_data(app, api, browser):
    """Grades and indicator categories are stored (and exchanged by the API) in Chinese; an English page shows
    their English labels in badges, indicator tables, the diff and the selects, and the selects still post the
    stored Chinese value. The Chinese pages are unchanged."""
    pid = project_id(app, RSJ)
    flow = GoalFlow(api, pid)
    flow.start()
    flow.through_formal_check()
    flow.joint_review("优", "良", [92, 90, 94])

    # 一下 in English: the grade select shows the labels and posts the stored grade
    jxk = english(browser("jxk"))
    task = flow.jxk.task_named("consolidate", instance_id=flow.instance_id)
    html = text(jxk.get(f"/tasks/{task['id']}"))
    assert badge("Excellent").search(html) and not badge("优").search(html)   # the suggested grade
    for stored, label in GRADES_EN.items():
        assert option(html, "grade", label) == stored
    assert cell("Output indicators") in html and cell("Quantity") in html and cell("产出指标") not in html
    chosen = option(html, "grade", "Excellent")
    done = jxk.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(html), "grade": chosen,
                                                  "opinion": "好", "control_amount": "300"})
    assert done.status_code == 302, text(done)[:2000]
    with app.app_context():
        assert db.session.query(GoalReview).filter_by(instance_id=flow.instance_id).one().grade == "优"

    # 二上 in English: the indicator editor's selects show labels and post the stored categories
    filer = english(browser("rsj_filer"))
    task = flow.filer.task_named("revise_goals", instance_id=flow.instance_id)
    html = text(filer.get(f"/tasks/{task['id']}"))
    assert badge("Excellent").search(html)
    assert option(html, "indicators-0-level1", "Output indicators") == "产出指标"
    assert option(html, "indicators-0-level2", "Timeliness") == "时效指标"
    assert option(html, "indicators-0-operator", "Qualitative") == "定性"
    revised = [dict(row) for row in INDICATORS]
    revised[1]["level2"] = "时效指标"   # a changed category, for the diff below
    fields = {f"indicators-{i}-{key}": str(value) for i, row in enumerate(revised) for key, value in row.items()}
    done = filer.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_from(html), "overall_goal": "修订后的目标",
                                                    "amount": "300", **fields})
    assert done.status_code == 302, text(done)[:2000]
    goal = flow.project()["goal"]   # the latest version, as the API gives it: the stored Chinese categories
    assert [(i["level1"], i["level2"]) for i in goal["indicators"]] == [(r["level1"], r["level2"]) for r in revised]

    # 二下 pane and the project page with the diff: English labels, no Chinese categories or grades
    task = flow.jxk.task_named("final_review", instance_id=flow.instance_id)
    pages = {"final review": text(jxk.get(f"/tasks/{task['id']}")), "project": text(jxk.get(f"/projects/{pid}"))}
    for where, html in pages.items():
        for label in ("Output indicators", "Benefit indicators", "Quality", "Timeliness", "Social benefits",
                      "Beneficiary satisfaction"):
            assert label in html, (where, label)
        for stored in LEVELS_EN:
            assert stored not in html, (where, stored)
    final = pages["final review"]
    assert badge("Excellent").search(final) and badge("Good").search(final)   # 一下 and the reviewers' grades
    assert not any(badge(g).search(final) for g in GRADES_EN)
    assert "diff-table" in final and "diff-table" in pages["project"]

    # ... while the Chinese pages show the stored words as they always did
    jxk_zh = browser("jxk")
    final_zh = text(jxk_zh.get(f"/tasks/{task['id']}"))
    assert badge("优").search(final_zh) and badge("良").search(final_zh) and "Excellent" not in final_zh
    assert cell("产出指标") in final_zh and cell("时效指标") in final_zh and "Output indicators" not in final_zh

    flow.do(flow.jxk, "final_review", {"approved": True, "opinion": "批复"})
    publish(app, api, flow.instance_id)
    public_en = text(english(app.test_client()).get("/public/goals"))
    assert cell("Output indicators") in public_en and cell("Quantity") in public_en and "产出指标" not in public_en
    public_zh = text(app.test_client().get("/public/goals"))
    assert cell("产出指标") in public_zh and cell("数量指标") in public_zh and "Output indicators" not in public_zh


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_indicator_editor_keeps_english_labels_when_it_filters_level_2(app, live, chromium):
    """The editor's script rebuilds the 二级指标 options from the select's own options, so the labels the server
    rendered survive the filtering while the values stay the stored categories."""
    page = chromium.new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live, "rsj_filer")
    page.goto(f"{live}/lang/en?next=/tasks")
    page.goto(f"{live}/projects/{project_id(app, RSJ)}")
    page.click("form[action$='/goal-review'] button")
    page.wait_for_selector("textarea[name=overall_goal]")
    page.select_option("[name=indicators-0-level1]", label="Benefit indicators")
    options = page.eval_on_selector_all("[name=indicators-0-level2] option", "os => os.map(o => [o.value, o.text])")
    assert options == [["经济效益指标", "Economic benefits"], ["社会效益指标", "Social benefits"],
                       ["生态效益指标", "Ecological benefits"], ["可持续影响指标", "Sustainable impact"]]
    page.click("button[data-action=add]")   # a new row copies the template: labels there too
    assert page.eval_on_selector("[name=indicators-1-level1]", "s => s.options[s.selectedIndex].text") \
        == "Benefit indicators"
    assert errors == []


# --- the catalog --------------------------------------------------------------------------------------------------

def _po():
    with EN_PO.open("rb") as f:
        return read_po(f, locale="en")


def test_every_english_message_is_translated_without_chinese():
    catalog = _po()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 300
    problems = []
    for m in messages:
        assert isinstance(m.id, str), f"plural entry needs every form checked: {m.id!r}"
        if not m.string or not m.string.strip():
            problems.append(f"empty: {m.id}")
        elif CJK.search(m.string):
            problems.append(f"Chinese left: {m.id} -> {m.string}")
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id}")
        if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string or "")):
            problems.append(f"placeholders differ: {m.id} -> {m.string}")
    assert not problems, "\n".join(problems)
    assert not list(catalog.check()), list(catalog.check())  # babel's own python-format checks


def test_compiled_catalog_matches_the_po():
    """The committed .mo is what compiling the committed .po gives (so nobody forgot ./scripts/translations)."""
    assert EN_MO.exists(), "run ./scripts/translations to compile the catalog"
    with EN_MO.open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    expected = {m.id: m.string for m in _po() if m.id and not m.fuzzy}
    assert compiled == expected


def test_catalog_covers_every_marked_string():
    """Every string marked in the code and templates (per babel.cfg) is in the English catalog."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    skip = {"__pycache__", "node_modules", "tests", "bench", "instance", "migrations"}

    def directory_filter(path: str) -> bool:
        name = Path(path).name
        return not name.startswith(".") and name not in skip

    marked = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords, directory_filter=directory_filter):
        marked.update([message] if isinstance(message, str) else [m for m in message if m])
    translated = {m.id for m in _po() if m.id and m.string}
    missing = sorted(marked - translated)
    assert not missing, "marked but not translated (run ./scripts/translations):\n" + "\n".join(missing)

