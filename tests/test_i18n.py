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

from .conftest import csrf_from
from .helpers import RSJ, project_id

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

