"""Every setting the README documents is really read from the environment.

The list is taken from the README itself ("Settings (environment): `NAME` …" and the settings named in the
prose), so a setting documented later without a check here fails this test instead of silently doing nothing.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

from workflow_app.config import PROJECT_ROOT, build_config

def _due() -> dict[str, int]:
    from workflow_app.processes import load_all, registry
    load_all()
    return registry.due_days()


def _ex_ante(name: str):
    from flask import Flask

    from workflow_app.services.ex_ante import setting
    with Flask(__name__).app_context():
        return setting(name)


def _evaluation(name: str):
    from flask import Flask

    from workflow_app.services.evaluation_settings import setting
    with Flask(__name__).app_context():
        return setting(name)


def _monitoring_process(name: str):
    from flask import Flask

    from workflow_app.services.monitoring import setting
    with Flask(__name__).app_context():
        return setting(name)


def _department(what: str):
    from flask import Flask

    from workflow_app.services import department_performance_scoring as scoring
    with Flask(__name__).app_context():
        return scoring.weights() if what == "weights" else scoring.category_points()


def _monitoring(name: str):
    from flask import Flask

    from workflow_app.services.monitoring_warnings import setting
    with Flask(__name__).app_context():
        return setting(name)


# env var -> (value to set, what build_config must then hold)
Check = Callable[[dict[str, Any]], bool]
SETTINGS: dict[str, tuple[str, Check]] = {
    "DATABASE_URL": ("postgresql://u@db/budget",
                     lambda c: c["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/budget"),
    "CELERY_BROKER_URL": ("redis://r:6379/0", lambda c: c["CELERY_BROKER_URL"] == "redis://r:6379/0"),
    "SECRET_KEY": ("k" * 64, lambda c: c["SECRET_KEY"] == "k" * 64),
    "BPMN_DIRS": ("/srv/extra-bpmn", lambda c: c["BPMN_DIRS"][-1] == "/srv/extra-bpmn"),
    "EXPERTS_PER_REVIEW": ("5", lambda c: c["EXPERTS_PER_REVIEW"] == 5),
    "EXPERT_DRAW_SEED": ("7", lambda c: c["EXPERT_DRAW_SEED"] == "7"),
    # Step deadlines are declared by the process modules ("<process>:<task>" -> DueDays(default, setting)).
    "DUE_DAYS_DRAFT": ("11", lambda c: _due()["goal_review:draft_goals"] == 11),
    "DUE_DAYS_REVIEW": ("8", lambda c: {_due()[t] for t in (
        "goal_review:formal_check", "joint_review:finance_review", "joint_review:authority_review",
        "joint_review:expert_review", "goal_review:consolidate", "goal_review:final_review")} == {8}),
    "DUE_DAYS_REVISION": ("6", lambda c: _due()["goal_review:revise_goals"] == 6),
    "DUE_DAYS_SIGNOFF": ("4", lambda c: _due()["goal_review:dept_signoff"] == 4),
    "DUE_DAYS_EX_ANTE_DEPARTMENT": ("16", lambda c: {_due()[t] for t in ("ex_ante:register_item",
                                                                       "ex_ante:self_assess")} == {16}),
    "DUE_DAYS_EX_ANTE_THIRD_PARTY": ("21", lambda c: _due()["ex_ante:third_party_report"] == 21),
    "DUE_DAYS_KEY_EVALUATION_AGENCY": ("31", lambda c: _due()["key_evaluation:agency_score"] == 31),
    "DUE_DAYS_KEY_EVALUATION_REVIEW": ("8", lambda c: _due()["key_evaluation:review_work"] == 8),
    "DUE_DAYS_KEY_EVALUATION_FEEDBACK": ("12", lambda c: _due()["key_evaluation:department_feedback"] == 12),
    "DUE_DAYS_KEY_EVALUATION_FINALISE": ("9", lambda c: _due()["key_evaluation:finalise"] == 9),
    # The ex-ante thresholds are read by the process on use (services/ex_ante.setting), config.py names no process.
    "EX_ANTE_SUPPORT_MIN": ("85", lambda c: _ex_ante("EX_ANTE_SUPPORT_MIN") == 85),
    "EX_ANTE_PARTIAL_MIN": ("65", lambda c: _ex_ante("EX_ANTE_PARTIAL_MIN") == 65),
    "EX_ANTE_MIN_AMOUNT": ("50", lambda c: _ex_ante("EX_ANTE_MIN_AMOUNT") == 50),
    "DUE_DAYS_SELF_EVALUATION_FILL": ("21", lambda c: _due()["self_evaluation:fill_evaluation"] == 21),
    "DUE_DAYS_SELF_EVALUATION_SIGNOFF": ("4", lambda c: _due()["self_evaluation:evaluation_signoff"] == 4),
    "DUE_DAYS_SELF_EVALUATION_RECHECK": ("9", lambda c: _due()["self_evaluation_recheck:recheck_evaluation"] == 9),
    "EVALUATION_EQUAL_TOLERANCE": ("8", lambda c: _evaluation("EVALUATION_EQUAL_TOLERANCE") == 8),
    "EVALUATION_OVERSHOOT_RATIO": ("2", lambda c: _evaluation("EVALUATION_OVERSHOOT_RATIO") == 2),
    "EVALUATION_MIN_AMOUNT": ("30", lambda c: _evaluation("EVALUATION_MIN_AMOUNT") == 30),
    "EVALUATION_RECHECK_SHARE": ("35", lambda c: _evaluation("EVALUATION_RECHECK_SHARE") == 35),
    "DEPARTMENT_PERFORMANCE_WEIGHTS": ("60/40", lambda c: _department("weights") == (60, 40)),
    "DEPARTMENT_PERFORMANCE_EFFICACY_SPLIT": ("6/2/2", lambda c: _department("points")["产出"] == 42),
    "DUE_DAYS_DEPARTMENT_PERFORMANCE_DEPARTMENT": ("17", lambda c: {_due()[t] for t in (
        "department_performance:draft_dept_goals", "department_performance:dept_self_evaluate")} == {17}),
    "DUE_DAYS_DEPARTMENT_PERFORMANCE_REVIEW": ("8", lambda c: {_due()[t] for t in (
        "department_performance:review_dept_goals", "department_performance:confirm_dept_evaluation")} == {8}),
    "DUE_DAYS_MONITORING_FILL": ("12", lambda c: _due()["monitoring:fill_report"] == 12),
    "DUE_DAYS_MONITORING_REVIEW": ("9", lambda c: {_due()[t] for t in ("monitoring:business_review",
                                                                      "monitoring:decide")} == {9}),
    "MONITORING_RECTIFICATION_DAYS": ("45", lambda c: _monitoring_process("MONITORING_RECTIFICATION_DAYS") == 45),
    "MONITORING_BATCH_CHUNK": ("50", lambda c: _monitoring_process("MONITORING_BATCH_CHUNK") == 50),
    # The monitoring warnings' thresholds, read on use (services/monitoring_warnings.setting).
    "MONITORING_RED_BELOW": ("55", lambda c: _monitoring("MONITORING_RED_BELOW") == 55),
    "MONITORING_YELLOW_BELOW": ("85", lambda c: _monitoring("MONITORING_YELLOW_BELOW") == 85),
    "MONITORING_INDICATOR_LAG": ("25", lambda c: _monitoring("MONITORING_INDICATOR_LAG") == 25),
    "DUE_DAYS_DEFAULT": ("9", lambda c: c["TASK_DUE_DAYS_DEFAULT"] == 9),
    "API_TOKEN_HOURS": ("2", lambda c: c["API_TOKEN_HOURS"] == 2),
    "MAX_UPLOAD_MB": ("3", lambda c: c["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024),
    "SMTP_HOST": ("mail.example", lambda c: c["SMTP_HOST"] == "mail.example"),
    "SMTP_PORT": ("2525", lambda c: c["SMTP_PORT"] == 2525),
    "MAIL_FROM": ("jx@example.gov.cn", lambda c: c["MAIL_FROM"] == "jx@example.gov.cn"),
    "UPLOAD_DIR": ("/srv/uploads", lambda c: c["UPLOAD_DIR"] == "/srv/uploads"),
    "SESSION_COOKIE_SECURE": ("1", lambda c: c["SESSION_COOKIE_SECURE"] is True),
    "RATELIMIT_STORAGE_URI": ("redis://r:6379/1", lambda c: c["RATELIMIT_STORAGE_URI"] == "redis://r:6379/1"),
    "LOGIN_FAILURE_LIMIT": ("3 per minute", lambda c: c["LOGIN_FAILURE_LIMIT"] == "3 per minute"),
    "CELERY_VISIBILITY_TIMEOUT": ("120", lambda c: c["CELERY_VISIBILITY_TIMEOUT"] == 120),
    "QUEUE_SIZES_COMPACT_SECONDS": ("60", lambda c: c["QUEUE_SIZES_COMPACT_SECONDS"] == 60),
    "RECTIFICATION_REMINDER_DAYS": ("5", lambda c: c["RECTIFICATION_REMINDER_DAYS"] == 5),
    "TIMER_INTERVAL_SECONDS": ("30", lambda c: c["TIMER_INTERVAL_SECONDS"] == 30),
    "DISCLOSURE_WARNING_DAYS": ("15", lambda c: c["DISCLOSURE_WARNING_DAYS"] == 15),
    "NPC_PACKAGE_DIR": ("/srv/npc", lambda c: c["NPC_PACKAGE_DIR"] == "/srv/npc"),
}

# Environment variables the README names that are not settings of this app (the shell's, the tests').
NOT_APP_SETTINGS = {"PORT", "TEST_DATABASE_URL", "QUICK", "BENCH_PG_SYNC_COMMIT"}


def documented_settings() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("Settings (environment):", 1)[1].split("\n\n", 1)[0]
    names = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", paragraph))
    # Settings the README names elsewhere, in its description of a feature ("(`RECTIFICATION_REMINDER_DAYS`)").
    names |= {name for name in re.findall(r"\(`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", readme) if name not in NOT_APP_SETTINGS}
    return names


def test_every_documented_setting_has_a_check() -> None:
    missing = documented_settings() - SETTINGS.keys()
    assert not missing, f"documented in the README but not checked here: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_the_setting_is_read_from_the_environment(name: str, monkeypatch, tmp_path: Path) -> None:
    for other in SETTINGS:
        monkeypatch.delenv(other, raising=False)
    value, holds = SETTINGS[name]
    assert not holds(build_config(tmp_path)), f"{name}: the default already looks like the test value"
    monkeypatch.setenv(name, value)
    assert holds(build_config(tmp_path)), f"{name}={value} did not reach the configuration"
