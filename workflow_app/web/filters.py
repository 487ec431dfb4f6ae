"""Template helpers: times in Asia/Shanghai, labels of roles and states, labels of grades and indicator categories,
and `may(permission)`, the signed-in user's permissions as services/policy.py decides them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, g
from flask_babel import format_datetime, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..labels import ROLE_LABELS, grade_label, level_label, operator_label, process_label, role_label, task_label
from ..models import User
from ..services import policy

STATUS_LABELS = {
    "running": _l("进行中"), "completed": _l("已结束"), "cancelled": _l("已取消"), "error": _l("出错"),
    "ready": _l("待办"), "none": _l("未申报"), "in_review": _l("审核中"), "approved": _l("已批复"),
    "rejected": _l("未通过"),
}
ACTION_LABELS = {
    "start": _l("发起"), "complete": _l("办理"), "claim": _l("认领"), "unclaim": _l("取消认领"),
    "timer": _l("到期提醒"), "send_back": _l("退回"), "withdraw": _l("撤回"), "reassign": _l("转办"),
    "urge": _l("催办"), "error": _l("出错"),
}


def _local(moment: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return format_datetime(moment, fmt) if moment else ""


def _person(username: str | None) -> str:
    """A person as pages show them: by name, never by login name (an alias such as 专家1, already put in place of
    an anonymous expert's login by services/anonymity.py, is no login and stays as it is). The API keeps logins."""
    if not username:
        return ""
    names: dict[str, str] | None = g.get("_person_names")
    if names is None:
        # One statement per page, and only on pages that show people: a county has a few hundred users.
        names = g._person_names = dict(db.session.execute(select(User.username, User.name)).tuples().all())
    return names.get(username, username)


def _may(permission: str, obj: Any = None) -> bool:
    """`may('see_dashboard')` in a template: the signed-in user's named permission (services/policy.py)."""
    return policy.may(current_user._get_current_object(), permission, obj)


def register(app: Flask) -> None:
    app.jinja_env.filters["local"] = _local
    app.jinja_env.filters["person"] = _person
    app.jinja_env.globals["may"] = _may
    # Stored grades and indicator categories are Chinese data; these show them in the page's language.
    app.jinja_env.filters.update(role_label=role_label, grade_label=grade_label, level_label=level_label,
                                 operator_label=operator_label)
    app.jinja_env.globals.update(task_label=task_label, process_label=process_label)
    app.jinja_env.globals.update(ROLE_LABELS=ROLE_LABELS, STATUS_LABELS=STATUS_LABELS, ACTION_LABELS=ACTION_LABELS)
