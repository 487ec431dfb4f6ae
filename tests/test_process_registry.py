"""The process registry (workflow_app/processes/): generic code names no process, and what the modules
declare matches their BPMN files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflow_app.engine.scripting import make_due_in
from workflow_app.processes import load_all, registry
from workflow_app.services import goal_review as goal_review_service
from workflow_app.services import rectification as rectification_service

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "workflow_app"

# Modules that serve every process: they ask the registry and never name a process or one of its tasks.
GENERIC_MODULES = [
    "services/instances.py", "services/policy.py", "services/tasks.py", "services/history.py",
    "services/anonymity.py", "services/hooks.py", "config.py", "labels.py", "web/tasks.py", "web/__init__.py",
    "engine/scripting.py", "engine/runtime.py", "engine/specs.py",
    "templates/tasks/task.html", "templates/tasks/inbox.html", "templates/base.html",
    # 信息公开 and the 人大 package: documents come from the processes' publication kinds
    "services/publication.py", "services/npc_package.py", "api/disclosure.py", "web/disclosure.py",
    "templates/public/portal.html", "templates/disclosure/index.html", "templates/disclosure/npc_packages.html",
    "templates/pdf/npc_package.html",
]
# Task ids that are also ordinary words of the generic code (the audit trail): only their string literals count.
COMMON_WORDS = {"audit"}


def _bpmn_ids(pattern: str) -> dict[str, set[str]]:
    """Per BPMN file (its process id = its stem): the ids of the elements matching `pattern`."""
    return {path.stem: set(re.findall(pattern, path.read_text(encoding="utf-8")))
            for path in (ROOT / "bpmn").glob("*.bpmn")}


USER_TASKS = _bpmn_ids(r'<bpmn:userTask id="([A-Za-z0-9_]+)"')


def _process_words() -> set[str]:
    modules = load_all()
    words = {m.key for m in modules} | {p for m in modules for p in m.subprocesses}
    for module in modules:
        for bpmn_id in (module.key, *module.subprocesses):
            words |= USER_TASKS.get(bpmn_id, set())
        words |= module.anonymous_tasks | module.independent_reviews | module.wide_tasks | module.upload_tasks
        words |= {key.partition(":")[2] for key in module.due_days}
    return words


def test_generic_modules_name_no_process():
    words = _process_words()
    assert {"goal_review", "joint_review", "rectification", "expert_review", "draft_goals", "report_progress"} <= words
    found = []
    for name in GENERIC_MODULES:
        text = (APP / name).read_text(encoding="utf-8")
        for word in sorted(words):
            pattern = rf"""["']{word}["']""" if word in COMMON_WORDS else rf"\b{word}\b"
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {word}")
    assert not found, "generic modules must ask workflow_app.processes.registry:\n" + "\n".join(found)


def test_every_bpmn_deadline_is_declared_by_a_process():
    load_all()
    declared = set(registry.due_days({}))
    used = {key for path in (ROOT / "bpmn").glob("*.bpmn")
            for key in re.findall(r'due_in\("([^"]+)"\)', path.read_text(encoding="utf-8"))}
    assert used and used <= declared
    assert all(":" in key for key in used), "deadlines are keyed <process>:<task>"


def test_due_days_keep_the_documented_settings():
    load_all()
    defaults = registry.due_days({})
    assert defaults["goal_review:draft_goals"] == 10 and defaults["goal_review:dept_signoff"] == 3
    assert defaults["goal_review:revise_goals"] == 5 and defaults["joint_review:expert_review"] == 7
    changed = registry.due_days({"DUE_DAYS_DRAFT": "12", "DUE_DAYS_REVIEW": "4", "DUE_DAYS_SIGNOFF": "",
                                 "DUE_DAYS_REVISION": "6"})
    assert changed["goal_review:draft_goals"] == 12 and changed["goal_review:dept_signoff"] == 3
    assert changed["joint_review:finance_review"] == changed["goal_review:final_review"] == 4
    assert changed["goal_review:revise_goals"] == 6


def test_due_in_resolves_process_task_keys():
    due_in = make_due_in({"a:draft": 10, "a:review": 3, "b:review": 5}, 7)
    assert due_in("a:draft") == "P10D" and due_in("b:review") == "P5D"
    assert due_in("draft") == "P10D"        # a bare id of an older model: one process declares it
    assert due_in("review") == "P7D"        # two do: ambiguous, so the default rather than a guess
    assert due_in("c:other") == due_in("other") == "P7D"


def test_due_in_reads_the_app_settings(app):
    assert app.config["TASK_DUE_DAYS"]["goal_review:draft_goals"] == 10
    with app.app_context():
        from workflow_app.services.instances import script_engine
        assert script_engine().environment.globals["due_in"]("goal_review:draft_goals") == "P10D"


def test_per_task_handlers_cover_the_models_user_tasks():
    """Each step's completion is found in a table: every user task of the model is in it (or records an opinion)."""
    assert set(rectification_service.ON_COMPLETE) == USER_TASKS["rectification"]
    goal_tasks = USER_TASKS["goal_review"] | USER_TASKS["joint_review"]
    assert set(goal_review_service.ON_COMPLETE) <= goal_tasks
    assert goal_tasks - set(goal_review_service.ON_COMPLETE) <= set(goal_review_service.OPINION_KIND)


@pytest.mark.parametrize("key", ["goal_review", "rectification"])
def test_a_module_declares_its_process(key):
    load_all()
    module = registry.get(key)
    assert module.key == key and module.start_endpoint and module.start_endpoint.startswith("POST /api/v1/")
    folder = APP / "templates" / "processes" / module.templates
    assert folder.is_dir()
    # Every task template of the folder is a step of the process's models (a renamed step leaves none behind).
    tasks = set().union(*(USER_TASKS.get(b, set()) for b in (key, *module.subprocesses)))
    pages = {p.stem for sub in ("context", "forms") for p in (folder / sub).glob("*.html") if not p.stem.startswith("_")}
    assert pages <= tasks, pages - tasks
    for (task, _zh) in module.task_titles_en:
        assert task in tasks | set(module.subprocesses)


def test_a_process_without_a_module_is_generic():
    load_all()
    module = registry.get("someone_elses_model")
    assert module is registry.GENERIC and module.start_endpoint is None and not module.instance_readers
    page = module.task_page("anything")
    assert page.context == [registry.GENERIC_CONTEXT] and page.form == [registry.GENERIC_FORM]
    assert not page.wide and not page.uploads


def test_registering_a_key_twice_is_refused():
    load_all()
    with pytest.raises(ValueError):
        registry.register(registry.ProcessModule(key="goal_review"))
