"""Display labels of stored domain values: roles (the BPMN lanes' role codes), grades, indicator categories, operators.

The values themselves stay Chinese everywhere they are stored or exchanged: they are the official categories
of the 财政部 goal tables and the API contract (shared/API.md) uses them as they are. Only what a page shows
goes through these labels. Each label is a lazy gettext whose msgid is the stored value itself, so the
Chinese UI prints exactly what it printed before and the English catalog carries the standard English terms.

The msgids are written out literally (not built from GRADES/LEVELS in a loop) because pybabel extracts only
literal strings; tests/test_i18n.py checks that every stored value has a label.
The filters are registered with the other template helpers in web/filters.py.
"""
from __future__ import annotations

from flask_babel import LazyString, lazy_gettext as _l

from .models.goal import GRADES, LEVELS, OPERATORS
from .processes import registry

# A label is a lazy string (translated when rendered, in the request's language) or a plain sign such as ≥.
Label = LazyString | str

GRADE_LABELS: dict[str, Label] = {
    "优": _l("优"),
    "良": _l("良"),
    "中": _l("中"),
    "差": _l("差"),
}

# The role codes of API.md (models.org.Role) are machine names: BPMN lanes carry them in their XML id, tasks in
# their `lane` column. Wherever a role reaches a person (pages, error messages, the diagram's lane names) it is
# shown by this label; tests/test_issue13_ident.py checks that every role has one.
ROLE_LABELS: dict[str, Label] = {
    "department_filer": _l("部门填报人"),
    "department_head": _l("部门负责人"),
    "finance_business": _l("财政业务科室"),
    "performance_section": _l("绩效科"),
    "expert": _l("评审专家"),
    "third_party": _l("第三方机构"),
    "supervisor": _l("督办人员"),
    "admin": _l("系统管理员"),
}

# Level-1 and level-2 names are all distinct, so one table serves both columns.
LEVEL_LABELS: dict[str, Label] = {
    "产出指标": _l("产出指标"),
    "数量指标": _l("数量指标"),
    "质量指标": _l("质量指标"),
    "时效指标": _l("时效指标"),
    "成本指标": _l("成本指标"),
    "效益指标": _l("效益指标"),
    "经济效益指标": _l("经济效益指标"),
    "社会效益指标": _l("社会效益指标"),
    "生态效益指标": _l("生态效益指标"),
    "可持续影响指标": _l("可持续影响指标"),
    "满意度指标": _l("满意度指标"),
    "服务对象满意度指标": _l("服务对象满意度指标"),
}

# The comparison signs are the same in every language; only 定性 (qualitative) needs words.
OPERATOR_LABELS: dict[str, Label] = {">=": "≥", "<=": "≤", "=": "=", "定性": _l("定性")}


def role_label(code: str | None) -> Label:
    """The label of a role code; an unknown code (a lane of an operator's own model) is shown as it is."""
    if not code:
        return ""
    return ROLE_LABELS.get(code, code)


def grade_label(value: str | None) -> Label:
    """The label of a stored grade; anything unknown (older data, None) is shown as it is."""
    if not value:
        return ""
    return GRADE_LABELS.get(value, value)


def level_label(value: str | None) -> Label:
    """The label of a stored level-1 or level-2 indicator category; unknown values are shown as they are."""
    if not value:
        return ""
    return LEVEL_LABELS.get(value, value)


def operator_label(value: str | None) -> Label:
    if not value:
        return ""
    return OPERATOR_LABELS.get(value, value)


def grade_choices() -> list[tuple[str, Label]]:
    """Select choices: the stored grade posts, its label shows."""
    return [(g, GRADE_LABELS[g]) for g in GRADES]


def level1_choices() -> list[tuple[str, Label]]:
    return [(l1, LEVEL_LABELS[l1]) for l1 in LEVELS]


def level2_choices() -> list[tuple[str, Label]]:
    return [(l2, LEVEL_LABELS[l2]) for l2s in LEVELS.values() for l2 in l2s]


def operator_choices() -> list[tuple[str, Label]]:
    return [(op, OPERATOR_LABELS[op]) for op in OPERATORS]



# --- names of the product's BPMN processes and tasks -------------------------------------------------------
# The names live in the BPMN files (Chinese, stored with each task row and history entry). The English UI shows
# the labels each process module declares (workflow_app/processes/), keyed by the element id together with the
# Chinese name it was written for: a redeployed file that renames a task shows its new (Chinese) name rather
# than a stale translation.


def _english() -> bool:
    from flask_babel import get_locale
    locale = get_locale()
    return locale is not None and locale.language == "en"


def task_label(name: str | None, title: str | None) -> str:
    """A task's title in the page's language (the stored Chinese title, or its English label)."""
    if title and name and _english():
        return registry.task_title_en(name, title) or title
    return title or name or ""


def process_label(key: str | None, name: str | None) -> str:
    """A process's name in the page's language; without a name, its key."""
    if name and key and _english():
        return registry.process_name_en(key, name) or name
    return name or key or ""
